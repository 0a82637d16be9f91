"""AppTest tests of the timeline page on the fixture database (6 release events, 4 incidents)."""

import functools
import os

import pytest
import streamlit as st

import charts.timeline
from charts.dates import date_labels
from charts.timeline import hover_names
from db import queries
from db.engine import make_engine
from tests.apptest_helpers import facts, figure, open_page, source_links, texts, values

PAGE = "pages/timeline.py"


@functools.cache
def items_by_hover(url: str) -> dict[str, str]:
    """The item id of every release event and incident of a database, by its hover label."""
    engine = make_engine(url, readonly=True)
    rel, inc = queries.releases(engine, light=True), queries.incidents(engine, light=True)
    engine.dispose()
    by_hover = dict(
        zip(
            hover_names(rel["model"], date_labels(rel["date"], rel["date_precision"])),
            "release:" + rel["release_id"],
            strict=True,
        )
    )
    by_hover |= dict(
        zip(
            hover_names(inc["title"], date_labels(inc["date"], inc["date_precision"])),
            "incident:" + inc["incident_id"],
            strict=True,
        )
    )
    assert len(by_hover) == len(rel) + len(inc)  # every label names one record
    return by_hover


def points(fig: dict) -> list[tuple[str, str, str]]:
    """(item id, lane, trace type) of every plotted point: its hover names it, its lane is a named tick."""
    names = fig["layout"]["yaxis"]["ticktext"]
    out = []
    for trace in fig["data"]:
        rows = zip(
            trace.get("customdata") or [], trace.get("hovertext") or [], values(trace.get("y") or []), strict=False
        )
        for custom, hover, lane in rows:
            assert len(custom) == 1 and isinstance(custom[0], int)  # a position: page.clicked_item opens it
            out.append((items_by_hover(os.environ["DATABASE_URL"])[hover], names[int(lane)], trace["type"]))
    return out


def test_default_view_plots_every_release_and_incident(app_on_fixture):
    at = open_page(PAGE)
    assert not at.exception
    assert [t.value for t in at.title] == ["Timeline"]
    fig = figure(at)
    ids = {p[0] for p in points(fig)}
    assert len(ids) == 10
    assert {"release:gpt-2-2019-02", "release:llama-2023-03-leak", "incident:eu-ai-act-in-force"} <= ids
    names = [t["name"] for t in fig["data"] if t.get("customdata")]
    # colour by licence family (the leaked copy has no licence: its own 'unknown' trace), then incident types
    assert names[:5] == ["permissive", "open RAIL", "non-commercial", "proprietary / API terms", "unknown"]
    assert names[5:] == ["copyright", "leak", "safety", "policy"]
    lanes = {p[1] for p in points(fig)}
    assert {"1 staged", "3 API", "4 downloadable", "incident: leak"} <= lanes
    assert all(p[2] == "scatter" for p in points(fig))
    assert any(c.startswith("10 release events and incidents shown of 10.") for c in texts(at, "caption"))
    assert not at.warning


def test_deep_link_sets_filters_lanes_and_opens_the_item(app_on_fixture):
    at = open_page(PAGE, {"level": "4", "lanes": "organization", "item": "incident:llama-weights-leak"})
    assert not at.exception
    assert at.multiselect(key="f_levels").value == [4]
    assert at.radio(key="url_lanes").value == "organization"
    plotted = points(figure(at))
    releases = {p[0] for p in plotted if p[0].startswith("release:")}
    assert releases == {
        "release:gpt-2-2019-11",
        "release:sd-2022-08",
        "release:llama-2023-02",
        "release:llama-2023-03-leak",
    }
    assert {p[1] for p in plotted if p[0].startswith("release:")} == {"OpenAI", "Stability AI", "Meta"}
    # incidents without a model that passes the filters (the EU AI Act) drop out
    assert "incident:eu-ai-act-in-force" not in {p[0] for p in plotted}
    assert "incident: LLaMA weights leak (Mar 2023)" in texts(at, "text")
    assert "Summary: The weights were posted publicly." in texts(at, "text")
    fields = facts(at.dataframe[0])
    assert fields["Type"] == "leak" and fields["Status"] == "confirmed"
    assert list(at.dataframe[1].value["model"]) == ["LLaMA"]
    assert source_links(at) == [("Introducing LLaMA", "https://ai.meta.com/blog/large-language-model-llama-meta-ai/")]
    assert at.query_params["item"] == "incident:llama-weights-leak"


