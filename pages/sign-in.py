"""Curator sign-in at its own address (/sign-in): not offered on the public pages, listed only once signed in."""

import streamlit as st

from ui import auth, frame

frame.require()

st.title("Curator sign-in")
st.write("Curators sign in here to import data. Readers need no account: every page of the dashboard is public.")
auth.sign_in_panel()
