"""The dataset's documentation: data/README.md read once, and a data dictionary generated from db/spec.py.

The method page renders these, so the dictionary cannot drift from the
contract: every column comes from db/spec.py, its meaning from the README.
"""

import re
from functools import lru_cache

import pandas as pd

from db import spec, vocab
from db.engine import ROOT

README = ROOT / "data" / "README.md"
_ROW = re.compile(r"^\|\s*(?P<cols>[^|]+?)\s*\|\s*(?P<meaning>.*?)\s*\|\s*$")
_RUBRIC = re.compile(r"^- (?P<level>\d), (?P<name>[^:]+): (?P<text>.*)$")
_EVENT = re.compile(r"`(?P<value>[a-z-]+)` \((?P<meaning>[^)]*)\)")
_DERIVED = {
    "organization_id": "the lead developer (first of organization_ids), added by the build",
    "year": "the year of date, added by the build for aggregation",
    "link_id": "incident_id/model_id[/release_id], added by the build as the key",
    "step_id": "incident_id/date/status, added by the build as the key",
}


@lru_cache(maxsize=1)
def docs() -> str:
    """The text of data/README.md, the dataset's documentation."""
    return README.read_text(encoding="utf-8")


def sections(text: str | None = None) -> dict[str, str]:
    """The README's second-level sections, by heading, with their bodies."""
    out: dict[str, str] = {}
    heading = "introduction"
    for line in (text if text is not None else docs()).splitlines():
        if line.startswith("## "):
            heading = line[3:].strip()
            out[heading] = ""
        elif not line.startswith("# "):
            out[heading] = out.get(heading, "") + line + "\n"
    return {k: v.strip() for k, v in out.items()}


def section(heading: str) -> str:
    """One README section's body; empty when the heading is missing."""
    return sections().get(heading, "")


def column_meanings(text: str | None = None) -> dict[tuple[str, str], str]:
    """(table, column) -> meaning, from the column tables of each '## <table>.csv' section."""
    out: dict[tuple[str, str], str] = {}
    for heading, body in sections(text).items():
        if not heading.endswith(".csv"):
            continue
        table = heading.removesuffix(".csv")
        for line in body.splitlines():
            m = _ROW.match(line)
            if not m or m["cols"] in ("column", "---") or set(m["cols"]) <= {"-"}:
                continue
            for col in (c.strip() for c in m["cols"].split(",")):
                out[(table, col)] = m["meaning"]
    return out


def _meaning(meanings: dict, table: str, col: str) -> str:
    if (table, col) in meanings:
        return meanings[(table, col)]
    if col.endswith("_clause") and (table, "*_clause") in meanings:
        return meanings[(table, "*_clause")]
    return "(not documented in data/README.md)"


def _allowed(col: spec.Col) -> str:
    if col.values:
        return ", ".join(str(v) for v in col.values)
    if col.kind == "level" and col.name == "openness_level":
        return ", ".join(f"{k} {v}" for k, v in vocab.OPENNESS_LEVELS.items())
    if col.kind == "level" and col.name == "severity":
        return ", ".join(f"{k} {v}" for k, v in vocab.SEVERITY.items())
    if col.ref:
        return f"ids from {col.ref}" + (" (';'-separated)" if col.kind == "reflist" else "")
    if col.kind == "sources":
        return "ids from sources (';'-separated)"
    if col.low is not None:
        return f">= {col.low:g}" + (f" and <= {col.high:g}" if col.high is not None else "")
    return ""


def data_dictionary(text: str | None = None) -> pd.DataFrame:
    """Every column of every table: kind, required, allowed values and meaning."""
    meanings = column_meanings(text)
    rows = []
    for table in spec.TABLES:
        for col in table.cols:
            rows.append(
                {
                    "table": table.name,
                    "column": col.name,
                    "kind": col.kind,
                    "required": "yes" if col.required else "no",
                    "key": "yes" if col.name in table.key else "",
                    "allowed values": _allowed(col),
                    "meaning": _meaning(meanings, table.name, col.name),
                }
            )
        for name in table.derived:
            rows.append(
                {
                    "table": table.name,
                    "column": name,
                    "kind": "derived",
                    "required": "yes",
                    "key": "yes" if name.endswith("_id") and name != "organization_id" else "",
                    "allowed values": "",
                    "meaning": _DERIVED.get(name, "added by the build"),
                }
            )
    return pd.DataFrame(rows)


DICTIONARY_SHOWN = ("column", "kind", "required", "key", "allowed values", "meaning")


def dictionary_markdown(dictionary: pd.DataFrame, table: str) -> str:
    """One table's rows of the data dictionary as a Markdown table, so the README's code spans render as code."""
    rows = dictionary[dictionary["table"] == table]
    lines = ["| " + " | ".join(DICTIONARY_SHOWN) + " |", "|" + "---|" * len(DICTIONARY_SHOWN)]
    for row in rows.itertuples(index=False):
        cells = dict(zip(dictionary.columns, row, strict=True))
        cells["column"] = f"`{cells['column']}`"
        lines.append("| " + " | ".join(str(cells[c]).replace("|", "\\|") for c in DICTIONARY_SHOWN) + " |")
    return "\n".join(lines)


def severity_rubric(text: str | None = None) -> pd.DataFrame:
    """The severity rubric: level, name and meaning, from the README's list."""
    body = sections(text).get("incidents.csv", "")
    rows, current = [], None
    for line in body.splitlines():
        m = _RUBRIC.match(line)
        if m:
            current = {"severity": int(m["level"]), "name": m["name"], "meaning": m["text"]}
            rows.append(current)
        elif current and line.startswith("  "):
            current["meaning"] += " " + line.strip()
        else:
            current = None
    return pd.DataFrame(rows, columns=["severity", "name", "meaning"]).sort_values("severity", ascending=False)


def event_types(text: str | None = None) -> pd.DataFrame:
    """Release event types and their meanings, from the README's releases table."""
    meaning = column_meanings(text).get(("releases", "event_type"), "")
    found = {m["value"]: m["meaning"] for m in _EVENT.finditer(meaning)}
    return pd.DataFrame(
        [(v, found.get(v, "(not documented)")) for v in vocab.EVENT_TYPES], columns=["event_type", "meaning"]
    )


def openness_scale() -> pd.DataFrame:
    """The six levels of the gradient of release."""
    return pd.DataFrame(
        [(k, v, vocab.OPENNESS_MEANINGS[k]) for k, v in vocab.OPENNESS_LEVELS.items()],
        columns=["level", "name", "meaning"],
    )


def bibtex(build: dict[str, str]) -> str:
    """A BibTeX entry for the dataset, dated by the build."""
    built = str(build.get("built_at", ""))[:10] or "unknown"
    year = built[:4] if built[:4].isdigit() else "n.d."
    digest = str(build.get("data_hash", ""))[:12] or "unknown"
    return (
        f"@misc{{openness_observatory_{year},\n"
        "  title        = {{Openness Observatory: AI model releases, licences and incidents}},\n"
        "  author       = {{Openness Observatory contributors}},\n"
        f"  year         = {{{year}}},\n"
        "  howpublished = {Dataset and dashboard},\n"
        f"  note         = {{Database built {built} from data version {digest}}}\n"
        "}"
    )
