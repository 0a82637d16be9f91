"""The crosswalk: queries on the fixture database, the shipped counts, the documented scale mapping, the page."""

import re

import pandas as pd
import pytest

from charts.crosswalk import agreement, patterns, side_by_side
from db import queries as q
from db import scales
from db.crosscheck import main as crosscheck_main
from db.validate import load_dataset, split_list
from tests.apptest_helpers import figure, open_page, texts, values
from tests.conftest import ROOT, SHIPPED_DATA


def test_each_assessment_sits_beside_our_state_on_its_snapshot_date(fixture_engine):
    cw = q.crosswalk_rows(fixture_engine).set_index(["tracker_id", "external_name"])
    assert cw.loc[("ecosystem-graphs", "GPT-3"), "verdict"] == "agrees"
    assert cw.loc[("ecosystem-graphs", "LLaMA"), "our_release_id"] == "llama-2023-03-leak"
    assert cw.loc[("epoch-ai", "GPT-2 (1.5B)"), "our_level"] == 4
    mot = cw.loc[("mot", "LLaMA")]
    assert (mot["verdict"], mot["pattern"]) == ("disagrees", "leaked weights")
    assert mot["their_levels"] == "0 fully closed, 1 staged, 2 hosted, 3 API"
    assert "weights: tracker rates it less open" in mot["component_differences"]
    assert "training_data" not in mot["component_differences"]  # both closed
    assert mot["their_url"].startswith("https://github.com/lfai/model_openness_tool/blob/")
    only = q.crosswalk_rows(fixture_engine, disagreements_only=True)
    assert list(only["external_name"]) == ["LLaMA"]


def test_agreement_counts_every_verdict_per_tracker(fixture_engine):
    rows = q.crosswalk_agreement(fixture_engine)
    got = {(r.tracker_id, r.verdict): r.assessments for r in rows.itertuples()}
    assert got[("ecosystem-graphs", "agrees")] == 2 and got[("epoch-ai", "agrees")] == 1
    assert got[("mot", "disagrees")] == 1 and got[("mot", "agrees")] == 0
    assert rows["assessments"].sum() == 4
    fig = agreement(rows)
    assert [t["name"] for t in fig["data"]] == ["agrees", "disagrees", "not comparable"]
    assert any("(n=2)" in y for y in fig["data"][0]["y"])


def test_patterns_name_the_reason_and_the_component(fixture_engine):
    rows = q.crosswalk_patterns(fixture_engine)
    assert ("level", "leaked weights") in set(zip(rows["kind"], rows["pattern"], strict=True))
    assert "component" in set(rows["kind"])
    fig = patterns(rows)
    assert sum(sum(values(t["x"])) for t in fig["data"]) == rows["disagreements"].sum()
    assert patterns(rows.iloc[0:0]).layout.annotations


def test_model_filters_narrow_the_crosswalk(fixture_engine):
    rows = q.crosswalk_rows(fixture_engine, organizations=["openai"])
    assert set(rows["model_id"]) == {"gpt-2", "gpt-3"}
    assert q.crosswalk_rows(fixture_engine, tracker_ids=["mot"])["tracker_id"].unique().tolist() == ["mot"]


def test_open_washing_and_osaid_rest_on_stored_facts(fixture_engine):
    claims = q.open_washing(fixture_engine)
    sd = claims.iloc[0]
    assert (sd["model_id"], sd["verdict"], sd["our_training_data"]) == ("stable-diffusion-1", "open-washing", "partial")
    assert sd["osaid"] == "no" and "not OSI-approved" in sd["osaid_reason"]
    verdicts = q.osaid(fixture_engine).set_index("model_id")
    assert verdicts.loc["gpt-3", "osaid"] == "no" and "weights are not available" in verdicts.loc["gpt-3", "reason"]
    assert verdicts.loc["gpt-2", "osaid"] == "not assessed"  # MIT weights, but no source assesses it
    assert set(verdicts["osaid"]) <= {"yes", "no", "not assessed"}


def test_crosscheck_lists_differences_and_changes_nothing(fixture_engine, app_on_fixture, capsys):
    rows = q.crosscheck(fixture_engine)
    assert list(zip(rows["model_id"], rows["check"], strict=True)) == [("llama", "licence")]
    before = q.row_counts(fixture_engine)
    assert crosscheck_main([]) == 0
    out = capsys.readouterr().out
    assert "licence: 1 difference(s)" in out and "theirs LLaMA License, ours LicenseRef-LLaMA-1" in out
    assert q.row_counts(fixture_engine) == before


