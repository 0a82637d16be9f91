"""Dates shown as precisely as they are known: '2019-02-14' (day), 'Mar 2023' (month), '2023' (year).

A month- or year-precision date is stored as the first day of its period; these helpers never show that
day as if it were known, and give the end of the period so a chart can draw the span.
"""

import numpy as np
import pandas as pd

IMPRECISE = ("month", "year")


def date_label(day, precision) -> str:
    """One date as precisely as it is known."""
    text = str(day)[:10]
    if precision == "month":
        return pd.Timestamp(text).strftime("%b %Y")
    if precision == "year":
        return text[:4]
    return text


def date_labels(dates: pd.Series, precisions: pd.Series) -> pd.Series:
    """Vectorised `date_label` over a column of ISO dates and their precisions."""
    text = dates.astype("string").str[:10]
    month = pd.to_datetime(text, errors="coerce").dt.strftime("%b %Y")
    out = np.where(precisions == "month", month, np.where(precisions == "year", text.str[:4], text))
    return pd.Series(out, index=dates.index, dtype="string")


def with_date_labels(rows: pd.DataFrame) -> pd.DataFrame:
    """A table for display: `date` written as precisely as `date_precision` says (other columns unchanged)."""
    if rows.empty or "date" not in rows or "date_precision" not in rows:
        return rows
    return rows.assign(date=date_labels(rows["date"], rows["date_precision"]))


def period_end(dates: pd.Series, precisions: pd.Series) -> pd.Series:
    """The last day of each date's period: the day itself, the month's last day, or 31 December."""
    start = pd.to_datetime(dates.astype("string").str[:10], errors="coerce")
    month_end = start + pd.offsets.MonthEnd(0)
    year_end = start + pd.offsets.YearEnd(0)
    end = start.where(precisions != "month", month_end).where(precisions != "year", year_end)
    return end.dt.strftime("%Y-%m-%d")


def period_spans(dates: pd.Series, precisions: pd.Series, y) -> tuple[list, list]:
    """x and y for one line trace drawing each imprecise date as a bar over its whole period (None-separated)."""
    mask = precisions.isin(IMPRECISE).to_numpy()
    if not mask.any():
        return [], []
    starts = dates.astype("string").str[:10].to_numpy()[mask]
    ends = period_end(dates, precisions).to_numpy()[mask]
    ys = np.asarray(y if not np.isscalar(y) else [y] * len(dates), dtype=object)[mask]
    x = np.column_stack([starts, ends, np.full(len(starts), None)]).ravel().tolist()
    yy = np.column_stack([ys, ys, np.full(len(ys), None)]).ravel().tolist()
    return x, yy
