"""Chart builders of the risk and licences pages, checked on their traces."""

import numpy as np
import pandas as pd

from charts import FAMILY_COLOURS, LEVEL_COLOURS, UNKNOWN_COLOUR
from charts.licences import (
    CLASS_LABELS,
    CLASSES,
    MATRIX_TERMS,
    MAX_WORDED_LICENCES,
    comparison_style,
    families_over_time,
    group_label,
    short_threshold,
    term_classes,
    term_matrix,
)
from charts.palettes import CLASS_COLOURS
from charts.risk import (
    MATTERED_COLOURS,
    PATHWAY_COLOURS,
    UNKNOWN_LEVEL,
    by_level_label,
    incidents_by_level,
    lag_by_level,
    largest_by_level,
    risk_table,
    scale_capped,
    scale_over_time,
    strip_binned,
)
from db import queries
from tests.apptest_helpers import values


def links(*rows) -> pd.DataFrame:
    cols = ["incident_id", "model", "openness_level", "severity", "pathway", "openness_mattered"]
    return pd.DataFrame(list(rows), columns=cols)


LINKS = links(
    ("a", "M1", 4, 2, "training-data", "no"),
    ("b", "M1", 4, 3, "downloaded-weights", "yes"),
    ("c", "M2", 3, 1, "api-or-hosted", "no"),
    ("d", "M3", None, 2, "leak", "disputed"),
)
MODELS = pd.DataFrame(
    {
        "model": ["M1", "M2", "M3", "<b>Big</b>"],
        "organization": ["O", "O", "O", "O"],
        "openness_level": [4, 3, 0, 0],
        "first_release": ["2020-01-01", "2021-01-01", "2022-01-01", "2023-01-01"],
        "parameters": [1e9, None, 5e11, 2e12],
        "training_compute_flop": [None, None, None, 1e25],
    }
)
TABLE = risk_table(LINKS)
COUNTS = MODELS.groupby("openness_level", as_index=False).size().rename(columns={"size": "models"})


def test_risk_table_counts_and_weights_by_severity():
    count = by_level_label(TABLE, "count")
    n_models = {"4 downloadable": 2, "3 API": 1}
    sev = by_level_label(TABLE, "severity", n_models)
    rate = by_level_label(TABLE, "rate", n_models)
    path = count[count["split"] == "pathway"]
    assert path["value"].sum() == 4
    assert sev[sev["split"] == "pathway"]["severity"].sum() == 2 + 3 + 1 + 2
    row = sev[(sev["split"] == "openness_mattered") & (sev["level"] == "4 downloadable") & (sev["category"] == "yes")]
    assert row["value"].item() == 1.5 and row["links"].item() == 1  # severity 3 over 2 models
    per = rate[rate["split"] == "pathway"].groupby("level")["value"].sum(min_count=1)
    # two links over two level-4 models; one over one API model; no model at the unknown level: no rate
    assert per["4 downloadable"] == 1.0 and per["3 API"] == 1.0 and pd.isna(per[UNKNOWN_LEVEL])
    assert UNKNOWN_LEVEL in set(count["level"])


def test_incidents_by_level_stacks_pathways_and_mattered_on_every_level():
    fig = incidents_by_level(TABLE, COUNTS, "count", 2024)
    left = [t for t in fig.data if t.xaxis == "x" and t.type == "bar"]
    right = [t for t in fig.data if t.xaxis == "x2" and t.type == "bar"]
    assert [t.name for t in left] == ["training-data", "downloaded-weights", "api-or-hosted", "leak"]
    assert [t.name for t in right] == ["yes", "no", "disputed"]
    assert left[0].marker.color == PATHWAY_COLOURS["training-data"]
    assert right[0].marker.color == MATTERED_COLOURS["yes"]
    axis = list(left[0].x)
    assert len(axis) == 7 and axis[-1].startswith(UNKNOWN_LEVEL)
    assert axis[4] == "4 downloadable<br>(1 models)"
    assert sum(np.nansum(values(t.y)) for t in left) == 4 == sum(np.nansum(values(t.y)) for t in right)
    n_labels = next(t for t in fig.data if t.name == "n (pathway)")
    assert n_labels.text[4] == "2 links / 1 models"
    assert fig.layout.yaxis.dtick == 1  # a count axis ticks whole incidents
    assert "up to 2024" in fig.layout.title.text
    assert fig.layout.barmode == "stack"


