"""Placeholder until the page lands."""

import streamlit as st

st.title("licences")
st.write("This page is being built.")
