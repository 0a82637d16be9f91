"""Unit tests of the timeline, incidents and model chart builders, on their traces."""

import json

import pandas as pd
import plotly.io as pio
import pytest

from charts import FAMILY_COLOURS, INCIDENT_COLOURS, LEVEL_COLOURS, UNKNOWN_COLOUR
from charts.dates import date_label, date_labels, period_spans, with_date_labels
from charts.incidents import STATUS_SYMBOLS, incident_timeline
from charts.model import component_table, openness_path, parameters_label, sources_table
from charts.timeline import (
    HOVER_CHARS,
    LABEL_LARGEST,
    SYMBOL_NUMBERS,
    clicked_item,
    parse_item,
    plotted_rows,
    point_budget,
    timeline,
)
from db import queries
from db.vocab import INCIDENT_STATUSES, SEVERITY


@pytest.fixture
def releases(fixture_engine) -> pd.DataFrame:
    return queries.releases(fixture_engine)


@pytest.fixture
def incidents(fixture_engine) -> pd.DataFrame:
    return queries.incidents(fixture_engine)


def by_name(fig) -> dict:
    return {t.name: t for t in fig.data}


def items(trace, releases, incidents) -> list[str]:
    """The item ids a click on each point of a trace opens."""
    return [clicked_item(releases, incidents, str(c[0])) for c in trace.customdata]


def lanes_of(fig, trace) -> list[str]:
    """The lane name of each point of a trace (lanes are numbered and named by the y axis' tick labels)."""
    return [fig.layout.yaxis.ticktext[int(y)] for y in trace.y]


SYMBOL_NAMES = {n: s for s, n in SYMBOL_NUMBERS.items()}


def symbol_names(trace) -> list[str]:
    return [SYMBOL_NAMES[n] for n in trace.marker.symbol]


def points(fig) -> list:
    """The clickable point traces (the label traces carry no customdata)."""
    return [t for t in fig.data if t.customdata is not None]


def test_timeline_colours_releases_by_licence_family_and_incidents_by_type(releases, incidents):
    fig = timeline(releases, incidents)
    traces = by_name(fig)
    assert traces["permissive"].marker.color == FAMILY_COLOURS["permissive"]
    assert traces["unknown"].marker.color == FAMILY_COLOURS["unknown"]
    assert items(traces["unknown"], releases, incidents) == ["release:llama-2023-03-leak"]
    assert traces["leak"].marker.color == INCIDENT_COLOURS["leak"]
    assert symbol_names(traces["leak"]) == ["diamond-open"]  # dated to the month only
    assert symbol_names(traces["permissive"]) == ["circle", "circle-open"]
    assert lanes_of(fig, traces["leak"]) == ["incident: leak"]
    assert sum(len(t.x) for t in points(fig)) == len(releases) + len(incidents)
    assert {t.type for t in fig.data} == {"scatter"}


def test_timeline_lanes_by_level_or_organisation(releases, incidents):
    by_level = timeline(releases, incidents, "level")
    assert list(by_level.layout.yaxis.tickvals) == list(range(7))
    assert list(by_level.layout.yaxis.ticktext) == [
        "1 staged",
        "3 API",
        "4 downloadable",
        "incident: policy",
        "incident: safety",
        "incident: leak",
        "incident: copyright",
    ]
    by_org = timeline(releases, incidents, "organization")
    release_lanes = {y for t in points(by_org) if t.legendgroup == "releases" for y in lanes_of(by_org, t)}
    assert release_lanes == {"OpenAI", "Meta", "Stability AI"}
    assert "organisation" in by_org.layout.title.text