def test_incidents_by_level_without_unknown_levels_keeps_six_columns():
    fig = incidents_by_level(risk_table(LINKS.iloc[:3]), COUNTS.iloc[1:], "severity")
    assert len(fig.data[0].x) == 6
    assert "severity" in fig.layout.title.text


def test_empty_inputs_give_a_message_not_an_empty_axis():
    assert (
        "No incident links"
        in incidents_by_level(risk_table(LINKS.iloc[:0]), COUNTS, "count").layout.annotations[0].text
    )
    lag = pd.DataFrame(columns=["model", "openness_level", "first_release", "first_incident", "lag_days"])
    assert lag_by_level(lag).layout.annotations
    assert term_matrix(pd.DataFrame()).layout.annotations[0].text == "No licences match these filters."


def test_lag_by_level_draws_points_without_a_box_under_the_minimum_n():
    n = 12
    lag = pd.DataFrame(
        {
            "model": ["A", "B", "C"] + [f"m{i}" for i in range(n)],
            "openness_level": [0, 4, 4] + [3] * n,
            "first_release": ["2020-01-01"] * (3 + n),
            "first_incident": ["2021-01-01", "2020-07-01", "2022-01-01"] + ["2021-01-01"] * n,
            "lag_days": [366, 182, 731] + list(range(100, 100 + n)),
        }
    )
    fig = lag_by_level(lag)
    by_name = {t.name: t for t in fig.data}
    assert by_name["4 downloadable"].type == "scatter" and by_name["0 fully closed"].type == "scatter"
    assert by_name["3 API"].type == "box" and by_name["3 API"].boxpoints == "all"  # 12 models: a box
    assert by_name["4 downloadable"].marker.color == LEVEL_COLOURS[4]
    assert np.allclose(values(by_name["4 downloadable"].y), [182 / 365.25, 731 / 365.25])
    assert list(fig.layout.xaxis.ticktext) == [
        "0 fully closed<br>n = 1 (points only)",
        "3 API<br>n = 12",
        "4 downloadable<br>n = 2 (points only)",
    ]


def test_lag_by_level_above_the_cap_draws_boxes_from_every_model_without_points():
    days = list(range(0, 1000, 10))
    lag = pd.DataFrame(
        {
            "model": [f"m{d}" for d in days],
            "openness_level": [4] * len(days),
            "first_release": ["2020-01-01"] * len(days),
            "first_incident": ["2021-01-01"] * len(days),
            "lag_days": days,
        }
    )
    fig = lag_by_level(lag, cap=50)
    (box,) = fig.data
    assert box.boxpoints is False and box.y is None
    years = pd.Series(days) / 365.25
    assert np.isclose(box.median[0], years.median()) and np.isclose(box.q1[0], years.quantile(0.25))
    assert np.isclose(box.lowerfence[0], 0) and np.isclose(box.upperfence[0], 990 / 365.25)
    assert len(lag_by_level(lag, cap=100).data[0].y) == 100


def test_scale_over_time_with_too_few_disclosed_values_says_so_instead_of_drawing():
    fig = scale_over_time(MODELS, "training_compute_flop")
    assert not fig.data
    assert fig.layout.annotations[0].text.startswith("Only 1 of 4 models disclose training compute (flop)")


def test_scale_over_time_puts_undisclosed_sizes_in_their_own_strip():
    fig = scale_over_time(MODELS, "parameters", min_n=3)
    assert "1 of 4 models undisclosed" in fig.layout.title.text
    strip = [t for t in fig.data if t.yaxis == "y2"]
    assert len(strip) == 1 and list(strip[0].x) == ["2021-01-01"]
    assert strip[0].marker.symbol == "circle-open"
    assert strip[0].showlegend is True  # level 3 has no disclosed model, so the strip carries its legend entry
    shown = [t for t in fig.data if t.yaxis == "y"]
    assert sorted(v for t in shown for v in values(t.y)) == [1e9, 5e11, 2e12]
    assert fig.layout.yaxis.type == "log"
    assert fig.layout.yaxis2.ticktext == ("undisclosed (1)",)
    level0 = next(t for t in shown if t.name == "0 fully closed")
    assert level0.marker.color == LEVEL_COLOURS[0]
    assert "&lt;b&gt;Big&lt;/b&gt;" in [c[0] for c in level0.customdata]


