"""The frame every page runs in: page config, navigation, the shared sidebar filters (run by app.py)."""

import streamlit as st
from streamlit.runtime.scriptrunner import get_script_run_ctx

from db.validate import ValidationError
from ui import auth, data, sidebar, widgets
from ui.pages import CURATE, PAGES
from ui.text import plain
from ui.upload_gate import record_session


def run() -> None:
    st.set_page_config(page_title="Openness Observatory", page_icon="🔭", layout="wide")
    actor = auth.current_actor()
    # The server takes uploads only from a session whose user is a signed-in curator, checked on every run.
    record_session(get_script_run_ctx().session_id, not actor.is_anonymous)

    # The import page exists in the navigation only for a signed-in curator.
    specs = PAGES if actor.is_anonymous else (*PAGES, CURATE)
    pages = [
        st.Page(p.file, title=p.title, url_path=p.url_path, icon=p.icon, default=i == 0) for i, p in enumerate(specs)
    ]
    current = st.navigation(pages)
    page_params = next(set(p.params) for p in specs if p.title == current.title)

    try:
        data.engine()
    except ValidationError as exc:
        st.error("The data files did not pass validation, so the database was not built:")
        st.code(exc.report(), language=None)
        st.stop()

    filters, notes = sidebar.render(page_params)
    auth.sign_in_panel()
    st.session_state["filters"] = filters
    st.session_state[widgets.PAGE_TITLE] = current.title
    st.session_state.pop(widgets.PENDING_CHART, None)
    for note in notes:
        st.info(plain(note), icon=":material/link_off:")
    current.run()
    if current.title in {p.title for p in PAGES}:  # the public pages, not the curator's
        widgets.citation(current.title)
