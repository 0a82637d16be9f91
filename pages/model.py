"""Placeholder until the page lands."""

import streamlit as st

st.title("model")
st.write("This page is being built.")