def test_scale_over_time_counts_missing_compute():
    fig = scale_over_time(MODELS, "training_compute_flop", min_n=1)
    assert "3 of 4 models undisclosed" in fig.layout.title.text
    assert sum(len(t.x) for t in fig.data if t.yaxis == "y2") == 3


def test_scale_over_time_above_the_cap_draws_the_largest_in_webgl_and_bins_the_strip():
    n = 30
    many = pd.DataFrame(
        {
            "model": [f"m{i}" for i in range(n)],
            "organization": ["O"] * n,
            "openness_level": [i % 2 * 4 for i in range(n)],
            "first_release": [f"2020-{i % 3 + 1:02d}-{i % 27 + 1:02d}" for i in range(n)],
            "parameters": [float(i + 1) if i < 20 else None for i in range(n)],
            "training_compute_flop": [None] * n,
        }
    )
    assert scale_capped(many, "parameters", cap=5) == (5, 20) and scale_capped(many, "parameters", cap=20) is None
    fig = scale_over_time(many, "parameters", cap=5)
    shown = [t for t in fig.data if t.yaxis == "y"]
    assert all(t.type == "scattergl" for t in fig.data)
    assert sorted(v for t in shown for v in values(t.y)) == [16.0, 17.0, 18.0, 19.0, 20.0]
    assert "10 of 30 models undisclosed" in fig.layout.title.text
    strip = [t for t in fig.data if t.yaxis == "y2"]
    assert strip_binned(many, "parameters", cap=5)
    # Ten undisclosed models (ids 20-29, levels 0 and 4, months 1-3): one mark per level and month, counts kept.
    assert sum(values(t.customdata)[i] for t in strip for i in range(len(t.x))) == 10
    assert all(x.endswith("-01") for t in strip for x in t.x)
    assert not strip_binned(many, "parameters", cap=10)
    assert scale_over_time(many, "parameters").data[0].type == "scatter"


def test_largest_by_level_names_the_biggest_disclosed_model_per_level():
    top = largest_by_level(MODELS, "parameters")
    assert list(top["model"]) == ["<b>Big</b>", "M1"]
    assert list(top["openness"]) == ["0 fully closed", "4 downloadable"]
    # figures as text, so no table shows overflow markers above 2^53
    assert list(top["parameters"]) == ["2e+12", "1,000,000,000"]


LICENCES = pd.DataFrame(
    [
        {
            "licence_id": "X-1",
            "name": "X",
            "version": "1",
            "family": "community",
            "commercial_use": "conditional",
            "scale_threshold_kind": "users",
            "scale_threshold_value": 7e8,
            "use_restrictions": "yes",
            "restrictions_bind_derivatives": "yes",
            "modification": "allowed",
            "redistribution": "conditional",
            "output_restriction": "yes",
            "output_training": "prohibited",
            "attribution": "yes",
            "osi_approved": "no",
            "commercial_use_clause": "Section 2 <i>caps</i> users.",
            "scale_threshold_clause": "",
            "use_restrictions_clause": None,
            "modification_clause": None,
            "redistribution_clause": None,
            "output_restriction_clause": None,
            "output_training_clause": None,
            "attribution_clause": None,
        },
        {
            "licence_id": "X-2",
            "name": "X",
            "version": None,
            "family": "permissive",
            "commercial_use": None,
            "scale_threshold_kind": "none",
            "scale_threshold_value": None,
            "use_restrictions": "no",
            "restrictions_bind_derivatives": "n/a",
            "modification": "allowed",
            "redistribution": "allowed",
            "output_restriction": "no",
            "output_training": None,
            "attribution": "no",
            "osi_approved": "yes",
            "commercial_use_clause": None,
            "scale_threshold_clause": None,
            "use_restrictions_clause": None,
            "modification_clause": None,
            "redistribution_clause": None,
            "output_restriction_clause": None,
            "output_training_clause": None,
            "attribution_clause": None,
        },
    ]
)


