"""The frame every page runs in: page config, navigation, the shared sidebar filters (run by app.py)."""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from db.validate import ValidationError
from ui import auth, data, sidebar, widgets
from ui.pages import CURATE, PAGES, SIGN_IN, PageSpec
from ui.text import plain
from ui.upload_gate import record_session


def _page(spec: PageSpec, **how) -> st.Page:
    return st.Page(spec.file, title=spec.title, url_path=spec.url_path, icon=spec.icon, **how)


def navigation(anonymous: bool) -> list[st.Page]:
    """The pages of a session: the public ones, plus the import page for a signed-in curator.

    The first page is served at the root and, hidden, at its own path too, so /overview opens it. The sign-in
    page answers at /sign-in for everyone but is listed only once its visitor is signed in.
    """
    home, *rest = PAGES
    pages = [
        st.Page(home.file, title=home.title, url_path="", icon=home.icon, default=True),
        *(_page(p) for p in rest),
        _page(home, visibility="hidden"),
        _page(SIGN_IN, visibility="hidden" if anonymous else "visible"),
    ]
    return pages if anonymous else [*pages, _page(CURATE)]


def run() -> None:
    st.set_page_config(page_title="Openness Observatory", page_icon="🔭", layout="wide")
    actor = auth.current_actor()
    # The server takes uploads only from a session whose user is a signed-in curator, checked on every run.
    record_session(get_script_run_ctx().session_id, not actor.is_anonymous)

    current = st.navigation(navigation(actor.is_anonymous))
    page_params = next(set(p.params) for p in (*PAGES, CURATE, SIGN_IN) if p.title == current.title)

    try:
        data.engine()
    except ValidationError as exc:
        st.error("The data files did not pass validation, so the database was not built:")
        st.code(exc.report(), language=None)
        st.stop()

    filters, notes = sidebar.render(page_params)
    st.session_state["filters"] = filters
    st.session_state[widgets.PAGE_TITLE] = current.title
    st.session_state.pop(widgets.PENDING_CHART, None)
    for note in notes:
        st.info(plain(note), icon=":material/link_off:")
    current.run()
    if current.title in {p.title for p in PAGES}:  # the public pages, not the curator's
        widgets.citation(current.title)
