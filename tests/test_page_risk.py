"""The Openness and risk page, run through app.py on the fixture database."""

import pytest

from charts.risk import risk_table
from db import queries
from tests.apptest_helpers import figure, open_page, texts, values
from ui import export


def panel_total(fig: dict, xaxis: str = "x") -> float:
    """Sum of bar heights in one panel of the incidents-by-level figure (the n labels are not bars)."""
    bars = [t for t in fig["data"] if t["type"] == "bar" and t.get("xaxis", "x") == xaxis]
    return round(sum(v for t in bars for v in values(t["y"]) if v is not None and v == v), 6)


def bar_heights(fig: dict, xaxis: str = "x") -> dict[str, float]:
    """Stacked height per level tick label in one panel."""
    out: dict[str, float] = {}
    for t in fig["data"]:
        if t["type"] == "bar" and t.get("xaxis", "x") == xaxis:
            for x, y in zip(t["x"], values(t["y"]), strict=True):
                out[x.split("<br>")[0]] = round(
                    out.get(x.split("<br>")[0], 0) + (y if y is not None and y == y else 0), 6
                )
    return {k: v for k, v in out.items() if v}


FILTERS = [
    {},
    {"end": "2019-12-31"},
    {"start": "2023-01-01", "openness_levels": [4]},
    {"licence_families": ["permissive"]},
    {"incident_types": ["copyright", "misuse"]},
    {"openness_levels": [1]},
]


def sorted_frame(df, keys):
    levels = {"openness_level": df["openness_level"].astype(float)} if "openness_level" in df else {}
    return df.assign(**levels).sort_values(keys).reset_index(drop=True).astype(str)


@pytest.mark.parametrize("filters", FILTERS)
def test_sql_aggregates_match_the_links_they_summarise(fixture_engine, shipped_engine, filters):
    for engine in (fixture_engine, shipped_engine):
        links = queries.incident_links(engine, include_policy=False, **filters)
        assert "policy" not in set(links["type"])
        keys = ["split", "openness_level", "category"]
        sql = sorted_frame(queries.risk_by_level(engine, **filters), keys)
        assert sql.equals(sorted_frame(risk_table(links), keys)), filters
        lag = queries.incident_lag(engine, **filters)
        assert sorted_frame(lag, ["model_id"]).equals(
            sorted_frame(queries.release_to_incident_lag(engine, **filters), ["model_id"])
        )
        # models per level: every model with a release event at that level (a model counts at each level)
        counts = queries.models_by_level(engine, **filters)
        rel = queries.releases(engine, **filters)
        expected = rel.drop_duplicates(["model_id", "openness_level"])["openness_level"].value_counts().to_dict()
        assert dict(zip(counts["openness_level"], counts["models"], strict=True)) == expected


@pytest.fixture
def page(app_on_fixture):
    """Open pages/risk.py through app.py with these query parameters."""
    return lambda params=None: open_page("pages/risk.py", params)


def test_default_view_shows_incidents_per_model_at_the_level_when_they_began(page):
    at = page()
    assert not at.exception
    assert any("attention, not the true risk" in w.value for w in at.warning)
    levels, lag = figure(at, 0), figure(at, 1)
    # Fixture: the GPT-2 withholding began the day GPT-2's staged release (level 1) came out; the LLaMA leak and
    # Andersen v. Stability came while their models were at level 4. Models per level: 1 at level 1 (GPT-2),
    # 3 at level 4 (GPT-2 later, LLaMA, Stable Diffusion). The EU AI Act (policy) is not counted.
    assert bar_heights(levels) == pytest.approx({"1 staged": 1.0, "4 downloadable": 2 / 3}, abs=0.002)
    assert bar_heights(levels, "x2") == bar_heights(levels)
    n_text = next(t for t in levels["data"] if t["name"] == "n (pathway)")["text"]
    assert "1 links / 1 models" in n_text and "2 links / 3 models" in n_text
    assert "incidents per model" in levels["layout"]["title"]["text"]
    assert "up to 2024" in levels["layout"]["title"]["text"]
    assert any("level of the model's latest release event on or before" in c.value for c in at.caption)
    # n < 10 per level: points only, no box, and the tick says so
    assert {t["type"] for t in lag["data"]} == {"scatter"}
    assert all("points only" in tick for tick in lag["layout"]["xaxis"]["ticktext"])
    assert any("3 incident links shown of 3" in c.value for c in at.caption)
    assert dict(at.query_params) == {}


def test_count_axis_ticks_whole_numbers(page):
    fig = figure(page({"weight": "count"}), 0)
    assert panel_total(fig) == 3
    assert fig["layout"]["yaxis"]["dtick"] == 1 and fig["layout"]["yaxis"]["tickformat"] == ",d"