def test_term_classes_map_values_and_keep_unknown_apart():
    long = term_classes(LICENCES).set_index(["licence_id", "term"])
    assert long.loc[("X-1", "user / revenue cap"), "value"] == "> 700M users"
    counted = term_classes(LICENCES.assign(scale_threshold_counted="before-release")).set_index(["licence_id", "term"])
    assert counted.loc[("X-1", "user / revenue cap"), "value"] == (
        "> 700M users, counted in the calendar month before this licence version's release date"
    )
    assert counted.loc[("X-2", "user / revenue cap"), "value"] == "none"
    assert long.loc[("X-1", "user / revenue cap"), ["class", "cell"]].tolist() == ["conditional", "700M"]
    assert long.loc[("X-1", "binds derivatives"), "class"] == "conditional"
    assert long.loc[("X-1", "train on outputs"), ["class", "cell"]].tolist() == ["restrictive", "no"]
    assert long.loc[("X-2", "commercial use"), ["value", "class", "cell"]].tolist() == ["unknown", "unknown", "?"]
    assert long.loc[("X-2", "train on outputs"), "class"] == "unknown"
    assert long.loc[("X-2", "binds derivatives"), ["class", "cell"]].tolist() == ["not applicable", "n/a"]


def test_a_cell_word_has_one_meaning_and_one_colour_in_every_column():
    every = pd.DataFrame(
        [
            {col: value, "licence_id": f"{col}={value}", "name": "L", "family": "community"}
            for col, _, _ in MATRIX_TERMS
            for value in ("allowed", "conditional", "prohibited", "yes", "no", "n/a", "none", "users", None)
        ]
    ).assign(scale_threshold_value=None)
    long = term_classes(every)
    long = long[long["licence_id"].str.split("=").str[0] == long["term"].map({t: c for c, t, _ in MATRIX_TERMS})]
    meanings = long.groupby("cell")["class"].unique()
    assert all(len(classes) == 1 for classes in meanings), meanings.to_dict()
    assert set(meanings.explode()) == set(CLASSES)
    assert dict(zip(meanings.index, meanings.str[0], strict=True))["yes"] == "permissive"
    assert dict(zip(meanings.index, meanings.str[0], strict=True))["no"] == "restrictive"


def test_short_thresholds_fit_a_cell():
    assert short_threshold("revenue", 1e6) == "> $1M revenue"
    assert short_threshold("users", 1.5e9) == "> 1.5B users"
    assert short_threshold("none", None) == "none"
    assert short_threshold("users", None) == "users threshold (number not recorded)"
    cells = term_classes(LICENCES.assign(scale_threshold_kind="revenue", scale_threshold_value=1e6))
    assert cells.loc[cells["term"] == "user / revenue cap", "cell"].tolist() == ["$1M", "$1M"]
    assert max(term_classes(LICENCES)["cell"].str.len()) <= 5


def cells(fig, row: int, key: str = "text") -> list:
    """One matrix row across the columns: its cell words, colours ('color'), classes ('class') or hover ('hover')."""
    columns = fig.data[: len(MATRIX_TERMS)]
    if key == "color":
        return [t.marker.color[row] for t in columns]
    if key == "class":
        return [{v: k for k, v in CLASS_COLOURS.items()}[t.marker.color[row]] for t in columns]
    if key == "hover":
        return [hover(t, row) for t in columns]
    return [getattr(t, key)[row] for t in columns]


def hover(trace, row: int) -> str:
    """The hover text Plotly shows for one cell: the trace's template filled with the cell's customdata."""
    text = trace.hovertemplate.removesuffix("<extra></extra>")
    for i, value in enumerate(trace.customdata[row]):
        text = text.replace(f"%{{customdata[{i}]}}", value)
    return text


