"""Licence figures: the catalogue as a term matrix, licence families over time, a side-by-side comparison."""

import pandas as pd
import plotly.graph_objects as go
from pandas.io.formats.style import Styler

from charts import (
    FAMILY_COLOURS,
    FAMILY_LABELS,
    FAMILY_ORDER,
    UNKNOWN_COLOUR,
    base_layout,
    empty_figure,
    legend_entry,
)
from charts.palettes import CLASS_COLOURS
from charts.risk import plain
from db import vocab
from db.queries.analysis import threshold_text

# (column, label, clause column) for each term shown in the matrix.
MATRIX_TERMS = (
    ("commercial_use", "commercial use", "commercial_use_clause"),
    ("scale_threshold_kind", "threshold", "scale_threshold_clause"),
    ("use_restrictions", "use restrictions", "use_restrictions_clause"),
    ("restrictions_bind_derivatives", "bind derivatives", "use_restrictions_clause"),
    ("modification", "modification", "modification_clause"),
    ("redistribution", "redistribution", "redistribution_clause"),
    ("output_restriction", "output restriction", "output_restriction_clause"),
    ("attribution", "attribution", "attribution_clause"),
    ("osi_approved", "OSI approved", None),
)
# How freely each stored value lets a user act, per term; anything unmapped is "unknown".
CLASSES = ("free", "conditional", "restricted", "not applicable", vocab.UNKNOWN)
_PERMISSION = {"allowed": "free", "conditional": "conditional", "prohibited": "restricted"}
_TERM_CLASSES = {
    "commercial_use": _PERMISSION,
    "modification": _PERMISSION,
    "redistribution": _PERMISSION,
    "scale_threshold_kind": {"none": "free", "users": "conditional", "revenue": "conditional"},
    "use_restrictions": {"no": "free", "yes": "conditional"},
    "restrictions_bind_derivatives": {"no": "free", "yes": "restricted", "n/a": "not applicable"},
    "output_restriction": {"no": "free", "yes": "restricted"},
    "attribution": {"no": "free", "yes": "conditional"},
    "osi_approved": {"yes": "free", "no": "restricted", "n/a": "not applicable"},
}


def licence_label(row) -> str:
    """'Llama 2 Community License Agreement (2023-07-18)', or the name alone when there is no version."""
    version = row.get("version")
    return f"{row['name']} ({version})" if version and not pd.isna(version) else str(row["name"])


