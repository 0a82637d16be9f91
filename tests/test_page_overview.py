"""AppTest tests of the overview page on the fixture database: units and n, thin and partial years, the
open-weight share, policy events apart, key events that follow the filters, and lazy downloads."""

import json

import pandas as pd

from charts.overview import openness_and_incidents, year_table
from db import queries, vocab
from tests.apptest_helpers import figure, open_page, texts, values
from ui import export

PAGE = "pages/overview.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def traces(at) -> dict[str, dict]:
    return {t["name"]: t for t in figure(at)["data"]}


def bars(at) -> dict[str, dict]:
    """Each bar trace of the figure by name: {year: value}, leaving out zero-height bars."""
    return {
        t["name"]: {x: round(y, 6) for x, y in zip(values(t["x"]), values(t["y"]), strict=True) if y}
        for t in figure(at)["data"]
        if t["type"] == "bar"
    }


def test_default_view_counts_models_by_first_release_with_n_and_policy_apart(app_on_fixture):
    at = open_page(PAGE)
    assert not at.exception
    # Fixture: GPT-2 first released staged (2019), GPT-3 by API (2020), SD weights (2022), LLaMA gated (2023).
    assert metrics(at) == {
        "Models": "4",
        "Open weights at first release": "50%",
        "Incidents": "3",
        "Policy events (context)": "1",
    }
    drawn = bars(at)
    assert drawn["1 staged"] == {2019: 1.0} and drawn["3 API"] == {2020: 1.0}
    assert drawn["4 downloadable"] == {2022: 1.0, 2023: 1.0}
    # every year shows its n, and years under 10 are named thin and faded
    n_text = traces(at)["n per year"]["text"]
    assert n_text == ["n=1 thin"] * 4
    assert traces(at)["4 downloadable"]["marker"]["opacity"] == [0.35] * 4
    # the open-weight share as a line over all levels
    line = traces(at)["open-weight share (levels 4 and 5)"]
    assert values(line["y"]) == [0.0, 0.0, 1.0, 1.0]
    # incidents by type without policy; policy events on their own trace
    assert {k: drawn[k] for k in ("safety", "leak", "copyright")} == {
        "safety": {2019: 1},
        "leak": {2023: 1},
        "copyright": {2023: 1},
    }
    assert "policy" not in drawn
    policy = traces(at)["policy events (context, not incidents)"]
    assert values(policy["x"]) == [2024] and values(policy["y"]) == [1]
    layout = figure(at)["layout"]
    assert layout["yaxis3"]["dtick"] == 1 and layout["yaxis3"]["tickformat"] == ",d"
    # each panel has its own year axis with labels
    assert all(layout[a]["showticklabels"] for a in ("xaxis", "xaxis2", "xaxis3"))
    key_events = traces(at)["key events"]
    assert key_events["text"] == [
        "GPT-2 withheld (safety, 2019-02-14)",
        "Andersen v. Stability AI (copyright, 2023-01-13)",
        "LLaMA leak (leak, Mar 2023)",
    ]
    captions = texts(at, "caption")
    assert "4 models shown of 4. Filters: none (all records)." in captions
    assert "4 incidents and policy events shown of 4. Filters: none (all records)." in captions


def test_all_release_events_unit_counts_every_event(app_on_fixture):
    at = open_page(PAGE, {"unit": "events"})
    assert not at.exception
    assert metrics(at)["Release events"] == "6"
    drawn = bars(at)
    # 2019: GPT-2 staged (level 1) and its weights (level 4): half each of n = 2
    assert drawn["1 staged"] == {2019: 0.5} and drawn["4 downloadable"] == {2019: 0.5, 2022: 1.0, 2023: 1.0}
    assert traces(at)["n per year"]["text"][0] == "n=2 thin"
    assert any("a model with five events counts five times" in c for c in texts(at, "caption"))


