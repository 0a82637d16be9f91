"""Licence figures: the catalogue as a term matrix, licence families over time, a side-by-side comparison."""

import numpy as np
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


def licence_labels(licences: pd.DataFrame) -> pd.Series:
    """licence_label of every row, as one column operation."""
    names = licences["name"].astype(str).astype(object)
    version = _text_column(licences, "version")
    has = version.str.len() > 0
    return names.where(~has, names + " (" + version + ")")


def _text_column(frame: pd.DataFrame, col: str) -> pd.Series:
    """A column as plain Python strings with '' where it is missing or empty (or the whole column is absent)."""
    if col not in frame:
        return pd.Series("", index=frame.index, dtype=object)
    raw = frame[col]
    return raw.astype(object).where(raw.notna(), "").astype(str).astype(object)


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
    n, terms = len(licences), len(MATRIX_TERMS)
    shown, classes, words, clauses = (np.empty((n, terms), dtype=object) for _ in range(4))
    for j, (col, _, clause_col) in enumerate(MATRIX_TERMS):
        value = _text_column(licences, col)
        cls = value.map(_TERM_CLASSES[col]).fillna(vocab.UNKNOWN)
        shown[:, j] = value.where(value != "", vocab.UNKNOWN)
        classes[:, j] = cls
        words[:, j] = _cell_words(col, cls)
        clauses[:, j] = _text_column(licences, clause_col) if clause_col else ""
    cap = [c for c, _, _ in MATRIX_TERMS].index("scale_threshold_kind")
    if n:
        threshold, word = _threshold_columns(licences)
        shown[:, cap] = np.where(pd.notna(threshold), threshold, shown[:, cap])
        words[:, cap] = np.where(pd.notna(word) & (classes[:, cap] == "conditional"), word, words[:, cap])
    per_licence = {
        "licence_id": licences["licence_id"],
        "licence": licence_labels(licences),
        "family": licences["family"],
    }
    long = {k: np.repeat(np.asarray(v, dtype=object), terms) for k, v in per_licence.items()}
    long["term"] = np.tile(np.array([label for _, label, _ in MATRIX_TERMS], dtype=object), n)
    for name, cells in (("value", shown), ("class", classes), ("cell", words), ("clause", clauses)):
        long[name] = cells.ravel()
    return pd.DataFrame(long, columns=["licence_id", "licence", "family", "term", "value", "class", "cell", "clause"])


def _cell_words(col: str, classes: pd.Series) -> np.ndarray:
    """cell_word for one column of classes (the cap's numbers are filled in by _threshold_columns)."""
    words = {c: cell_word(col, c) for c in CLASSES}
    return classes.map(words).to_numpy(dtype=object)


