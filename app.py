"""The Openness Observatory: the frame. Page config, shared sidebar filters, navigation."""

import streamlit as st

from db.validate import ValidationError
from ui import auth, data, sidebar
from ui.pages import CURATE, PAGES
from ui.text import plain

st.set_page_config(page_title="Openness Observatory", page_icon="🔭", layout="wide")

# The import page exists in the navigation only for a signed-in curator.
specs = PAGES if auth.current_actor().is_anonymous else (*PAGES, CURATE)
pages = [st.Page(p.file, title=p.title, url_path=p.url_path, icon=p.icon, default=i == 0) for i, p in enumerate(specs)]
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
for note in notes:
    st.info(plain(note), icon=":material/link_off:")
current.run()