def test_a_level_filter_draws_those_levels_as_shares_of_the_whole_year(app_on_fixture):
    at = open_page(PAGE, {"level": "4,5", "series": "open"})
    assert not at.exception
    assert not bars(at).get("4 downloadable")  # 'open' draws the line only
    line = traces(at)["open-weight share (levels 4 and 5)"]
    # not 100 % everywhere: the years where the first release was closed, staged or API stay at 0 %
    assert values(line["y"]) == [0.0, 0.0, 1.0, 1.0]
    at = open_page(PAGE, {"level": "4"})
    drawn = bars(at)
    assert set(drawn) == {"4 downloadable", "leak", "copyright"}
    # the GPT-2 withholding began while GPT-2 was staged (level 1): not counted under level 4
    assert at.query_params["level"] == "4"


def test_key_event_labels_follow_the_filters(app_on_fixture):
    at = open_page(PAGE, {"modality": "image"})
    assert not at.exception
    assert traces(at)["key events"]["text"] == ["Andersen v. Stability AI (copyright, 2023-01-13)"]
    at = open_page(PAGE, {"itype": "policy", "level": "4"})
    assert "key events" not in traces(at)


def test_thin_and_partial_years_are_marked():
    cohorts = pd.DataFrame({"year": [2024, 2025, 2026], "openness_level": [4, 4, 0], "n": [12, 3, 2]})
    years = year_table(cohorts, "2026-11-30")
    assert years["thin"].tolist() == [False, True, True] and years["partial"].tolist() == [False, False, True]
    fig = openness_and_incidents(cohorts, pd.DataFrame(columns=["year", "type", "incidents"]), cutoff="2026-11-30")
    bar = next(t for t in fig.data if t.name == "4 downloadable")
    assert list(bar.marker.opacity) == [1.0, 0.35, 0.35]
    assert list(bar.marker.pattern.shape) == ["", "", "/"]
    assert list(fig.layout.xaxis.ticktext) == ["2024", "2025", "2026<br>(to 30 Nov)"]
    assert next(t for t in fig.data if t.name == "n per year").text == ("n=12", "n=3 thin", "n=2 thin")
    assert not year_table(cohorts, "2026-12-31")["partial"].any()


def test_changing_a_filter_redraws_the_figure_and_the_counts(app_on_fixture):
    at = open_page(PAGE)
    at.multiselect(key="f_modalities").set_value(["image"]).run()
    assert not at.exception
    assert metrics(at)["Models"] == "1"
    drawn = bars(at)
    assert drawn["4 downloadable"] == {2022: 1.0}
    assert set(drawn) == {"4 downloadable", "copyright"}
    assert at.query_params["modality"] == "image"


def test_downloads_are_built_only_when_clicked_and_hold_the_rows_behind_the_chart(
    app_on_fixture, fixture_engine, downloads, monkeypatch
):
    built = []
    to_csv = export.to_csv
    monkeypatch.setattr(export, "to_csv", lambda df, about=None: built.append(len(df)) or to_csv(df, about))
    at = open_page(PAGE, {"level": "4"})
    assert not at.exception
    assert built == [], "a rerun must not build the CSV downloads"
    csv = export.read_csv(downloads["overview_releases.csv"]())
    assert built == [len(csv)]
    expected = queries.release_cohorts(fixture_engine, openness_levels=[4])
    pd.testing.assert_frame_equal(csv, expected, check_dtype=False)
    rows = pd.DataFrame(json.loads(downloads["overview_incidents_by_year_type.json"]())["rows"])
    assert sorted(rows["type"]) == ["copyright", "leak"]


def test_the_first_screen_says_what_the_levels_mean_how_current_the_data_is_and_what_it_counts(
    app_on_fixture, fixture_engine
):
    at = open_page(PAGE)
    assert not at.exception
    intro = at.markdown[0].value
    for level, name in vocab.OPENNESS_LEVELS.items():
        assert f"**{level} {name}**, {vocab.OPENNESS_MEANINGS[level]}" in intro, level
    assert "**This page** counts, per year, models by the level of their first release" in intro
    version = queries.build_info(fixture_engine)["data_hash"][:12]
    shown = texts(at, "markdown")[0]
    assert f"**Data as of 2026-11-30**: records after the cut-off are not included (data version {version};" in shown
