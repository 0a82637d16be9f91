"""Keep every page inside app.py's frame (sidebar filters, navigation, URL state).

On a freshly started server, Streamlit runs the first request in its legacy
pages/ folder mode until app.py has called st.navigation once; a deep link
such as /risk?year=2020 would then run pages/risk.py alone, without filters
or navigation. A page calls require() first: outside the frame it switches
the legacy mode off and reruns, so the request goes through app.py.
"""

import streamlit as st
from streamlit.runtime.pages_manager import PagesManager

FRAME_KEY = "filters"


def require() -> None:
    """Rerun through app.py when this page was started on its own."""
    if FRAME_KEY not in st.session_state:
        PagesManager.uses_pages_directory = False
        st.rerun()