def test_term_matrix_groups_rows_under_family_labels_and_puts_headers_over_their_columns():
    fig = term_matrix(LICENCES)
    columns = fig.data[: len(MATRIX_TERMS)]
    assert [t.type for t in columns] == ["bar"] * len(MATRIX_TERMS)
    # permissive comes first in the shared family order, each group under its bold label with no cells
    assert list(columns[0].y) == [group_label("permissive", 1), "X", group_label("community", 1), "X (1)"]
    assert all(t.x[0] is None and t.x[2] is None and t.x[1] == 1 for t in columns)
    # column j is the segment [j, j + 1], and its header is the tick at its centre
    assert [t.base[1] for t in columns] == list(range(len(MATRIX_TERMS)))
    assert [t.name for t in columns] == [label for _, label, _ in MATRIX_TERMS]
    axis = fig.layout.xaxis
    assert list(axis.tickvals) == [j + 0.5 for j in range(len(MATRIX_TERMS))]
    assert list(axis.ticktext) == [label for _, label, _ in MATRIX_TERMS]
    assert axis.side == "top" and axis.tickangle == -90 and list(axis.range) == [0, len(MATRIX_TERMS)]
    assert list(fig.layout.yaxis.categoryarray) == list(columns[0].y)
    # a word that does not fit its cell is hidden rather than spilling over the next one
    assert fig.layout.uniformtext.mode == "hide" and fig.layout.barmode == "overlay"


def test_term_matrix_cells_carry_word_colour_class_and_escaped_clause():
    fig = term_matrix(LICENCES)
    assert cells(fig, 3)[0] == "terms" and cells(fig, 1)[0] == "?"
    assert cells(fig, 3, "class")[0] == "conditional" and cells(fig, 1, "class")[0] == "unknown"
    assert cells(fig, 3) == term_classes(LICENCES.iloc[[0]])["cell"].tolist()
    assert cells(fig, 3)[MATRIX_TERMS.index(("output_training", "train on outputs", "output_training_clause"))] == "no"
    hover = cells(fig, 3, "hover")[0]
    assert "Section 2 &lt;i&gt;caps&lt;/i&gt; users." in hover
    assert "commercial use: conditional (conditional)" in hover
    legend = fig.data[len(MATRIX_TERMS) :]
    assert [t.name for t in legend] == [CLASS_LABELS[c] for c in CLASSES]
    assert [t.marker.color for t in legend] == [CLASS_COLOURS[c] for c in CLASSES]
    assert legend[-1].marker.color == UNKNOWN_COLOUR
    assert fig.layout.legend.title.text.startswith("Colour means the same in every column")


def test_term_matrix_shortens_long_names_and_keeps_row_labels_unique():
    twins = LICENCES.assign(version=None, family="community")
    assert list(term_matrix(twins).data[0].y)[1:] == ["X [X-1]", "X [X-2]"]
    long = LICENCES.assign(name=["Llama 2 Community License Agreement", "MIT"], version=["2023-07-18", None])
    labels = list(term_matrix(long).data[0].y)
    assert labels[3] == "Llama 2 Communit\u2026 (2023-07-18)"
    assert all(len(label) <= 30 for label in labels if not label.startswith("<b>"))
    assert "Llama 2 Community License Agreement (2023-07-18)" in hover(term_matrix(long).data[0], 3)
    # names that shorten to the same label fall back to their ids
    cc = LICENCES.assign(name="Creative Commons Attribution-ShareAlike International", version="4.0")
    assert list(term_matrix(cc).data[0].y)[1::2] == ["X-2", "X-1"]


def many(n: int) -> pd.DataFrame:
    """n copies of the first test licence under their own ids and names."""
    rows = LICENCES.iloc[[0] * n].reset_index(drop=True)
    return rows.assign(licence_id=[f"X-{i}" for i in range(n)], name=[f"X {i}" for i in range(n)])


