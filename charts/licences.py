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

# (column, header, clause column) for each term shown in the matrix, in column order.
MATRIX_TERMS = (
    ("commercial_use", "commercial use", "commercial_use_clause"),
    ("scale_threshold_kind", "user / revenue cap", "scale_threshold_clause"),
    ("use_restrictions", "use restrictions", "use_restrictions_clause"),
    ("restrictions_bind_derivatives", "binds derivatives", "use_restrictions_clause"),
    ("modification", "fine-tuning", "modification_clause"),
    ("redistribution", "redistribution", "redistribution_clause"),
    ("output_training", "train on outputs", "output_training_clause"),
    ("output_restriction", "output limits", "output_restriction_clause"),
    ("attribution", "attribution", "attribution_clause"),
    ("osi_approved", "OSI approved", None),
)
# What each stored value lets a user do: one meaning, one colour and one cell word across every column.
CLASSES = ("permissive", "conditional", "restrictive", "not applicable", vocab.UNKNOWN)
CLASS_LABELS = {
    "permissive": "permissive: no condition",
    "conditional": "conditional: allowed on terms",
    "restrictive": "restrictive: prohibited, or not OSI",
    "not applicable": "not applicable",
    vocab.UNKNOWN: "unknown: not verified",
}
_PERMISSION = {"allowed": "permissive", "conditional": "conditional", "prohibited": "restrictive"}
# A duty or limit that is present is a condition; its absence leaves the user free.
_DUTY = {"no": "permissive", "yes": "conditional"}
_TERM_CLASSES = {
    "commercial_use": _PERMISSION,
    "modification": _PERMISSION,
    "redistribution": _PERMISSION,
    "output_training": _PERMISSION,
    "scale_threshold_kind": {"none": "permissive", "users": "conditional", "revenue": "conditional"},
    "use_restrictions": _DUTY,
    "restrictions_bind_derivatives": {**_DUTY, "n/a": "not applicable"},
    "output_restriction": _DUTY,
    "attribution": _DUTY,
    "osi_approved": {"yes": "permissive", "no": "restrictive", "n/a": "not applicable"},
}
# Permission-like columns read "yes" or "no"; duty-like columns read "none" when there is no duty.
_YES_NO_TERMS = ("commercial_use", "modification", "redistribution", "output_training", "osi_approved")
_CELL_WORDS = {"conditional": "terms", "restrictive": "no", "not applicable": "n/a", vocab.UNKNOWN: "?"}


def licence_label(row) -> str:
    """'Llama 2 Community License Agreement (2023-07-18)', or the name alone when there is no version."""
    version = row.get("version")
    return f"{row['name']} ({version})" if version and not pd.isna(version) else str(row["name"])


def short_threshold(kind: str, value) -> str:
    """'> 700M users', '> $1M revenue' or 'none', for hover text and tables."""
    if kind == "none" or value is None or pd.isna(value):
        return kind if kind == "none" else threshold_text(kind, value)
    return f"> {_compact(value)} users" if kind == "users" else f"> ${_compact(value)} revenue"


def _compact(value: float) -> str:
    """700000000 -> '700M', 1500000000 -> '1.5B'."""
    return next(
        (f"{value / size:g}{unit}" for size, unit in ((1e9, "B"), (1e6, "M"), (1e3, "k")) if value >= size),
        f"{value:g}",
    )


def cell_word(col: str, cls: str, kind: str | None = None, value=None) -> str:
    """The few characters a matrix cell shows: the same word means the same thing in every column."""
    if cls == "conditional" and col == "scale_threshold_kind" and value is not None and not pd.isna(value):
        return f"${_compact(value)}" if kind == "revenue" else _compact(value)
    if cls == "permissive":
        return "yes" if col in _YES_NO_TERMS else "none"
    return _CELL_WORDS[cls]


def term_classes(licences: pd.DataFrame) -> pd.DataFrame:
    """Long table: one row per licence and term with its stored value, meaning class, cell word and clause."""
    rows = []
    for _, lic in licences.iterrows():
        for col, label, clause_col in MATRIX_TERMS:
            raw = lic.get(col)
            value = None if raw is None or pd.isna(raw) else str(raw)
            shown = value
            if col == "scale_threshold_kind" and value is not None:
                shown = short_threshold(value, lic["scale_threshold_value"])
            cls = _TERM_CLASSES[col].get(value, vocab.UNKNOWN)
            clause = lic.get(clause_col) if clause_col else None
            rows.append(
                {
                    "licence_id": lic["licence_id"],
                    "licence": licence_label(lic),
                    "family": lic["family"],
                    "term": label,
                    "value": shown if shown is not None else vocab.UNKNOWN,
                    "class": cls,
                    "cell": cell_word(col, cls, value, lic.get("scale_threshold_value")),
                    "clause": "" if clause is None or pd.isna(clause) else str(clause),
                }
            )
    cols = ["licence_id", "licence", "family", "term", "value", "class", "cell", "clause"]
    return pd.DataFrame(rows, columns=cols)


