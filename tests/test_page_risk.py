"""The Openness and risk page, run through app.py on the fixture database."""

import io

import pandas as pd
import pytest

from charts.risk import risk_table
from db import queries
from tests.apptest_helpers import figure, open_page, texts, values


def panel_total(fig: dict, xaxis: str = "x") -> float:
    """Sum of bar heights in one panel of the incidents-by-level figure."""
    return sum(sum(values(t["y"])) for t in fig["data"] if t.get("xaxis", "x") == xaxis)


FILTERS = [
    {},
    {"end": "2019-12-31"},
    {"start": "2023-01-01", "openness_levels": [4]},
    {"licence_families": ["permissive"]},
    {"incident_types": ["copyright", "misuse"]},
    {"openness_levels": [1]},
]


def sorted_frame(df, keys):
    return df.sort_values(keys).reset_index(drop=True).astype(str)


@pytest.mark.parametrize("filters", FILTERS)
def test_sql_aggregates_match_the_links_they_summarise(fixture_engine, shipped_engine, filters):
    for engine in (fixture_engine, shipped_engine):
        links = queries.incident_links(engine, **filters)
        keys = ["split", "openness_level", "category"]
        sql = sorted_frame(queries.risk_by_level(engine, **filters), keys)
        assert sql.equals(sorted_frame(risk_table(links), keys)), filters
        lag = queries.incident_lag(engine, **filters)
        assert sorted_frame(lag, ["model_id"]).equals(
            sorted_frame(queries.release_to_incident_lag(engine, **filters), ["model_id"])
        )
        counts = queries.models_by_level(engine, **filters)
        models = queries.models(engine, **filters)
        assert counts["models"].sum() == len(models)
        assert dict(zip(counts["openness_level"].fillna(-1), counts["models"], strict=True)) == (
            models["openness_level"].fillna(-1).value_counts().to_dict()
        )


@pytest.fixture
def page(app_on_fixture):
    """Open pages/risk.py through app.py with these query parameters."""
    return lambda params=None: open_page("pages/risk.py", params)


def test_default_view_shows_links_by_level_lag_and_the_caveat(page):
    at = page()
    assert not at.exception
    assert any("attention, not the true risk" in w.value for w in at.warning)
    levels, lag = figure(at, 0), figure(at, 1)
    # Fixture: three incident links (GPT-2 withholding, LLaMA leak, Andersen), all to level-4 models.
    assert panel_total(levels, "x") == 3
    assert panel_total(levels, "x2") == 3
    names = {t["name"] for t in levels["data"] if t.get("xaxis", "x") == "x2"}
    assert names == {"yes", "disputed"}
    assert "up to 2024" in levels["layout"]["title"]["text"]
    assert "(3 models)" in levels["data"][0]["x"][4]
    assert {t["name"] for t in lag["data"]} == {"4 downloadable"}
    assert any("3 incident links shown of 3" in c.value for c in at.caption)
    assert dict(at.query_params) == {}


def test_deep_link_reproduces_year_and_severity_weight(page):
    at = page({"view": "risk", "year": "2019", "weight": "severity", "level": "1,4"})
    assert not at.exception
    assert not at.info
    assert at.select_slider(key="url_year").value == 2019
    assert at.radio(key="url_weight").value == "severity"
    fig = figure(at, 0)
    # Only the GPT-2 withholding (severity 1) falls up to 2019.
    assert panel_total(fig) == 1
    assert "weighted by severity" in fig["layout"]["title"]["text"]
    assert at.query_params["year"] == "2019"
    assert at.query_params["weight"] == "severity"
    assert at.query_params["level"] == "1,4"


def test_severity_weight_sums_severity(page):
    at = page({"weight": "severity"})
    assert panel_total(figure(at, 0)) == 1 + 1 + 2


def test_licence_type_filter_changes_the_chart_data(page):
    at = page()
    assert panel_total(figure(at, 0)) == 3
    at.multiselect(key="f_families").set_value(["permissive"]).run()
    assert not at.exception
    fig = figure(at, 0)
    # Only GPT-2 came under a permissive licence (MIT): its one link remains.
    assert panel_total(fig) == 1
    assert {t["name"] for t in fig["data"] if t.get("xaxis", "x") == "x"} == {"other"}
    assert at.query_params["family"] == "permissive"


def test_moving_the_year_slider_is_cumulative_and_lands_in_the_url(page):
    at = page()
    at.select_slider(key="url_year").set_value(2022).run()
    assert panel_total(figure(at, 0)) == 1
    assert at.query_params["year"] == "2022"
    at.select_slider(key="url_year").set_value(2023).run()
    assert panel_total(figure(at, 0)) == 3


def test_scale_view_shows_undisclosed_sizes_in_their_own_strip(page):
    at = page({"view": "scale"})
    assert not at.exception
    params = figure(at, 0)
    assert "1 of 4 models undisclosed" in params["layout"]["title"]["text"]
    strip = [t for t in params["data"] if t.get("yaxis") == "y2"]
    assert len(strip) == 1 and strip[0]["x"] == ["2022-08-22"]
    disclosed = [v for t in params["data"] if t.get("yaxis", "y") == "y" for v in values(t["y"])]
    assert sorted(disclosed) == [1.5e9, 6.5e10, 1.75e11]
    assert params["layout"]["yaxis"]["type"] == "log"
    compute = figure(at, 1)
    assert "3 of 4 models undisclosed" in compute["layout"]["title"]["text"]
    largest = at.dataframe[0].value
    assert largest.iloc[0]["model"] == "GPT-3"


def test_scale_view_follows_the_organisation_filter(page):
    at = page({"view": "scale", "org": "meta"})
    assert not at.exception
    title = figure(at, 0)["layout"]["title"]["text"]
    # Meta: LLaMA (disclosed) and Stable Diffusion 1 (co-developer, undisclosed).
    assert "1 of 2 models undisclosed" in title


@pytest.mark.parametrize(
    ("params", "note"),
    [
        ({"year": "1066"}, "Ignored year=1066"),
        ({"weight": "vibes"}, "Ignored weight=vibes"),
        ({"view": "bogus"}, "Ignored view=bogus"),
    ],
)
def test_invalid_page_params_give_a_visible_note(page, params, note):
    at = page(params)
    assert not at.exception
    assert any(note in i for i in texts(at, "info"))
    assert len(at.get("plotly_chart")) == 2


@pytest.mark.parametrize("view", ["risk", "scale"])
def test_shipped_data_renders_both_views(app_on_shipped, shipped_engine, view):
    at = open_page("pages/risk.py", {"view": view})
    assert not at.exception
    assert not at.info
    if view == "risk":
        assert panel_total(figure(at, 0)) == len(queries.incident_links(shipped_engine))
    else:
        title = figure(at, 0)["layout"]["title"]["text"]
        assert "models undisclosed" in title


@pytest.mark.parametrize(("params", "links"), [({}, 3), ({"year": "2019"}, 1)])
def test_downloads_hold_every_link_counted_in_the_bars_and_every_model_of_the_lag(page, downloads, params, links):
    at = page(params)
    assert not at.exception
    got = pd.read_csv(io.BytesIO(downloads["risk_incident_links.csv"]()))
    assert len(got) == links == panel_total(figure(at, 0))
    assert {"incident_id", "model_id", "pathway", "openness_mattered", "reason"} <= set(got.columns)
    lag = pd.read_csv(io.BytesIO(downloads["risk_lag.csv"]()))
    assert list(lag.columns[:2]) == ["model_id", "model"] and len(lag) == len(figure(at, 1)["data"][0]["y"])