def test_timeline_hover_is_name_and_date_with_escaped_text_and_a_click_opens_the_item(releases, incidents):
    rel = releases.copy()
    rel.loc[0, "model"] = "<b>GPT-2</b>"
    fig = timeline(rel, incidents)
    permissive = by_name(fig)["permissive"]
    assert list(permissive.hovertext) == ["&lt;b&gt;GPT-2&lt;/b&gt;<br>2019-02-14", "GPT-2<br>Nov 2019"]
    assert items(permissive, rel, incidents) == ["release:gpt-2-2019-02", "release:gpt-2-2019-11"]
    # imprecise dates are drawn open: the day-dated staged release filled, the month-dated one open
    assert symbol_names(permissive) == ["circle", "circle-open"]
    leak = by_name(fig)["leak"]
    assert list(leak.hovertext) == ["LLaMA weights leak<br>Mar 2023"]
    assert items(leak, rel, incidents) == ["incident:llama-weights-leak"]
    assert "incident: leak" in leak.hovertemplate
    # every point opens its own record; its event, status and sources are in the details panel
    opened = [item for t in points(fig) for item in items(t, rel, incidents)]
    expected = [f"release:{r}" for r in rel["release_id"]] + [f"incident:{i}" for i in incidents["incident_id"]]
    assert sorted(opened) == sorted(expected)
    for trace in points(fig):
        assert trace.hovertemplate.startswith("<b>%{hovertext}</b>") and len(trace.customdata[0]) == 1


def test_clicked_item_takes_only_positions_of_the_drawn_rows(releases, incidents):
    assert clicked_item(releases, incidents, "0") == f"release:{releases['release_id'].iloc[0]}"
    assert clicked_item(releases, incidents, str(len(releases))) == f"incident:{incidents['incident_id'].iloc[0]}"
    for bad in (None, "", "-1", "1.5", "release:gpt-2-2019-02", str(len(releases) + len(incidents))):
        assert clicked_item(releases, incidents, bad) is None


def test_long_names_are_cut_in_the_hover(releases, incidents):
    long = incidents.assign(title="An incident with a very long title that goes on and on")
    hover = by_name(timeline(releases, long))["leak"].hovertext[0]
    name = hover.split("<br>")[0]
    assert len(name) == HOVER_CHARS and name.endswith("...") and hover.endswith("<br>Mar 2023")


def test_light_query_columns_are_enough_for_the_chart(fixture_engine):
    light_rel = queries.releases(fixture_engine, light=True)
    light_inc = queries.incidents(fixture_engine, light=True)
    assert "source_urls" not in light_rel and "source_urls" not in light_inc and "summary" not in light_inc
    full = timeline(queries.releases(fixture_engine), queries.incidents(fixture_engine))
    light = timeline(light_rel, light_inc)
    assert full.to_json() == light.to_json()
    assert list(plotted_rows(light_rel, light_inc)["id"]) == list(
        plotted_rows(queries.releases(fixture_engine), queries.incidents(fixture_engine))["id"]
    )


def test_newest_limit_keeps_the_latest_rows_oldest_first(fixture_engine):
    every = queries.releases(fixture_engine, light=True)
    newest = queries.releases(fixture_engine, limit=2, newest=True, light=True)
    assert list(newest["release_id"]) == list(every["release_id"].iloc[-2:])
    assert list(queries.releases(fixture_engine, limit=2)["release_id"]) == list(every["release_id"].iloc[:2])
    inc = queries.incidents(fixture_engine, limit=3, newest=True, light=True)
    assert list(inc["incident_id"]) == list(queries.incidents(fixture_engine)["incident_id"].iloc[-3:])


@pytest.mark.parametrize(
    ("n_rel", "n_inc", "cap", "expected"),
    [
        (6, 4, 10, (6, 4)),
        (100_000, 46_000, 3000, (2055, 945)),
        (100_000, 0, 3000, (3000, 0)),
        (0, 46_000, 3000, (0, 3000)),
        (6, 4, 2, (1, 1)),
    ],
)
def test_point_budget_splits_the_cap_in_proportion(n_rel, n_inc, cap, expected):
    assert point_budget(n_rel, n_inc, cap) == expected


def test_timeline_uses_webgl_above_the_threshold(releases, incidents, monkeypatch):
    import charts.timeline

    monkeypatch.setattr(charts.timeline, "WEBGL_ABOVE", 5)
    assert {t.type for t in timeline(releases, incidents).data} == {"scattergl"}