def short_threshold(kind: str, value) -> str:
    """'> 700M users', '> $1M revenue' or 'none', short enough for a matrix cell."""
    if kind == "none" or value is None or pd.isna(value):
        return kind if kind == "none" else threshold_text(kind, value)
    number = next(
        (f"{value / size:g}{unit}" for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")) if value >= size),
        f"{value:g}",
    )
    return f"> {number} users" if kind == "users" else f"> ${number} revenue"


def term_classes(licences: pd.DataFrame) -> pd.DataFrame:
    """Long table: one row per licence and term with its stored value, class and clause."""
    rows = []
    for _, lic in licences.iterrows():
        for col, label, clause_col in MATRIX_TERMS:
            raw = lic[col]
            value = None if pd.isna(raw) else str(raw)
            shown = value
            if col == "scale_threshold_kind" and value is not None:
                shown = short_threshold(value, lic["scale_threshold_value"])
            clause = lic[clause_col] if clause_col and not pd.isna(lic[clause_col]) else ""
            rows.append(
                {
                    "licence_id": lic["licence_id"],
                    "licence": licence_label(lic),
                    "family": lic["family"],
                    "term": label,
                    "value": shown if shown is not None else vocab.UNKNOWN,
                    "class": _TERM_CLASSES[col].get(value, vocab.UNKNOWN),
                    "clause": clause,
                }
            )
    return pd.DataFrame(rows, columns=["licence_id", "licence", "family", "term", "value", "class", "clause"])


def term_matrix(licences: pd.DataFrame) -> go.Figure:
    """Licences (rows) by terms (columns), each cell coloured by how freely it lets a user act."""
    title = "The licence catalogue, term by term"
    if licences.empty:
        return empty_figure(title, "No licences match these filters.")
    long = term_classes(licences)
    terms = [label for _, label, _ in MATRIX_TERMS]
    order = long.drop_duplicates("licence_id")["licence_id"].tolist()
    labels = dict(zip(long["licence_id"], long["licence"], strict=False))
    code = {c: i for i, c in enumerate(CLASSES)}
    grid = long.pivot(index="licence_id", columns="term", values="class").reindex(index=order, columns=terms)
    text = long.pivot(index="licence_id", columns="term", values="value").reindex(index=order, columns=terms)
    clause = long.pivot(index="licence_id", columns="term", values="clause").reindex(index=order, columns=terms)
    n = len(CLASSES)
    scale = []
    for i, c in enumerate(CLASSES):
        scale += [[i / n, CLASS_COLOURS[c]], [(i + 1) / n, CLASS_COLOURS[c]]]
    dupes = pd.Series([labels[i] for i in order]).duplicated(keep=False).tolist()
    y = [plain(f"{labels[i]} [{i}]" if dupe else labels[i]) for i, dupe in zip(order, dupes, strict=True)]
    fig = go.Figure(
        go.Heatmap(
            z=grid.map(code.get).to_numpy(dtype=float),
            x=terms,
            y=y,
            text=text.map(plain).to_numpy(),
            customdata=clause.map(lambda s: "<br>".join(plain(line) for line in _wrap(s))).to_numpy(),
            texttemplate="%{text}",
            textfont={"color": "#000000", "size": 10},
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{y}<br>%{x}: %{text}<br>%{customdata}<extra></extra>",
            name="terms",
        )
    )
    for c in CLASSES:
        fig.add_trace(legend_entry(c, {"symbol": "square", "size": 12, "color": CLASS_COLOURS[c]}, showlegend=True))
    fig.update_yaxes(autorange="reversed", automargin=True)
    fig.update_xaxes(side="top", showgrid=False, zeroline=False, visible=True)
    fig.update_yaxes(showgrid=False, zeroline=False)
    base_layout(fig, title, height=max(320, 140 + 28 * len(order)))
    fig.update_layout(legend={"y": -0.02, "yanchor": "top", "title_text": "lets a user act: "})
    return fig


def _wrap(text: str, width: int = 80) -> list[str]:
    """Break a clause into lines so the hover box stays readable."""
    words, lines, line = str(text).split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    if line:
        lines.append(line)
    return lines


def families_over_time(by_year: pd.DataFrame) -> go.Figure:
    """Release events per year, stacked by licence family ('unknown' where no licence is recorded)."""
    title = "Release events per year by licence family"
    if by_year.empty:
        return empty_figure(title)
    fig = go.Figure()
    extra = sorted(set(by_year["licence_family"]) - set(FAMILY_ORDER))
    for family in [*FAMILY_ORDER, *extra]:
        part = by_year[by_year["licence_family"] == family]
        if part.empty:
            continue
        label = FAMILY_LABELS.get(family, family)
        fig.add_trace(
            go.Bar(
                x=part["year"].tolist(),
                y=part["releases"].tolist(),
                name=label,
                marker_color=FAMILY_COLOURS.get(family, UNKNOWN_COLOUR),
                hovertemplate="%{x}: %{y} release events<extra>" + plain(label) + "</extra>",
            )
        )
    fig.update_layout(barmode="stack", bargap=0.15)
    fig.update_xaxes(dtick=1)
    fig.update_yaxes(title_text="release events")
    return base_layout(fig, title)


def comparison_style(comparison: pd.DataFrame, a_label: str, b_label: str) -> Styler:
    """Values side by side, then clauses; differing values highlighted, differing wording marked more lightly."""
    shown = comparison.rename(
        columns={"a": a_label, "a_clause": f"{a_label}: clause", "b": b_label, "b_clause": f"{b_label}: clause"}
    )[["term", a_label, b_label, f"{a_label}: clause", f"{b_label}: clause", "differs", "clause_differs"]]

    def highlight(row: pd.Series) -> list[str]:
        if row["differs"]:
            return ["background-color: #EEDD88; color: #000000; font-weight: bold"] * len(row)
        if row["clause_differs"]:
            return ["background-color: #FFF4CC; color: #000000"] * len(row)
        return [""] * len(row)

    return shown.style.apply(highlight, axis=1).hide(axis="index").hide(["differs", "clause_differs"], axis="columns")
