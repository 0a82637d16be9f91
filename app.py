"""The Openness Observatory: the frame. Page config, shared sidebar filters, navigation."""

import streamlit as st

from db.validate import ValidationError
from ui import data, sidebar
from ui.pages import PAGES

st.set_page_config(page_title="Openness Observatory", page_icon=":material/visibility:", layout="wide")

pages = [st.Page(p.file, title=p.title, url_path=p.url_path, icon=p.icon, default=i == 0) for i, p in enumerate(PAGES)]
current = st.navigation(pages)
page_params = next(set(p.params) for p in PAGES if p.title == current.title)

try:
    data.engine()
except ValidationError as exc:
    st.error("The data files did not pass validation, so the database was not built:")
    st.code(exc.report(), language=None)
    st.stop()

filters, notes = sidebar.render(page_params)
st.session_state["filters"] = filters
for note in notes:
    st.info(note, icon=":material/link_off:")
current.run()