def test_incident_timeline_uses_webgl_above_its_threshold(incidents, monkeypatch):
    import charts.incidents

    assert {t.type for t in incident_timeline(incidents).data} == {"scatter"}
    monkeypatch.setattr(charts.incidents, "WEBGL_ABOVE", 3)
    points = [t for t in incident_timeline(incidents).data if t.customdata is not None]
    assert {t.type for t in points} == {"scattergl"}


def test_timeline_with_nothing_says_so(releases, incidents):
    fig = timeline(releases.iloc[0:0], incidents.iloc[0:0])
    assert not fig.data and fig.layout.annotations[0].text == "No records match these filters."
    only_incidents = timeline(pd.DataFrame(), incidents)
    assert {t.legendgroup for t in only_incidents.data} == {"incidents"}


def test_plotted_rows_are_exactly_the_points(releases, incidents):
    rows = plotted_rows(releases, incidents)
    assert len(rows) == 10
    assert set(rows["kind"]) == {"release", "incident"}
    assert list(rows["date"]) == sorted(rows["date"])
    assert plotted_rows(pd.DataFrame(), pd.DataFrame()).empty


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("release:gpt-2-2019-02-124m", ("release", "gpt-2-2019-02-124m")),
        ("incident:llama-weights-leak", ("incident", "llama-weights-leak")),
        ("model:gpt-2", None),
        ("release:", None),
        ("release:<script>", None),
        ("gpt-2", None),
        (None, None),
    ],
)
def test_parse_item(raw, expected):
    assert parse_item(raw) == expected


def test_date_label():
    assert date_label("2019-02-14", "day") == "2019-02-14"
    assert date_label("2019-11-01", "month") == "Nov 2019"
    assert date_label("2019-01-01", "year") == "2019"


def test_date_labels_tables_and_spans_follow_each_rows_precision():
    rows = pd.DataFrame(
        {"date": ["2023-03-01", "2023-01-01", "2019-02-14"], "date_precision": ["month", "year", "day"], "n": [1, 2, 3]}
    )
    assert date_labels(rows["date"], rows["date_precision"]).tolist() == ["Mar 2023", "2023", "2019-02-14"]
    shown = with_date_labels(rows)
    assert shown["date"].tolist() == ["Mar 2023", "2023", "2019-02-14"] and shown["n"].tolist() == [1, 2, 3]
    x, y = period_spans(rows["date"], rows["date_precision"], ["a", "b", "c"])
    # a bar over each imprecise period (the whole month, the whole year); the day-dated row has none
    assert x == ["2023-03-01", "2023-03-31", None, "2023-01-01", "2023-12-31", None]
    assert y == ["a", "a", None, "b", "b", None]


def test_incident_timeline_lanes_by_type_shapes_by_status(incidents):
    fig = incident_timeline(incidents)
    points = [t for t in fig.data if t.customdata is not None]
    assert [t.name for t in points] == ["copyright", "leak", "safety", "policy"]
    assert not any(t.showlegend for t in points)
    types_legend = [t for t in fig.data if t.customdata is None and t.legendgroup not in ("statuses", "severity", None)]
    assert [(t.name, t.marker.symbol) for t in types_legend] == [
        ("copyright", "circle"),
        ("leak", "circle"),
        ("safety", "circle"),
        ("policy", "circle"),
    ]
    copyright_ = points[0]
    assert list(copyright_.y) == ["copyright"] and copyright_.marker.color == INCIDENT_COLOURS["copyright"]
    assert list(copyright_.marker.symbol) == [STATUS_SYMBOLS["pending"]]
    assert list(copyright_.marker.size) == [9 + 3 * 2]
    assert copyright_.customdata[0][0] == "andersen-v-stability"
    legend = [t.name for t in fig.data if t.legendgroup == "statuses"]
    assert legend == ["confirmed", "resolved", "pending", "in-force"]
    # marker size is severity, and the legend says so with the sizes as drawn
    sizes = {t.name: t.marker.size for t in fig.data if t.legendgroup == "severity"}
    assert sizes == {f"{s} {SEVERITY[s]}": 9 + 3 * s for s in sorted(set(incidents["severity"].dropna().astype(int)))}
    assert fig.layout.legend.maxheight <= fig.layout.height  # the whole legend fits: no scrolling box
    assert len(set(STATUS_SYMBOLS.values())) == len(INCIDENT_STATUSES)
    assert incident_timeline(incidents.iloc[0:0]).layout.annotations


