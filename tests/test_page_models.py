"""The models page: one row per model the filters admit, capped for very large catalogues."""

import streamlit as st

import db.queries.core
from tests.apptest_helpers import open_page


def test_the_models_page_says_when_it_lists_only_the_newest_models(app_on_fixture, monkeypatch):
    st.cache_data.clear()
    monkeypatch.setattr(db.queries.core, "CATALOGUE_LIMIT", 2)
    at = open_page("pages/models.py")
    assert not at.exception
    assert len(at.dataframe[0].value) == 2
    assert any("Showing the 2 models whose first release is newest, of the 4" in w.value for w in at.warning)
    assert any("2 models shown of 4" in c.value for c in at.caption)
    monkeypatch.setattr(db.queries.core, "CATALOGUE_LIMIT", 5000)
    st.cache_data.clear()
    at = open_page("pages/models.py")
    assert len(at.dataframe[0].value) == 4 and not at.warning
