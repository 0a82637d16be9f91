"""Placeholder until the page lands."""

import streamlit as st

st.title("incidents")
st.write("This page is being built.")