def group_label(family: str, n: int) -> str:
    """The bold row that heads one licence family in the matrix."""
    return f"<b>{plain(FAMILY_LABELS.get(family, family))} ({n})</b>"


def short_label(row, width: int = 34) -> str:
    """The licence label cut to fit beside the matrix on a phone, keeping a short version; the hover has it all."""
    label = licence_label(row)
    if len(label) <= width:
        return label
    version = row.get("version")
    keep = f" ({version})" if isinstance(version, str) and len(version) <= 12 else ""
    return str(row["name"])[: width - len(keep) - 1].rstrip() + "\u2026" + keep


def term_matrix(licences: pd.DataFrame) -> go.Figure:
    """Licences (rows, grouped by family under a bold label) by terms (columns), coloured by meaning."""
    title = "The licence catalogue, term by term"
    if licences.empty:
        return empty_figure(title, "No licences match these filters.")
    long = term_classes(licences)
    terms = [label for _, label, _ in MATRIX_TERMS]
    first = long.drop_duplicates("licence_id").assign(
        short=[short_label(row) for _, row in licences.drop_duplicates("licence_id").iterrows()]
    )
    rank = {f: i for i, f in enumerate(FAMILY_ORDER)}
    first = first.assign(_rank=first["family"].map(lambda f: rank.get(f, len(rank)))).sort_values(
        ["_rank", "family"], kind="stable"
    )
    code = {c: i for i, c in enumerate(CLASSES)}
    pivot = {
        name: long.pivot(index="licence_id", columns="term", values=name).reindex(columns=terms)
        for name in ("class", "cell", "value", "clause")
    }
    dupes = first["licence"].duplicated(keep=False)
    y, z, text, hover = [], [], [], []
    blank = [None] * len(terms)
    for family, part in first.groupby("family", sort=False):
        y.append(group_label(family, len(part)))
        z.append(blank)
        text.append([""] * len(terms))
        hover.append([""] * len(terms))
        for lid, label, short, dupe in zip(
            part["licence_id"], part["licence"], part["short"], dupes[part.index], strict=True
        ):
            full = f"{label} [{lid}]" if dupe else label
            y.append(plain(short + (f" [{lid}]" if dupe else "")))
            z.append([code[c] for c in pivot["class"].loc[lid]])
            text.append(list(pivot["cell"].loc[lid]))
            hover.append(
                [
                    "<br>".join(
                        [f"<b>{plain(full)}</b>", f"{term}: {plain(value)} ({cls})", *(plain(x) for x in _wrap(clause))]
                    )
                    for term, value, cls, clause in zip(
                        terms, pivot["value"].loc[lid], pivot["class"].loc[lid], pivot["clause"].loc[lid], strict=True
                    )
                ]
            )
    n = len(CLASSES)
    scale = []
    for i, c in enumerate(CLASSES):
        scale += [[i / n, CLASS_COLOURS[c]], [(i + 1) / n, CLASS_COLOURS[c]]]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=terms,
            y=y,
            text=text,
            customdata=hover,
            texttemplate="%{text}",
            textfont={"color": "#000000", "size": 10},
            colorscale=scale,
            zmin=-0.5,
            zmax=n - 0.5,
            showscale=False,
            hoverongaps=False,
            xgap=2,
            ygap=2,
            hovertemplate="%{customdata}<extra></extra>",
            name="terms",
        )
    )
    for c in CLASSES:
        fig.add_trace(
            legend_entry(CLASS_LABELS[c], {"symbol": "square", "size": 12, "color": CLASS_COLOURS[c]}, showlegend=True)
        )
    # Headers stand upright, centred on their column, so none can drift over a neighbour at any width.
    fig.update_xaxes(side="top", tickangle=-90, showgrid=False, zeroline=False, fixedrange=True, automargin=True)
    fig.update_yaxes(autorange="reversed", automargin=True, showgrid=False, zeroline=False, fixedrange=True)
    base_layout(fig, title, height=max(360, 200 + 24 * len(y)))
    fig.update_layout(
        legend={"y": 0, "yanchor": "top", "x": 0, "title_text": "Colour means the same in every column: "},
        font={"size": 11},
    )
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
    """Values side by side under the licences' names, then clauses; only rows whose values differ are highlighted."""
    if a_label == b_label:
        a_label, b_label = f"{a_label} (A)", f"{b_label} (B)"
    a_clause, b_clause = f"clause in {a_label}", f"clause in {b_label}"
    shown = comparison.rename(columns={"a": a_label, "a_clause": a_clause, "b": b_label, "b_clause": b_clause})[
        ["term", a_label, b_label, a_clause, b_clause, "differs"]
    ]

    def highlight(row: pd.Series) -> list[str]:
        if row["differs"]:
            return ["background-color: #EEDD88; color: #000000; font-weight: bold"] * len(row)
        return [""] * len(row)

    return shown.style.apply(highlight, axis=1).hide(axis="index").hide(["differs"], axis="columns")