def test_openness_path_is_a_step_line_with_labelled_points_coloured_by_level(fixture_engine):
    profile = queries.model_profile(fixture_engine, "gpt-2")
    fig = openness_path(profile["releases"], "GPT-2", profile["incidents"])
    traces = {t.name: t for t in fig.data}
    assert traces["openness path"].line.shape == "hv" and list(traces["openness path"].y) == [1, 4]
    points = traces["release events"]
    assert list(points.marker.color) == [LEVEL_COLOURS[1], LEVEL_COLOURS[4]]
    assert [c[0] for c in points.customdata] == ["gpt-2-2019-02", "gpt-2-2019-11"]
    assert [c[3] for c in points.customdata] == ["staged", "weights"]
    assert points.customdata[0][6] == "Smallest model only." and points.customdata[1][6] == "none"
    # the month-dated weights release: an open marker and a bar over November
    assert list(points.marker.symbol) == ["circle", "circle-open"]
    assert list(traces["dated to the month or year (bar: the period)"].x) == ["2019-11-01", "2019-11-30", None]
    assert list(fig.layout.yaxis.ticktext)[:6] == [
        "0 fully closed",
        "1 staged",
        "2 hosted",
        "3 API",
        "4 downloadable",
        "5 fully open",
    ]
    assert list(traces["linked incidents"].x) == ["2019-02-14"]
    assert traces["linked incidents"].customdata[0][0] == "gpt-2-withholding"
    bare = openness_path(profile["releases"], "GPT-2")
    assert "linked incidents" not in {t.name for t in bare.data}
    assert list(bare.layout.yaxis.tickvals) == [0, 1, 2, 3, 4, 5]
    assert openness_path(profile["releases"].iloc[0:0], "X").layout.annotations


def test_same_day_events_are_all_visible_and_labelled_with_their_size(shipped_engine):
    rel = queries.releases_for_model(shipped_engine, "gpt-2")
    points = next(t for t in openness_path(rel, "GPT-2").data if t.name == "release events")
    same_day = [(c[0], y, label) for c, y, label in zip(points.customdata, points.y, points.text, strict=True)]
    first_day = [p for p in same_day if p[0] in ("gpt-2-2019-02-124m", "gpt-2-2019-02-paper")]
    assert len(first_day) == 2 and first_day[0][1] != first_day[1][1]  # stepped apart, not one on the other
    labels = {p[0]: p[2] for p in same_day}
    assert labels["gpt-2-2019-02-124m"] == "staged 124M · 2019-02-14"
    assert labels["gpt-2-2019-05-355m"] == "staged 355M · May 2019"


def test_component_table_keeps_unknown_as_its_own_value(fixture_engine):
    rel = queries.releases_for_model(fixture_engine, "gpt-2")
    rel.loc[0, "training_data"] = None
    table = component_table(rel)
    assert list(table.columns) == [
        "release_id",
        "date",
        "date_precision",
        "event_type",
        "weights",
        "inference_code",
        "training_code",
        "training_data",
        "documentation",
    ]
    assert list(table["training_data"]) == ["unknown", "closed"]


def test_parameters_label():
    assert parameters_label(None) == "undisclosed"
    assert parameters_label(float("nan")) == "undisclosed"
    assert parameters_label(124_000_000) == "124 million (124,000,000)"
    assert parameters_label(175_000_000_000) == "175 billion (175,000,000,000)"
    assert parameters_label(1_600_000_000_000) == "1.6 trillion (1,600,000,000,000)"


