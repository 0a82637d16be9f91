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


def test_a_prebuilt_figure_is_drawn_from_its_dict_and_built_only_when_used(frames):
    """Streamlit gets the cached dict itself (no go.Figure rebuilt on a warm run); any other use builds the figure,
    which then equals the one the builder made."""
    from ui.figures import Prebuilt, streamlit_view, title

    rel, inc = frames
    built = timeline(rel, inc)
    spec = built.to_dict()
    fig = Prebuilt(spec)
    view = streamlit_view(fig)
    assert view.to_dict() is spec and object.__getattribute__(fig, "_spec") is spec  # not built
    assert title(fig) == built.layout.title.text and object.__getattribute__(fig, "_spec") is spec
    assert len(fig.data) == len(built.data)  # reading traces builds it
    assert object.__getattribute__(fig, "_spec") is None
    assert fig.to_json() == go_figure(spec).to_json()
    fig.update_layout(title_text="changed")
    assert fig.to_dict()["layout"]["title"]["text"] == "changed"
    assert streamlit_view(fig) is fig  # once built, Streamlit reads the figure itself


def go_figure(spec: dict):
    import plotly.graph_objects as go

    return go.Figure(spec)


def test_a_page_draws_the_same_spec_from_a_prebuilt_figure(app_on_fixture):
    """The chart a page sends is the builder's figure, whether the cache had it or not."""
    page = "pages/timeline.py"
    first = [c.proto.spec for c in open_page(page).get("plotly_chart")]
    again = [c.proto.spec for c in open_page(page).get("plotly_chart")]  # warm: from the cache, not rebuilt
    assert first == again and json.loads(first[0])["data"]


def test_a_derived_computation_is_cached_and_equal_to_the_plain_call(fixture_engine):
    from db.queries.capability import lags
    from ui import data

    points = queries.evaluation_points(fixture_engine)
    horizon = "2026-11-30"
    pd.testing.assert_frame_equal(data.derived(lags)(points, horizon), lags(points, horizon))
    pd.testing.assert_frame_equal(data.derived(lags)(points.copy(), horizon), lags(points, horizon))