def test_side_by_side_puts_disagreements_first(fixture_engine):
    table = side_by_side(q.crosswalk_rows(fixture_engine))
    assert table.iloc[0]["verdict"] == "disagrees"
    assert {"our evidence", "their evidence", "their entry"} <= set(table.columns)


# The shipped data


def test_shipped_assessments_meet_the_counts(shipped_engine):
    a = q.table(shipped_engine, "assessments")
    assert len(a) >= 250
    assert a["model_id"].nunique() >= 150
    assert a["tracker_id"].nunique() >= 3
    names = q.table(shipped_engine, "tracker_names")
    assert len(names) == len(a)  # every mapped name has its assessment and nothing else
    assert set(names["reviewed_by"]) == {"exact-name", "curator"}
    cw = q.crosswalk_rows(shipped_engine)
    assert len(cw) == len(a) and (cw["verdict"] != "not comparable").sum() >= 250


def test_shipped_claims_quote_their_source_and_come_from_a_developer():
    records = load_dataset(SHIPPED_DATA)
    titles = {r.values["source_id"]: r.values["title"] for r in records["sources"]}
    developers = {r.values["model_id"]: split_list(r.values["organization_ids"]) for r in records["models"]}
    assert len(records["openness_claims"]) >= 10
    for rec in records["openness_claims"]:
        v = rec.values
        assert v["claim"].casefold() in titles[v["source_id"]].casefold(), v["model_id"]
        assert v["claimant_id"] in developers[v["model_id"]], v["model_id"]
        assert re.search(r"\bopen", v["claim"], re.I), v["model_id"]


def test_the_scale_mapping_is_documented_exactly():
    readme = (ROOT / "data" / "README.md").read_text(encoding="utf-8")
    section = readme.split("## How other trackers' scales map to ours", 1)[1].split("\n## ", 1)[0]
    documented = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) == 3 and cells[0] in scales.LEVELS_OF:
            levels = None if cells[2] == "not comparable" else tuple(int(x) for x in cells[2].split(", "))
            documented.setdefault(cells[0], {})[cells[1]] = levels
    assert documented == scales.LEVELS_OF


def test_every_stored_access_class_has_a_mapping(shipped_engine):
    a = q.table(shipped_engine, "assessments")
    keys = {(t, scales.class_key(t, c)) for t, c in zip(a["tracker_id"], a["access_class"].fillna(""), strict=True)}
    unmapped = {(t, k) for t, k in keys if k and k not in scales.LEVELS_OF[t]}
    assert not unmapped


# The page through app.py


@pytest.fixture
def page(app_on_fixture):
    return lambda params=None: open_page("pages/crosswalk.py", params)


def test_page_shows_agreement_and_patterns_with_n(page):
    at = page()
    assert not at.exception
    assert figure(at, 0)["data"][0]["name"] == "agrees"
    captions = texts(at, "caption")
    assert any("4 assessments shown of 4" in c for c in captions)
    assert any("disagreements shown of" in c for c in captions)


def test_deep_link_to_the_disagreements_of_one_tracker(page):
    at = page({"view": "models", "tracker": "mot", "show": "disagreements"})
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["their name"]) == ["LLaMA"] and table.iloc[0]["pattern"] == "leaked weights"
    assert any("1 assessments shown of 4" in c for c in texts(at, "caption"))


def test_invalid_tracker_is_ignored_with_a_note(page):
    at = page({"tracker": "no-such-tracker"})
    assert not at.exception
    assert any("Ignored tracker=no-such-tracker" in i for i in texts(at, "info"))


def test_open_washing_view_lists_claims_and_osaid(page):
    at = page({"view": "openwashing"})
    assert not at.exception
    claims = at.dataframe[0].value
    assert list(claims["verdict"]) == ["open-washing"]
    assert isinstance(at.dataframe[1].value, pd.DataFrame)
    assert any("1 claims shown of 1" in c for c in texts(at, "caption"))


def test_model_profile_has_a_crosswalk_section(app_on_fixture):
    at = open_page("pages/model.py", {"model": "llama"})
    assert not at.exception
    assert "How other trackers rate it" in [s.value for s in at.subheader]
    rated = at.dataframe[-1].value
    assert set(rated["tracker"]) == {"Ecosystem Graphs", "Model Openness Tool"}
    assert any("Open Source AI Definition: no" in t for t in texts(at, "text"))
