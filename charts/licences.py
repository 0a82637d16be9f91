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
    names = pd.Series(licences["name"].to_numpy(dtype=object).astype(str).astype(object), index=licences.index)
    version = pd.Series(_text_column(licences, "version"), index=licences.index)
    return names.where(version == "", names + " (" + version + ")")


def _text_column(frame: pd.DataFrame, col: str) -> np.ndarray:
    """A column as an object array of strings, '' where it is missing (or the whole column is absent)."""
    if col not in frame:
        return np.full(len(frame), "", dtype=object)
    return frame[col].to_numpy(dtype=object, na_value="")


def _lookup(values: np.ndarray, table: dict, default: object = None) -> np.ndarray:
    """table[value] for every value (default where absent), looking each distinct value up once."""
    if not len(values):
        return np.empty(0, dtype=object)
    distinct, where = np.unique(values, return_inverse=True)
    return np.array([table.get(v, default) for v in distinct], dtype=object)[where]


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
        classes[:, j] = _lookup(value, _TERM_CLASSES[col], vocab.UNKNOWN)
        shown[:, j] = np.where(value == "", vocab.UNKNOWN, value)
        words[:, j] = _lookup(classes[:, j], {c: cell_word(col, c) for c in CLASSES})
        clauses[:, j] = _text_column(licences, clause_col) if clause_col else ""
    cap = [c for c, _, _ in MATRIX_TERMS].index("scale_threshold_kind")
    threshold, word = _threshold_columns(licences)
    shown[:, cap] = np.where(threshold != "", threshold, shown[:, cap])
    words[:, cap] = np.where((word != "") & (classes[:, cap] == "conditional"), word, words[:, cap])
    long = {
        "licence_id": np.repeat(licences["licence_id"].to_numpy(dtype=object), terms),
        "licence": np.repeat(licence_labels(licences).to_numpy(dtype=object), terms),
        "family": np.repeat(licences["family"].to_numpy(dtype=object), terms),
        "term": np.tile(np.array([label for _, label, _ in MATRIX_TERMS], dtype=object), n),
    }
    for name, cells in (("value", shown), ("class", classes), ("cell", words), ("clause", clauses)):
        long[name] = cells.ravel()
    return pd.DataFrame(long)


