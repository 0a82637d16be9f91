"""Placeholder until the page lands."""

import streamlit as st

st.title("risk")
st.write("This page is being built.")
