"""One colour system: palettes told apart in every figure (CIEDE2000, with simulated colour-vision deficiencies),
openness colours for openness levels only, and the palettes on the Data and method page."""

import pandas as pd
import pytest

from charts import LEVEL_LABELS
from charts.incidents import incident_timeline
from charts.licences import families_over_time
from charts.method import date_precision
from charts.overview import openness_and_incidents
from charts.palettes import (
    FIGURES,
    LEVEL_COLOURS,
    MIN_DELTA_E,
    MIN_FROM_LEVELS,
    PALETTES,
    VISIONS,
    closest_pair,
    delta_e2000,
    difference,
    lab,
)
from charts.risk import incidents_by_level, risk_table
from charts.timeline import timeline
from db import queries
from tests.apptest_helpers import figure, open_page


@pytest.mark.parametrize(
    ("lab1", "lab2", "expected"),
    [  # Sharma, Wu and Dalal (2005), test pairs 1, 7 and 17
        ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425),
        ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669),
        ((50.0, 2.5, 0.0), (73.0, 25.0, -18.0), 27.1492),
    ],
)
def test_delta_e2000_matches_the_published_test_data(lab1, lab2, expected):
    assert delta_e2000(lab1, lab2) == pytest.approx(expected, abs=1e-4)


def test_simulated_deficiencies_merge_what_they_should():
    # red and green are far apart for normal vision and much closer for protanopia and deuteranopia
    assert difference("#CC3311", "#228833") > 60
    assert difference("#CC3311", "#228833", "deuteranopia") < difference("#CC3311", "#228833") / 2
    assert lab("#FFFFFF") == pytest.approx((100, 0, 0), abs=0.01)


@pytest.mark.parametrize("name", list(FIGURES))
@pytest.mark.parametrize("vision", VISIONS)
def test_no_two_colours_in_one_figure_are_hard_to_tell_apart(name, vision):
    d, a, b = closest_pair(FIGURES[name], vision)
    assert d >= MIN_DELTA_E[vision], f"{name}: {a} and {b} differ by only {d:.1f} ({vision})"


def test_no_other_palette_uses_an_openness_colour():
    for name, palette in PALETTES.items():
        if name == "openness levels":
            continue
        for category, colour in palette.items():
            nearest = min(difference(colour, level) for level in LEVEL_COLOURS.values())
            assert nearest >= MIN_FROM_LEVELS, f"{name} '{category}' {colour} looks like an openness level"


def marker_colours(fig) -> dict[str, set[str]]:
    """Trace name -> the colours its markers are drawn in."""
    out: dict[str, set[str]] = {}
    for t in fig.data:
        c = getattr(t.marker, "color", None) if hasattr(t, "marker") else None
        if c is None:
            continue
        out.setdefault(t.name, set()).update([c] if isinstance(c, str) else list(c))
    return out


def built_figures(engine) -> dict:
    links = queries.incident_links(engine, include_policy=False)
    return {
        "Overview": openness_and_incidents(queries.release_cohorts(engine), queries.incidents_by_year_type(engine)),
        # the timeline draws release events as circles and incidents as diamonds: colours are told apart per shape
        "Timeline, release events": timeline(queries.releases(engine, light=True), pd.DataFrame()),
        "Timeline, incidents": timeline(pd.DataFrame(), queries.incidents(engine, light=True)),
        "Incidents": incident_timeline(queries.incidents(engine, light=True)),
        "Openness and risk": incidents_by_level(risk_table(links), queries.models_by_level(engine)),
        "Licences": families_over_time(queries.licence_families_by_year(engine)),
        "Date precision": date_precision(queries.date_precision_by_year(engine)),
    }


@pytest.mark.parametrize("data", ["fixture", "shipped"])
def test_figures_draw_openness_colours_for_levels_only_and_their_colours_apart(data, fixture_engine, shipped_engine):
    engine = fixture_engine if data == "fixture" else shipped_engine
    levels = {c.upper() for c in LEVEL_COLOURS.values()}
    for page, fig in built_figures(engine).items():
        colours = marker_colours(fig)
        for name, used in colours.items():
            if name not in LEVEL_LABELS.values():
                assert not {c.upper() for c in used} & levels, f"{page}: '{name}' is drawn in an openness colour"
        drawn = [c for used in colours.values() for c in used]
        for vision in VISIONS:
            d, a, b = closest_pair(drawn, vision)
            assert d >= MIN_DELTA_E[vision], f"{page}: {a} and {b} differ by only {d:.1f} ({vision})"


def test_the_method_page_shows_every_palette(app_on_fixture):
    at = open_page("pages/method.py", {"section": "Colours"})
    assert not at.exception
    swatches = next(
        f
        for f in (figure(at, i) for i in range(len(at.get("plotly_chart"))))
        if "palettes" in f["layout"]["title"]["text"]
    )
    assert [t["name"] for t in swatches["data"]] == list(PALETTES)
    for trace in swatches["data"]:
        assert trace["marker"]["color"] == list(PALETTES[trace["name"]].values())
    assert pd.Series([t["text"][0] for t in swatches["data"]]).iloc[0] == "0 fully closed"