def test_a_level_filter_matches_the_level_when_the_incident_began(page):
    at = page({"weight": "count", "level": "4"})
    # GPT-2 reached level 4 only in Nov 2019: its withholding (Feb 2019, at level 1) no longer counts
    assert bar_heights(figure(at, 0)) == {"4 downloadable": 2}
    at = page({"weight": "count", "level": "1"})
    assert bar_heights(figure(at, 0)) == {"1 staged": 1}


def test_deep_link_reproduces_year_and_severity_weight(page):
    at = page({"view": "risk", "year": "2019", "weight": "severity", "level": "1,4"})
    assert not at.exception
    assert not at.info
    assert at.select_slider(key="url_year").value == 2019
    assert at.radio(key="url_weight").value == "severity"
    fig = figure(at, 0)
    # Only the GPT-2 withholding (severity 1, one model at level 1) falls up to 2019.
    assert panel_total(fig) == 1
    assert "severity-weighted" in fig["layout"]["title"]["text"]
    assert at.query_params["year"] == "2019"
    assert at.query_params["weight"] == "severity"
    assert at.query_params["level"] == "1,4"


def test_severity_weight_sums_severity_per_model(page):
    at = page({"weight": "severity"})
    # level 1: severity 1 over 1 model; level 4: severities 1 + 2 over 3 models
    assert bar_heights(figure(at, 0)) == {"1 staged": 1.0, "4 downloadable": 1.0}


def test_licence_type_filter_changes_the_chart_data(page):
    at = page({"weight": "count"})
    assert panel_total(figure(at, 0)) == 3
    at.multiselect(key="f_families").set_value(["permissive"]).run()
    assert not at.exception
    fig = figure(at, 0)
    # Only GPT-2 was under a permissive licence (MIT) when its incident began: its one link remains.
    assert panel_total(fig) == 1
    assert {t["name"] for t in fig["data"] if t["type"] == "bar" and t.get("xaxis", "x") == "x"} == {"other"}
    assert at.query_params["family"] == "permissive"


def test_moving_the_year_slider_is_cumulative_and_lands_in_the_url(page):
    at = page({"weight": "count"})
    at.select_slider(key="url_year").set_value(2022).run()
    assert panel_total(figure(at, 0)) == 1
    assert at.query_params["year"] == "2022"
    at.select_slider(key="url_year").set_value(2023).run()
    assert panel_total(figure(at, 0)) == 3


def test_scale_view_shows_undisclosed_sizes_in_their_own_strip(page):
    at = page({"view": "scale"})
    assert not at.exception
    # Fixture: 3 of 4 models disclose their size, 1 its compute: both under the 10 needed, so neither is drawn
    params, compute = figure(at, 0), figure(at, 1)
    assert "1 of 4 models undisclosed" in params["layout"]["title"]["text"]
    assert "too few to draw" in params["layout"]["annotations"][0]["text"]
    assert "Only 1 of 4 models disclose training compute" in compute["layout"]["annotations"][0]["text"]
    assert not params["data"] and not compute["data"]
    largest = at.dataframe[0].value
    assert largest.iloc[0]["model"] == "GPT-3"
    # exact figures as text: no overflow markers above 2^53 in the browser table
    assert largest.iloc[0]["parameters"] == "175,000,000,000"
    assert at.dataframe[1].value.iloc[0]["training_compute_flop"] == "3.14e+23"


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
        assert any(t["type"] == "bar" for t in figure(at, 0)["data"])
        assert not any("severity" in t["name"] for t in figure(at, 0)["data"])
    else:
        title = figure(at, 0)["layout"]["title"]["text"]
        assert "models undisclosed" in title


@pytest.mark.parametrize(("params", "links"), [({"weight": "count"}, 3), ({"weight": "count", "year": "2019"}, 1)])
def test_downloads_hold_every_link_counted_in_the_bars_and_every_model_of_the_lag(page, downloads, params, links):
    at = page(params)
    assert not at.exception
    got = export.read_csv(downloads["risk_incident_links.csv"]())
    assert len(got) == links == panel_total(figure(at, 0))
    assert {"incident_id", "model_id", "pathway", "openness_mattered", "reason"} <= set(got.columns)
    lag = export.read_csv(downloads["risk_lag.csv"]())
    assert list(lag.columns[:2]) == ["model_id", "model"] and len(lag) == sum(
        len(t["y"]) for t in figure(at, 1)["data"]
    )


def test_the_lag_footer_counts_distinct_models(page, fixture_engine):
    at = page()
    assert not at.exception
    models = queries.count_models(fixture_engine)
    lag = [c.value for c in at.caption if "models with a linked incident shown of" in c.value]
    assert lag and lag[0].split(" shown of ")[1].startswith(f"{models:,}.")
