"""Downloads that can be quoted: the rows behind a chart as CSV or JSON, and the chart itself as PNG or SVG.

Every download says where it came from: the view's URL, the filters in words, how many rows, the data
version and cut-off, the licence and how to cite it. CSV carries this as header lines starting with "# "
before the table (their number is on the first line, so `pandas.read_csv(f, skiprows=N)` reads the table);
JSON wraps the rows in an envelope {"about": {...}, "rows": [...]}; a picture carries a title, the filters, n
and a source line. Text cells that a spreadsheet would run as a formula are neutralised in CSV.
"""

import functools
import io
import json
import shutil
from dataclasses import asdict, dataclass
from pathlib import Path

import pandas as pd
import plotly.graph_objects as go

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
LICENCE = "CC BY 4.0"
PUBLISHER = "Openness Observatory"
IMAGE_WIDTH, IMAGE_HEIGHT = 1400, 800
# kaleido drives a Chromium on the server; Debian's is here (BROWSER_PATH or PATH may name another).
CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")


@dataclass(frozen=True)
class About:
    """Where a download came from, as its reader needs it to quote and cite it."""

    title: str
    url: str
    filters: str
    rows: str
    data_version: str
    data_as_of: str
    accessed: str

    def source_line(self) -> str:
        return f"{PUBLISHER}, data as of {self.data_as_of}, {self.url}, {LICENCE}"

    def citation(self) -> str:
        return (
            f"{PUBLISHER} ({self.accessed[:4]}). {self.title}. Data version {self.data_version}, data as of "
            f"{self.data_as_of}. {self.url} (accessed {self.accessed}). Licensed {LICENCE}."
        )

    def bibtex(self) -> str:
        key = "openness_observatory_" + self.accessed.replace("-", "")
        fields = {
            "title": f"{PUBLISHER}: {self.title}",
            "author": f"{{{PUBLISHER} contributors}}",
            "year": self.accessed[:4],
            "howpublished": "Dataset and dashboard",
            "url": self.url,
            "urldate": self.accessed,
            "note": f"Data version {self.data_version}, data as of {self.data_as_of}; licensed {LICENCE}",
        }
        body = ",\n".join(f"  {k:<12} = {{{_bibtex_escape(v)}}}" for k, v in fields.items())
        return f"@misc{{{key},\n{body}\n}}"


def _bibtex_escape(text: str) -> str:
    # Braces stay balanced (the author field is braced on purpose); other specials are escaped.
    return "".join("\\" + c if c in "&%$#_" else c for c in text)


def neutralise(value):
    """Prefix text that a spreadsheet would run as a formula with an apostrophe; leave numbers alone."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def header_lines(about: About) -> list[str]:
    """The '# ' lines a CSV download starts with; the first says how many there are."""
    body = [
        f"title: {about.title}",
        f"view: {about.url}",
        f"{about.filters}",
        f"rows: {about.rows}",
        f"data version: {about.data_version}; data as of {about.data_as_of}; accessed {about.accessed}",
        f"licence: {LICENCE}; cite as: {about.citation()}",
    ]
    first = f"{PUBLISHER} export: {len(body) + 1} lines starting with '# ' describe it, then the table"
    return ["# " + _one_line(line) for line in (first, *body)]


def to_csv(df: pd.DataFrame, about: About | None = None) -> bytes:
    """CSV bytes with formula-like text cells escaped, after the provenance lines when `about` is given."""
    safe = df.copy()
    for col in safe.columns:
        if not pd.api.types.is_numeric_dtype(safe[col]):
            safe[col] = safe[col].map(neutralise)
    # CRLF line ends (RFC 4180) make the writer quote any cell holding a bare \r or \n.
    table = safe.to_csv(index=False, lineterminator="\r\n")
    head = "".join(line + "\r\n" for line in header_lines(about)) if about else ""
    return (head + table).encode("utf-8")


def read_csv(raw: bytes, **kwargs) -> pd.DataFrame:
    """Read a CSV download back, skipping its provenance lines (as the first line tells a reader to)."""
    lines = raw.decode("utf-8").split("\r\n")
    skip = next((i for i, line in enumerate(lines) if not line.startswith("# ")), 0)
    return pd.read_csv(io.BytesIO(raw), skiprows=skip, **kwargs)


def to_json(df: pd.DataFrame, about: About | None = None) -> bytes:
    """JSON records (ISO dates, nulls for unknown values), in an envelope with `about` when it is given."""
    records = json.loads(df.to_json(orient="records", date_format="iso", force_ascii=False))
    payload = {"about": {**asdict(about), "licence": LICENCE, "citation": about.citation()}, "rows": records}
    return json.dumps(payload if about else records, ensure_ascii=False, indent=1).encode("utf-8")


@functools.cache  # the server's browser does not change while it runs; footers ask on every run
def chromium() -> str | None:
    """The browser kaleido renders with, or None when the server has none (then no picture downloads)."""
    found = shutil.which("chromium") or shutil.which("google-chrome")
    return found or next((p for p in CHROMIUM_CANDIDATES if Path(p).exists()), None)


def quotable(fig: go.Figure, about: About) -> go.Figure:
    """A copy of the figure that carries its title, the filters, n and the source line inside the picture."""
    out = go.Figure(fig)  # a copy: the page's figure is left as it is
    own = out.layout.title.text or ""
    title = _one_line(own) if own else about.title
    out.update_layout(
        title={"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 20}},
        # Room for the title above and the three lines below; the browser's automatic margins do not apply here.
        margin={"t": 90, "b": 150, "l": max(out.layout.margin.l or 0, 80), "r": max(out.layout.margin.r or 0, 40)},
        width=IMAGE_WIDTH,
        height=IMAGE_HEIGHT,
    )
    lines = [_one_line(about.filters), f"n: {_one_line(about.rows)}", about.source_line()]
    for i, line in enumerate(lines):
        out.add_annotation(
            text=line.replace("<", "&lt;").replace(">", "&gt;"),
            xref="paper",
            yref="paper",
            x=0,
            xanchor="left",
            y=0,
            yanchor="top",
            yshift=-70 - 22 * i,
            showarrow=False,
            align="left",
            font={"size": 13, "color": "#333333"},
        )
    return out


def to_image(fig: go.Figure, about: About, fmt: str) -> bytes:
    """The quotable figure rendered on the server as PNG or SVG (kaleido with the server's Chromium)."""
    import plotly.io as pio

    if fmt not in ("png", "svg"):
        raise ValueError(f"unknown image format '{fmt}'")
    return pio.to_image(quotable(fig, about), format=fmt, width=IMAGE_WIDTH, height=IMAGE_HEIGHT, scale=1)
