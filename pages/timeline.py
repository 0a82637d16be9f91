"""Placeholder until the page lands."""

import streamlit as st

st.title("timeline")
st.write("This page is being built.")