def _threshold_columns(licences: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The cap's shown value ('> 700M users, counted ...') and cell word ('700M', '$1M'), None where not stored."""
    kind = _text_column(licences, "scale_threshold_kind")
    amount = pd.to_numeric(licences.get("scale_threshold_value", pd.Series(np.nan, kind.index)), errors="coerce")
    counted = _text_column(licences, "scale_threshold_counted").map(vocab.THRESHOLD_COUNTED_TEXT)
    pairs = pd.DataFrame({"kind": kind.to_numpy(), "amount": amount.to_numpy(dtype=float)})
    # few distinct caps exist: each distinct (kind, amount) is formatted once, then joined back (NaN matches NaN)
    distinct = pairs[pairs["kind"] != ""].drop_duplicates()
    distinct = distinct.assign(
        text=[short_threshold(k, None if pd.isna(a) else a) for k, a in distinct.itertuples(index=False)],
        word=[
            None if pd.isna(a) else cell_word("scale_threshold_kind", "conditional", k, a)
            for k, a in distinct.itertuples(index=False)
        ],
    )
    joined = pairs.merge(distinct, on=["kind", "amount"], how="left")
    counted = pd.Series(counted.to_numpy(dtype=object), index=joined.index)
    text = joined["text"].astype(object)
    # how users are counted follows a real cap, never 'none'
    text = text.where(~(text.notna() & counted.notna() & (pairs["kind"] != "none")), text + ", " + counted)
    return text.to_numpy(dtype=object), joined["word"].to_numpy(dtype=object)


def group_label(family: str, n: int) -> str:
    """The bold row that heads one licence family in the matrix."""
    return f"<b>{plain(FAMILY_LABELS.get(family, family))} ({n})</b>"


def short_label(row, width: int = 30) -> str:
    """The licence label cut to fit beside the matrix on a phone, keeping a short version; the hover has it all."""
    label = licence_label(row)
    if len(label) <= width:
        return label
    version = row.get("version")
    keep = f" ({version})" if isinstance(version, str) and len(version) <= 12 else ""
    return str(row["name"])[: width - len(keep) - 1].rstrip() + "\u2026" + keep


def _unique_rows(ids: list[str], licences: pd.DataFrame, width: int = 30) -> list[str]:
    """Row labels that fit and are unique (a category axis merges equal labels): the id where two would clash."""
    short = [short_label(row, width) for _, row in licences.iterrows()]
    counts = pd.Series(short).value_counts()
    rows = []
    for lid, label in zip(ids, short, strict=True):
        if counts[label] > 1:
            label = f"{label} [{lid}]" if len(label) + len(lid) + 3 <= width else lid
        rows.append(plain(label))
    return rows


def term_matrix(licences: pd.DataFrame) -> go.Figure:
    """Licences (rows, grouped by family under a bold label) by terms (columns), coloured by meaning."""
    # two lines, so the title stays beside the row labels and clear of the column headers on a phone
    title = "The licence catalogue,<br>term by term"
    if licences.empty:
        return empty_figure(title, "No licences match these filters.")
    long = term_classes(licences)
    terms = [label for _, label, _ in MATRIX_TERMS]
    first = long.drop_duplicates("licence_id")
    first = first.assign(row=_unique_rows(first["licence_id"].tolist(), licences.drop_duplicates("licence_id")))
    rank = {f: i for i, f in enumerate(FAMILY_ORDER)}
    first = first.assign(_rank=first["family"].map(lambda f: rank.get(f, len(rank)))).sort_values(
        ["_rank", "family"], kind="stable"
    )
    pivot = {
        name: long.pivot(index="licence_id", columns="term", values=name).reindex(columns=terms)
        for name in ("class", "cell", "value", "clause")
    }
    # One row per licence under a bold label per family; a label row has no cells (None).
    y: list[str] = []
    rows: list[str | None] = []
    for family, part in first.groupby("family", sort=False):
        y.append(group_label(family, len(part)))
        rows.append(None)
        y += list(first.loc[part.index, "row"])
        rows += list(part["licence_id"])
    names = dict(zip(first["licence_id"], first["licence"], strict=True))
    fig = go.Figure()
    # Each column is a trace of horizontal bar segments [j, j + 1]: unlike heatmap text, bar text that does not
    # fit its cell is hidden (uniformtext), so no word spills into a neighbour on a narrow screen.
    for j, term in enumerate(terms):
        cls = [pivot["class"].at[lid, term] if lid else None for lid in rows]
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=y,
                x=[1 if lid else None for lid in rows],
                base=[j] * len(rows),
                text=[pivot["cell"].at[lid, term] if lid else "" for lid in rows],
                marker={
                    "color": [CLASS_COLOURS[c] if c else "rgba(0,0,0,0)" for c in cls],
                    "line": {"color": "#FFFFFF", "width": 2},
                },
                customdata=[_hover(names[lid], lid, term, pivot) if lid else "" for lid in rows],
                meta=cls,
                textposition="inside",
                insidetextanchor="middle",
                textfont={"color": "#000000", "size": 10},
                hovertemplate="%{customdata}<extra></extra>",
                name=term,
                showlegend=False,
            )
        )
    for c in CLASSES:
        fig.add_trace(
            legend_entry(CLASS_LABELS[c], {"symbol": "square", "size": 12, "color": CLASS_COLOURS[c]}, showlegend=True)
        )
    # Headers stand upright, centred on their column, so none can drift over a neighbour at any width.
    fig.update_xaxes(
        side="top",
        range=[0, len(terms)],
        tickmode="array",
        tickvals=[j + 0.5 for j in range(len(terms))],
        ticktext=terms,
        tickangle=-90,
        tickfont={"size": 10},
        showgrid=False,
        zeroline=False,
        fixedrange=True,
        automargin=True,
    )
    fig.update_yaxes(
        type="category",
        categoryorder="array",
        categoryarray=y,
        autorange="reversed",
        automargin=True,
        showgrid=False,
        fixedrange=True,
    )
    base_layout(fig, title, height=max(360, 200 + 24 * len(y)))
    fig.update_layout(
        barmode="overlay",
        bargap=0.08,
        uniformtext={"minsize": 9, "mode": "hide"},
        legend={"y": 0, "yanchor": "top", "x": 0, "title_text": "Colour means the same in every column: "},
        font={"size": 11},
    )
    return fig


def _hover(name: str, lid: str, term: str, pivot: dict) -> str:
    """Hover text of one cell: the licence in full, the stored value and its meaning, the clause."""
    value, cls, clause = (pivot[k].at[lid, term] for k in ("value", "class", "clause"))
    lines = [f"<b>{plain(name)}</b> [{plain(lid)}]", f"{term}: {plain(value)} ({cls})"]
    return "<br>".join(lines + [plain(x) for x in _wrap(clause)])


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


def term_table(licences: pd.DataFrame) -> Styler:
    """The term matrix as a table for a phone: one row per licence (grouped by type), one column per term, each
    cell its stored value coloured by its meaning, as in the matrix."""
    long = term_classes(licences)
    terms = [label for _, label, _ in MATRIX_TERMS]
    rank = {f: i for i, f in enumerate(FAMILY_ORDER)}
    rows = long.drop_duplicates("licence_id")[["licence_id", "licence", "family"]]
    rows = rows.assign(_rank=rows["family"].map(lambda f: rank.get(f, len(rank)))).sort_values(
        ["_rank", "licence"], kind="stable"
    )
    values = long.pivot(index="licence_id", columns="term", values="value").reindex(rows["licence_id"])[terms]
    classes = long.pivot(index="licence_id", columns="term", values="class").reindex(rows["licence_id"])[terms]
    shown = pd.concat(
        [
            rows.set_index("licence_id")["licence"],
            values,
            rows.set_index("licence_id")["family"].map(lambda f: FAMILY_LABELS.get(f, f)).rename("licence type"),
        ],
        axis=1,
    ).reset_index(drop=True)
    colours = classes.reset_index(drop=True)

    def paint(frame: pd.DataFrame) -> pd.DataFrame:
        css = pd.DataFrame("", index=frame.index, columns=frame.columns)
        for term in terms:
            css[term] = colours[term].map(lambda c: f"background-color: {CLASS_COLOURS.get(c, '#FFFFFF')}")
        return css

    return shown.style.apply(paint, axis=None)
