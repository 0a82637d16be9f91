"""The floor of the stack: a bare Streamlit page drawing one Plotly chart, with one sidebar filter.

bench/bench_all.py runs it beside the app, with the same Streamlit version and config, so every figure
of the app is read as a ratio to what Streamlit and Plotly cost on their own. The filter has the same
label and options as the app's openness-level filter, so the same clicks drive both.
"""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

LEVELS = ["0 fully closed", "1 staged", "2 hosted", "3 API", "4 downloadable", "5 fully open"]
POINTS = 600  # about the shipped release events

st.set_page_config(page_title="Floor", layout="wide")
chosen = st.sidebar.multiselect("Openness level", LEVELS, placeholder="All levels")
rng = np.random.default_rng(len(chosen))
n = POINTS if not chosen else POINTS * len(chosen) // len(LEVELS)
fig = go.Figure(go.Scatter(x=rng.random(n), y=rng.random(n), mode="markers"))
fig.update_layout(title=f"Floor: {n} points", height=460)
st.title("Floor")
st.plotly_chart(fig, width="stretch")
