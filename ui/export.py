"""Downloads of exactly the rows behind a chart: CSV safe for spreadsheets, and JSON."""

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value):
    """Prefix text that a spreadsheet would run as a formula with an apostrophe; leave numbers alone."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def to_csv(df: pd.DataFrame) -> bytes:
    """CSV bytes with formula-like text cells escaped."""
    safe = df.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(neutralise)
    # CRLF line ends (RFC 4180) make the writer quote any cell holding a bare \r or \n.
    return safe.to_csv(index=False, lineterminator="\r\n").encode("utf-8")


def to_json(df: pd.DataFrame) -> bytes:
    """JSON records (ISO dates, nulls for unknown values)."""
    return df.to_json(orient="records", date_format="iso", force_ascii=False, indent=1).encode("utf-8")
