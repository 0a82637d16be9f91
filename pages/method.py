"""Placeholder until the page lands."""

import streamlit as st

st.title("method")
st.write("This page is being built.")