def _threshold_columns(licences: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """The cap's shown value ('> 700M users, counted ...') and cell word ('700M', '$1M'), '' where not stored."""
    kind = _text_column(licences, "scale_threshold_kind")
    if "scale_threshold_value" in licences:
        amount = pd.to_numeric(licences["scale_threshold_value"], errors="coerce").to_numpy(dtype=float)
    else:
        amount = np.full(len(kind), np.nan)
    counted = _lookup(_text_column(licences, "scale_threshold_counted"), vocab.THRESHOLD_COUNTED_TEXT)
    # few distinct caps exist: each distinct (kind, amount) is formatted once ('' amount stands for not recorded)
    keys = kind + "|" + np.where(np.isnan(amount), "", amount.astype(str)).astype(object)
    caps = dict(zip(keys, zip(kind, amount, strict=True), strict=True))
    text = _lookup(keys, {key: short_threshold(k, None if np.isnan(a) else a) for key, (k, a) in caps.items()}, "")
    word = _lookup(
        keys,
        {
            key: cell_word("scale_threshold_kind", "conditional", k, a)
            for key, (k, a) in caps.items()
            if not np.isnan(a)
        },
        "",
    )
    text = np.where(kind == "", "", text).astype(object)
    # how users are counted follows a real cap, never 'none'
    with_count = (text != "") & (counted != None) & (kind != "none")  # noqa: E711 (element-wise)
    text[with_count] = text[with_count] + ", " + counted[with_count]
    return text, np.where(kind == "", "", word).astype(object)


def group_label(family: str, n: int) -> str:
    """The bold row that heads one licence family in the matrix."""
    return f"<b>{plain(FAMILY_LABELS.get(family, family))} ({n})</b>"


def short_labels(licences: pd.DataFrame, width: int = 30) -> pd.Series:
    """Licence labels cut to fit beside the matrix, keeping a short version; the hover has them in full."""
    labels = licence_labels(licences)
    names = pd.Series(licences["name"].to_numpy(dtype=object).astype(str).astype(object), index=licences.index)
    version = pd.Series(_text_column(licences, "version"), index=licences.index)
    keep = (" (" + version + ")").where((version.str.len() > 0) & (version.str.len() <= 12), "")
    cut = labels.str.len() > width
    out = labels.copy()
    # one slice per distinct length of the kept version (a dozen at most), not one per licence
    for kept, part in keep[cut].groupby(keep[cut].str.len()):
        stop = width - kept - 1
        out[part.index] = names[part.index].str.slice(stop=stop).str.rstrip() + "\u2026" + part
    return out


def _unique_rows(licences: pd.DataFrame, width: int = 30) -> list[str]:
    """Row labels that fit and are unique (a category axis merges equal labels): the id where two would clash."""
    short = short_labels(licences, width)
    ids = licences["licence_id"].astype(str).astype(object)
    tagged = short + " [" + ids + "]"
    clash = short.duplicated(keep=False)
    rows = short.where(~clash, tagged.where(tagged.str.len() <= width, ids))
    return _escape(rows).tolist()


def _escape(text: pd.Series) -> pd.Series:
    """plain() over a column: Plotly's HTML-like labels show the text as written."""
    return text.str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;")


# Above this many licences the cells show their colour only: every word is a text Plotly lays out in the
# browser (about 0.4 ms each, ten a licence), and a matrix this long is read by its colours; hover still has it all.
MAX_WORDED_LICENCES = 120


def cell_words_shown(n_licences: int) -> bool:
    """Whether a matrix of this many licences writes its word in each cell."""
    return n_licences <= MAX_WORDED_LICENCES


def term_matrix(licences: pd.DataFrame) -> go.Figure:
    """Licences (rows, grouped by family under a bold label) by terms (columns), coloured by meaning."""
    # two lines, so the title stays beside the row labels and clear of the column headers on a phone
    title = "The licence catalogue,<br>term by term"
    if licences.empty:
        return empty_figure(title, "No licences match these filters.")
    lic = licences.drop_duplicates("licence_id").reset_index(drop=True)
    terms = [label for _, label, _ in MATRIX_TERMS]
    long = term_classes(lic)
    grid = {k: long[k].to_numpy(dtype=object).reshape(len(lic), len(terms)) for k in ("class", "cell", "value")}
    grid["clause"] = _hover_clauses(long["clause"]).reshape(len(lic), len(terms))
    rank = {f: i for i, f in enumerate(FAMILY_ORDER)}
    order = lic.assign(_rank=lic["family"].map(lambda f: rank.get(f, len(rank)))).sort_values(
        ["_rank", "family"], kind="stable"
    )
    row_labels = np.asarray(_unique_rows(lic), dtype=object)
    # One row per licence under a bold label per family; a label row (position -1) has no cells.
    y: list[str] = []
    positions: list[int] = []
    for family, part in order.groupby("family", sort=False):
        y.append(group_label(family, len(part)))
        positions.append(-1)
        y += list(row_labels[part.index])
        positions += list(part.index)
    pos = np.asarray(positions)
    cell = pos >= 0
    at = np.where(cell, pos, 0)
    ids = lic["licence_id"].astype(str).astype(object)
    who = (_escape(licence_labels(lic)) + " [" + _escape(ids) + "]").to_numpy(dtype=object)
    words = cell_words_shown(len(lic))
    fig = go.Figure()
    # Each column is a trace of horizontal bar segments [j, j + 1]: unlike heatmap text, bar text that does not
    # fit its cell is hidden (uniformtext), so no word spills into a neighbour on a narrow screen.
    for j, term in enumerate(terms):
        cls = np.where(cell, grid["class"][at, j], None)
        meaning = _escape(pd.Series(grid["value"][at, j], dtype=object)) + " (" + grid["class"][at, j] + ")"
        # per cell only what differs (who, value and meaning, clause); the layout of the box is the template's
        customdata = np.where(cell[:, None], np.column_stack([who[at], meaning, grid["clause"][at, j]]), "")
        fig.add_trace(
            go.Bar(
                orientation="h",
                y=y,
                x=np.where(cell, 1, None).tolist(),
                base=np.full(len(y), j),
                text=np.where(cell, grid["cell"][at, j], "").tolist() if words else None,
                marker={
                    "color": pd.Series(cls, dtype=object).map(CLASS_COLOURS).fillna("rgba(0,0,0,0)").tolist(),
                    "line": {"color": "#FFFFFF", "width": 2},
                },
                customdata=customdata.tolist(),
                textposition="inside" if words else "none",
                insidetextanchor="middle",
                textfont={"color": "#000000", "size": 10},
                hovertemplate=f"<b>%{{customdata[0]}}</b><br>{plain(term)}: %{{customdata[1]}}%{{customdata[2]}}"
                "<extra></extra>",
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


def _hover_clauses(clauses: pd.Series) -> np.ndarray:
    """Each clause as the hover's last lines ('<br>' before each line, '' for none), wrapped once per distinct clause."""
    distinct = {c: "".join("<br>" + plain(line) for line in _wrap(c)) for c in clauses.unique()}
    return clauses.map(distinct).to_numpy(dtype=object)


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
