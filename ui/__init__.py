"""Streamlit-side helpers shared by app.py and the pages: view state in the URL, cached data, widgets."""