def test_release_item_shows_every_field_and_its_sources(app_on_fixture):
    at = open_page(PAGE, {"item": "release:gpt-2-2019-02"})
    assert not at.exception
    fields = facts(at.dataframe[0])
    assert list(fields)[0] == "Model" and fields["Model"] == "GPT-2"
    assert fields["Event"] == "staged"
    assert fields["Licence"] == "MIT License"
    assert fields["Notes"] == "Smallest model only."
    assert fields["Training code"] == "closed"
    assert fields["Date"] == "2019-02-14" and "Date precision" not in fields
    assert list(fields)[-3:] == ["Model id", "Licence id", "Source ids"]
    assert source_links(at) == [("Better language models", "https://openai.com/research/better-language-models")]
    assert any("OpenAI" in m.value for m in at.markdown if "Better language models" in m.value)


def test_changing_level_filter_and_lanes_changes_the_chart(app_on_fixture):
    at = open_page(PAGE)
    before = points(figure(at))
    at.multiselect(key="f_levels").set_value([4]).run()
    assert not at.exception
    after = points(figure(at))
    rel_before = [p for p in before if p[0].startswith("release:")]
    rel_after = [p for p in after if p[0].startswith("release:")]
    assert len(rel_before) == 6 and len(rel_after) == 4
    assert {p[1] for p in rel_after} == {"4 downloadable"}
    assert at.query_params["level"] == "4"
    at.radio(key="url_lanes").set_value("organization").run()
    assert {p[1] for p in points(figure(at)) if p[0].startswith("release:")} == {"OpenAI", "Stability AI", "Meta"}
    assert at.query_params["lanes"] == "organization"


def test_show_incidents_only(app_on_fixture):
    at = open_page(PAGE, {"show": "incidents"})
    plotted = points(figure(at))
    assert len(plotted) == 4 and all(p[0].startswith("incident:") for p in plotted)
    assert any(c.startswith("4 incidents shown of 4.") for c in texts(at, "caption"))


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"lanes": "sideways"}, "Ignored lanes=sideways"),
        ({"item": "release:no-such-release"}, "Ignored item=release:no-such-release"),
        ({"item": "model:gpt-2"}, "Ignored item=model:gpt-2"),
        ({"item": "incident:<b>x</b>"}, "Ignored item=incident:<b>x</b>"),
    ],
)
def test_invalid_page_params_give_a_visible_note(app_on_fixture, params, note):
    at = open_page(PAGE, params)
    assert not at.exception
    assert any(i.startswith(note) for i in texts(at, "info"))
    assert len(points(figure(at))) == 10
    assert "item" not in at.query_params


def test_large_data_is_capped_with_a_note_and_drawn_in_webgl(app_on_fixture, monkeypatch):
    monkeypatch.setattr(charts.timeline, "MAX_POINTS", 2)
    monkeypatch.setattr(charts.timeline, "WEBGL_ABOVE", 3)
    at = open_page(PAGE)
    assert not at.exception
    warning = texts(at, "warning")
    assert any("showing the newest 1 of 6 release events and the newest 1 of 4 incidents" in w for w in warning)
    assert any("The downloads hold exactly the drawn rows." in w for w in warning)
    plotted = points(figure(at))
    # the newest release event (2023-03) and the newest incident (2024-08)
    assert [p[0] for p in plotted] == ["release:llama-2023-03-leak", "incident:eu-ai-act-in-force"]
    assert any(c.startswith("2 release events and incidents shown of 10.") for c in texts(at, "caption"))
    monkeypatch.setattr(charts.timeline, "WEBGL_ABOVE", 1)
    st.cache_data.clear()  # figures are cached on their data; the threshold is code, changed here under the cache
    at = open_page(PAGE)
    assert {p[2] for p in points(figure(at))} == {"scattergl"}
    assert any("2 points, drawn with WebGL" in w for w in texts(at, "warning"))


def test_a_release_naming_no_licence_says_so_once(app_on_fixture):
    at = open_page(PAGE, {"item": "release:llama-2023-03-leak"})
    assert not at.exception
    fields = facts(at.dataframe[0])
    assert fields["Licence"] == "none recorded"
    assert "Licence type" not in fields and "Licence id" not in fields
    assert fields["Event"] == "leak" and fields["Release event id"] == "llama-2023-03-leak"
