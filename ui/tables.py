"""Tables for people: human labels, names before ids, dates in their precision, missing values in words, links.

The display reads how each column is shown from db/columns.py; the rows passed in are never changed, so the
downloads beside a table keep exactly its raw rows and columns.
"""

import pandas as pd
import streamlit as st
from pandas.io.formats.style import Styler

from charts.dates import date_labels
from db import columns
from db.validate import URL_RE
from ui.text import plain

HOST = r"https?://(?:www\.)?([^/?#]+)"  # a link cell reads as its site's name; the title is its own column
_URL_UNSAFE = {"(": "%28", ")": "%29", "\\": "%5C", "[": "%5B", "]": "%5D", " ": "%20"}


def for_display(rows: pd.DataFrame) -> pd.DataFrame:
    """Dates written as precisely as known, and 'unknown' for missing facts (other gaps are left to the grid)."""
    out = rows.copy()
    for col in out.columns:
        precision = columns.precision_of(col)
        if precision in out.columns:
            out[col] = date_labels(out[col], out[precision]).where(out[col].notna())
        if col in columns.UNKNOWN_WHEN_MISSING and not pd.api.types.is_numeric_dtype(out[col]):
            out[col] = out[col].astype(object).where(out[col].notna(), columns.UNKNOWN)
    return out


def column_config(names, overrides: dict | None = None) -> dict:
    """A label for every column, its meaning from the data dictionary as the header's tooltip, links clickable;
    `overrides` (per column) win."""
    config: dict = {}
    for col in names:
        label, about = columns.label(col), columns.meaning(col)
        if columns.is_url(col):
            config[col] = st.column_config.LinkColumn(label, help=about, display_text=HOST)
        else:
            config[col] = st.column_config.Column(label, help=about)
    return config | (overrides or {})


def show(
    rows: pd.DataFrame | Styler,
    key: str,
    empty: str | None = None,
    *,
    config: dict | None = None,
    order: list[str] | None = None,
    width: str = "stretch",
    **kwargs,
):
    """Rows as a full-width table for people, or the `empty` text instead when there are none.

    A Styler keeps its own cell text (its dates and gaps are left as styled); a DataFrame is prepared by
    `for_display`. `order` replaces the default column order (names first, ids last, keys hidden). Other
    keyword arguments go to st.dataframe (a row selection, say), whose value is returned.
    """
    data = rows.data if isinstance(rows, Styler) else rows
    if data.empty and empty is not None:
        st.text(empty)
        return None
    shown = rows if isinstance(rows, Styler) else for_display(rows)
    hidden = set(getattr(rows, "hidden_columns", ()))  # a Styler's .hide(columns), which st.dataframe ignores
    names = [str(c) for i, c in enumerate(data.columns) if i not in hidden]
    return st.dataframe(
        shown,
        key=key,
        hide_index=True,
        width=width,
        column_config=column_config(names, config),
        column_order=order or columns.display_order(names),
        placeholder=columns.MISSING,
        **kwargs,
    )


def facts(record: pd.Series, key: str) -> None:
    """One record as a field/value table: labelled fields, names first and ids last, dates as precisely as known."""
    said = {"year"} if "date" in record.index else set()  # the year is in the date already
    if "licence_id" in record.index and pd.isna(record["licence_id"]):
        # no licence named: one line saying so, not "unknown" for the licence, its type and its id
        record = record.copy()
        record["licence"] = columns.NO_LICENCE
        said |= {"licence_id", "licence_family"}
    frame = for_display(record.to_frame().T)
    fields = [f for f in columns.display_order(list(record.index)) if f not in said]
    values = frame.iloc[0][fields].astype("string").fillna(columns.MISSING)
    table = pd.DataFrame({"field": [columns.label(f) for f in fields], "value": values.to_numpy()})
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height="content",  # every field in view, the ids at the end included
        key=key,
        column_config={"field": "Field", "value": "Value"},
        placeholder=columns.MISSING,
    )


def link(title: object, url: object) -> str:
    """A Markdown link with the title as its text, escaped so record text stays text; a bad URL stays plain."""
    text = plain(title if isinstance(title, str) and title.strip() else url)
    if not isinstance(url, str) or not URL_RE.match(url):
        return text
    return f"[{text}]({''.join(_URL_UNSAFE.get(ch, ch) for ch in url)})"


def source_list(sources: pd.DataFrame, empty: str = "No source is recorded.") -> None:
    """Each source as a link with its title as text, then its publisher, date and what it is cited for."""
    if sources.empty:
        st.text(empty)
        return
    lines = []
    for row in sources.itertuples(index=False):
        when = getattr(row, "date_published", None)
        parts = [plain(row.publisher)] if isinstance(row.publisher, str) else []
        parts += [plain(f"published {when}")] if isinstance(when, str) else []
        cited = getattr(row, "cited_for", None)
        parts += [plain(f"cited for {cited}")] if isinstance(cited, str) and cited else []
        lines.append(f"- {link(row.title, row.url)}" + (" — " + ", ".join(parts) if parts else ""))
    st.markdown("\n".join(lines))
