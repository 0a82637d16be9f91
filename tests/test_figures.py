"""Cached figure building (ui/figures.py) and deterministic figures, on the fixture database."""

import functools
import json

import pandas as pd
import pytest
import streamlit as st

from charts.timeline import timeline
from db import queries
from tests.apptest_helpers import open_page
from ui.figures import cached
from ui.pages import PAGES


@pytest.fixture
def frames(fixture_engine) -> tuple[pd.DataFrame, pd.DataFrame]:
    return queries.releases(fixture_engine, light=True), queries.incidents(fixture_engine, light=True)


def test_a_cached_builder_returns_an_equal_figure_for_equal_inputs_and_builds_once(frames, monkeypatch):
    import charts.timeline

    calls = []
    real = charts.timeline.timeline

    @functools.wraps(real)  # the cache finds a builder by its module and name
    def counted(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr(charts.timeline, "timeline", counted)
    rel, inc = frames
    first = cached(charts.timeline.timeline)(rel, inc, "level")
    again = cached(charts.timeline.timeline)(rel.copy(), inc.copy(), "level")
    # the same JSON, to the byte, whether just built (first) or from the cache (again)
    assert first.to_json() == again.to_json()
    assert json.loads(first.to_json()) == json.loads(timeline(rel, inc, "level").to_json())
    assert len(calls) == 1  # equal DataFrames (by content) and arguments: built once
    by_org = cached(charts.timeline.timeline)(rel, inc, "organization")
    fewer = cached(charts.timeline.timeline)(rel.iloc[:3], inc, "level")
    assert len(calls) == 3
    assert by_org.to_json() != first.to_json() and fewer.to_json() != first.to_json()


def test_a_cached_figure_is_each_callers_own_copy(frames):
    rel, inc = frames
    first = cached(timeline)(rel, inc)
    first.update_layout(title_text="changed by a page")
    assert cached(timeline)(rel, inc).layout.title.text == timeline(rel, inc).layout.title.text


@pytest.mark.parametrize("page", [p.file for p in PAGES])
def test_every_pages_figures_are_deterministic(app_on_fixture, page):
    """Built twice from nothing, a page's figures are the same JSON: no uuid, random or clock in them, so an
    unchanged chart is sent as a reference to the browser's copy (Streamlit's forward-message cache)."""
    specs = [c.proto.spec for c in open_page(page).get("plotly_chart")]
    st.cache_data.clear()
    st.cache_resource.clear()
    assert [c.proto.spec for c in open_page(page).get("plotly_chart")] == specs