def test_term_matrix_writes_a_word_per_cell_up_to_the_limit_and_colour_only_above():
    words = term_matrix(many(MAX_WORDED_LICENCES))
    expected = term_classes(many(1))["cell"].tolist()
    assert all(cells(words, i) == expected for i in range(1, MAX_WORDED_LICENCES + 1))
    assert {t.textposition for t in words.data[: len(MATRIX_TERMS)]} == {"inside"}
    # one more licence: no text for Plotly to lay out, the same colours and hover
    plain = term_matrix(many(MAX_WORDED_LICENCES + 1))
    columns = plain.data[: len(MATRIX_TERMS)]
    assert all(t.text is None and t.textposition == "none" for t in columns)
    assert cells(plain, 1, "color") == cells(words, 1, "color")
    assert cells(plain, 1, "class") == term_classes(many(1))["class"].tolist()
    assert cells(plain, 1, "hover")[0].startswith("<b>X 0 (1) [X-0]</b><br>commercial use: conditional (conditional)")


def test_term_matrix_hover_sends_per_cell_only_what_differs():
    fig = term_matrix(LICENCES)
    column = fig.data[0]
    # the term and the layout of the box are in the trace's template, once, not in every cell
    assert "commercial use:" in column.hovertemplate
    assert all(len(cell) == 3 and "commercial use" not in "".join(cell) for cell in column.customdata if cell[0])
    assert fig.data[0].meta is None


def test_term_classes_of_shipped_licences(shipped_engine):
    long = term_classes(queries.licences(shipped_engine)).set_index(["licence_id", "term"])
    assert long.loc[("LicenseRef-Llama-2", "train on outputs"), ["value", "class", "cell"]].tolist() == [
        "prohibited",
        "restrictive",
        "no",
    ]
    assert long.loc[("LicenseRef-Llama-2", "user / revenue cap"), ["class", "cell"]].tolist() == ["conditional", "700M"]
    assert long.loc[("LicenseRef-Llama-2", "user / revenue cap"), "value"].startswith("> 700M users, counted")
    assert long.loc[("LicenseRef-Llama-3.1", "train on outputs"), ["class", "cell"]].tolist() == [
        "conditional",
        "terms",
    ]
    assert long.loc[("MIT", "commercial use"), ["class", "cell"]].tolist() == ["permissive", "yes"]
    assert long.loc[("MIT", "binds derivatives"), ["class", "cell"]].tolist() == ["not applicable", "n/a"]
    assert long.loc[("Apache-2.0", "OSI approved"), ["class", "cell"]].tolist() == ["permissive", "yes"]


def test_families_over_time_stacks_in_the_shared_order_and_colours():
    by_year = pd.DataFrame(
        {
            "year": [2020, 2020, 2021, 2021],
            "licence_family": ["unknown", "permissive", "community", "permissive"],
            "releases": [1, 2, 3, 4],
        }
    )
    fig = families_over_time(by_year)
    assert [t.name for t in fig.data] == ["permissive", "community / custom restricted", "unknown"]
    assert fig.data[0].marker.color == FAMILY_COLOURS["permissive"]
    assert fig.data[-1].marker.color == FAMILY_COLOURS["unknown"]
    assert values(fig.data[0].y) == [2, 4]
    assert fig.layout.barmode == "stack"


def test_comparison_style_names_the_licences_and_highlights_only_differing_values():
    comparison = pd.DataFrame(
        {
            "term": ["commercial use", "attribution", "redistribution"],
            "a": ["allowed", "yes", "allowed"],
            "a_clause": ["", "Credit.", "Old wording."],
            "b": ["prohibited", "yes", "allowed"],
            "b_clause": ["", "Credit.", "New wording."],
            "differs": [True, False, False],
            "clause_differs": [False, False, True],
        }
    )
    styler = comparison_style(comparison, "MIT License", "Llama 2 (2023-07-18)")
    html = styler.to_html()
    assert list(styler.data.columns)[:5] == [
        "term",
        "MIT License",
        "Llama 2 (2023-07-18)",
        "clause in MIT License",
        "clause in Llama 2 (2023-07-18)",
    ]
    css = html.split("</style>")[0]
    assert "background-color" in css and "_row0_col" in css
    assert "_row1_" not in css and "_row2_" not in css  # same values, even where the wording differs
    assert "A: " not in html
    same = comparison_style(comparison, "MIT License", "MIT License")
    assert {"MIT License (A)", "MIT License (B)"} <= set(same.data.columns)
