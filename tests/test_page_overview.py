"""AppTest tests of the overview page on the fixture database: metrics, the figure, and lazy downloads."""

import io

import pandas as pd

from db import queries
from tests.apptest_helpers import figure, open_page, texts, values
from ui import export

PAGE = "pages/overview.py"


def metrics(at) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def bars(at) -> dict[str, dict]:
    """Each bar trace of the figure by name: {year: value}."""
    return {
        t["name"]: dict(zip(values(t["x"]), values(t["y"]), strict=True))
        for t in figure(at)["data"]
        if t["type"] == "bar"
    }


def test_default_view_counts_every_record_and_draws_both_panels(app_on_fixture):
    at = open_page(PAGE)
    assert not at.exception
    assert metrics(at) == {
        "Release events": "6",
        "Models with release events": "4",
        "Incidents and policy events": "4",
        "Events with downloadable weights": "67%",
    }
    drawn = bars(at)
    assert drawn["1 staged"] == {2019: 0.5} and drawn["4 downloadable"] == {2019: 0.5, 2022: 1.0, 2023: 1.0}
    assert drawn["3 API"] == {2020: 1.0}
    assert {k: drawn[k] for k in ("safety", "leak", "copyright", "policy")} == {
        "safety": {2019: 1},
        "leak": {2023: 1},
        "copyright": {2023: 1},
        "policy": {2024: 1},
    }
    key_events = next(t for t in figure(at)["data"] if t["name"] == "key events")
    assert key_events["text"] == ["GPT-2 withheld", "Andersen v. Stability AI", "LLaMA leak"]
    captions = texts(at, "caption")
    assert "6 release events shown of 6. Filters: none (all records)." in captions
    assert "4 incidents shown of 4. Filters: none (all records)." in captions


def test_deep_link_with_a_level_counts_only_matching_records(app_on_fixture):
    at = open_page(PAGE, {"level": "4"})
    assert not at.exception
    assert metrics(at) == {
        "Release events": "4",
        "Models with release events": "3",
        "Incidents and policy events": "2",
        "Events with downloadable weights": "100%",
    }
    drawn = bars(at)
    # the GPT-2 withholding began while GPT-2 was staged (level 1): not counted under level 4
    assert set(drawn) == {"4 downloadable", "leak", "copyright"}
    assert drawn["4 downloadable"] == {2019: 1.0, 2022: 1.0, 2023: 1.0}
    assert at.query_params["level"] == "4"
    assert any(c.startswith("4 release events shown of 6.") for c in texts(at, "caption"))


def test_changing_a_filter_redraws_the_figure_and_the_counts(app_on_fixture):
    at = open_page(PAGE)
    at.multiselect(key="f_modalities").set_value(["image"]).run()
    assert not at.exception
    assert metrics(at)["Release events"] == "1"
    assert metrics(at)["Models with release events"] == "1"
    drawn = bars(at)
    assert drawn["4 downloadable"] == {2022: 1.0}
    assert set(drawn) == {"4 downloadable", "copyright"}
    assert at.query_params["modality"] == "image"


def test_downloads_are_built_only_when_clicked_and_hold_the_rows_behind_the_chart(
    app_on_fixture, fixture_engine, downloads, monkeypatch
):
    built = []
    to_csv = export.to_csv
    monkeypatch.setattr(export, "to_csv", lambda df: built.append(len(df)) or to_csv(df))
    at = open_page(PAGE, {"level": "4"})
    assert not at.exception
    assert built == [], "a rerun must not build the CSV downloads"
    csv = pd.read_csv(io.BytesIO(downloads["overview_releases_by_year_level.csv"]()))
    assert built == [len(csv)]
    expected = queries.releases_by_year_level(fixture_engine, openness_levels=[4])
    pd.testing.assert_frame_equal(csv, expected, check_dtype=False)
    rows = pd.read_json(io.BytesIO(downloads["overview_incidents_by_year_type.json"]()), orient="records")
    assert sorted(rows["type"]) == ["copyright", "leak"]
