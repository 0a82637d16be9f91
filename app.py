"""The Openness Observatory.

`streamlit run app.py` finds `app` below and serves it: Streamlit's server behind the upload gate
(ui/upload_gate.py). Each session then runs this same file as its script, which draws the frame (ui/shell.py):
page config, navigation and the shared sidebar filters.
"""

import streamlit as st
from starlette.middleware import Middleware
from streamlit.runtime.scriptrunner import get_script_run_ctx

from ui.upload_gate import UploadGate

if get_script_run_ctx(suppress_warning=True) is None:
    # Imported by the server, not run for a session.
    app = st.App(__file__, middleware=[Middleware(UploadGate)])
else:
    from ui import shell

    shell.run()