def test_sources_table_groups_what_each_source_is_cited_for(fixture_engine):
    cited = queries.model_profile(fixture_engine, "gpt-2")["sources"]
    table = sources_table(cited)
    assert list(table["source_id"]) == ["s-gpt2"]
    assert table["cited_for"][0] == "gpt-2; gpt-2-2019-02; gpt-2-2019-11; gpt-2-withholding"
    assert sources_table(cited.iloc[0:0]).empty


def test_unknown_colour_for_unlisted_family(releases, incidents):
    rel = releases.assign(licence_family="mystery")
    assert by_name(timeline(rel, incidents))["mystery"].marker.color == UNKNOWN_COLOUR


def test_detail_sources_are_every_source_cited_by_the_record_its_links_and_steps(fixture_engine):
    cites = pd.read_sql("SELECT entity, entity_id, source_id FROM citations", fixture_engine)
    links, steps = queries.table(fixture_engine, "incident_links"), queries.table(fixture_engine, "incident_steps")
    for iid in queries.incidents(fixture_engine)["incident_id"]:
        ids = {
            iid,
            *links.loc[links["incident_id"] == iid, "link_id"],
            *steps.loc[steps["incident_id"] == iid, "step_id"],
        }
        expected = set(cites.loc[cites["entity_id"].isin(ids), "source_id"])
        assert set(queries.incident_detail(fixture_engine, iid)["sources"]["source_id"]) == expected, iid
    for rid in queries.releases(fixture_engine, light=True)["release_id"]:
        expected = set(cites.loc[(cites["entity"] == "releases") & (cites["entity_id"] == rid), "source_id"])
        assert set(queries.release_detail(fixture_engine, rid)["sources"]["source_id"]) == expected, rid


def test_timeline_labels_every_point_when_few_and_only_the_largest_models_otherwise(
    releases, incidents, shipped_engine
):
    few = timeline(releases, incidents)
    texts = [x for t in few.data for x in (t.text or ())]
    assert "GPT-2" in texts and "LLaMA weights leak" in texts and "" not in texts
    rel = queries.releases(shipped_engine, light=True)
    many = timeline(rel, queries.incidents(shipped_engine, light=True))
    named = [x for t in many.data for x in (t.text or ()) if x]
    assert 0 < len(named) <= LABEL_LARGEST
    largest = rel.dropna(subset=["parameters"]).sort_values("parameters", ascending=False).iloc[0]["model"]
    assert largest in named


def test_incident_timeline_draws_a_bar_over_each_imprecise_period(incidents):
    fig = incident_timeline(incidents)
    spans = next(t for t in fig.data if t.name == "dated to the month or year (bar: the period)")
    # the LLaMA leak is dated to March 2023 only: a bar over the whole month in its lane
    assert list(spans.x) == ["2023-03-01", "2023-03-31", None] and list(spans.y) == ["leak", "leak", None]


def test_a_point_costs_under_80_bytes_of_figure_json(shipped_engine):
    """What the browser receives per point (st.plotly_chart sends plotly.io.to_json of the figure)."""
    rel, inc = queries.releases(shipped_engine, light=True), queries.incidents(shipped_engine, light=True)
    n = len(rel) + len(inc)
    assert n > 500
    full = pio.to_json(timeline(rel, inc, "organization"), validate=False).encode()
    half = pio.to_json(timeline(rel.iloc[::2], inc.iloc[::2], "organization"), validate=False).encode()
    marginal = (len(full) - len(half)) / (n - len(rel.iloc[::2]) - len(inc.iloc[::2]))
    data = len(json.dumps(json.loads(full)["data"], separators=(",", ":"), ensure_ascii=False).encode()) / n
    assert marginal < 80 and data < 80, (marginal, data)


def test_timeline_figures_are_deterministic(shipped_engine):
    """The same rows give the same JSON, so an unchanged chart travels as a cached reference on a rerun."""
    rel, inc = queries.releases(shipped_engine, light=True), queries.incidents(shipped_engine, light=True)
    assert timeline(rel, inc).to_json() == timeline(rel.copy(), inc.copy()).to_json()
