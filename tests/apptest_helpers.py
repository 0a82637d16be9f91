"""Helpers for AppTest tests: open a page through app.py as from a URL, and read its figures and texts back."""

import base64
import json
import re

import numpy as np
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


def values(v) -> list:
    """A Plotly array as a list, decoding the base64 'bdata' form Plotly >= 6 uses for numbers."""
    if isinstance(v, dict) and "bdata" in v:
        return np.frombuffer(base64.b64decode(v["bdata"]), v["dtype"]).tolist()
    if isinstance(v, np.ndarray):
        return v.tolist()
    return list(v)


def figure(at: AppTest, i: int = 0) -> dict:
    """The i-th Plotly figure on the page, as its JSON."""
    return json.loads(at.get("plotly_chart")[i].proto.spec)


def texts(at: AppTest, kind: str) -> list[str]:
    """The text a reader sees in every element of one kind (info, caption, text, ...).

    Markdown elements carry record and URL text backslash-escaped (ui/text.py); a reader sees it unescaped.
    """
    return [re.sub(r"\\(.)", r"\1", str(e.value)) for e in at.get(kind)]


def open_page(page: str, params: dict[str, str] | None = None) -> AppTest:
    """Open a page through app.py as a fresh session would from a URL with these query parameters."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params.update(params or {})
    at.switch_page(page)
    return at.run()


def headers(table) -> list[str]:
    """The column headers a reader sees on one st.dataframe, in order: its labels over its shown columns."""
    config = json.loads(table.proto.columns or "{}")
    order = list(table.proto.column_order) or [str(c) for c in table.value.columns]
    return [config.get(c, {}).get("label") or c for c in order if not config.get(c, {}).get("hidden")]


def cells(table) -> list[str]:
    """Every cell a reader sees in the shown columns of one st.dataframe, missing ones as its placeholder."""
    frame = table.value.rename(columns=str)
    frame = frame[list(table.proto.column_order) or list(frame.columns)].astype(object)
    return [str(v) for v in frame.where(frame.notna(), table.proto.placeholder or "None").to_numpy().ravel()]


def facts(table) -> dict[str, str]:
    """A field/value table (ui/tables.facts) as {field label: value}."""
    return dict(zip(table.value["field"], table.value["value"], strict=True))


_LINK = re.compile(r"\[((?:\\.|[^\]\\])*)\]\(([^)\s]+)\)")


def source_links(at: AppTest) -> list[tuple[str, str]]:
    """(text a reader sees, URL) of every Markdown link in the page's Markdown elements."""
    found = [m.groups() for e in at.get("markdown") for m in _LINK.finditer(str(e.value))]
    return [(re.sub(r"\\(.)", r"\1", text), url) for text, url in found]
