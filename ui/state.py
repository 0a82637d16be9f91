"""View state in the URL: parse query parameters into filters, write the current view back.

Every shared filter and every page choice is a query parameter, so the address
bar always holds the whole view. Invalid or unknown parameters are dropped and
reported as notes, never raised.
"""

import datetime as dt
import re
from dataclasses import asdict, dataclass, field

from db import vocab

FILTER_PARAMS = ("start", "end", "level", "family", "licence", "org", "modality", "itype")
YEAR_RE = re.compile(r"^\d{4}$")
SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-+]{0,127}$")
MAX_LIST = 200


@dataclass(frozen=True)
class Filters:
    """The shared sidebar filters; hashable so query results can be cached on it."""

    start: str | None = None
    end: str | None = None
    openness_levels: tuple[int, ...] = ()
    licence_families: tuple[str, ...] = ()
    licence_ids: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    modalities: tuple[str, ...] = ()
    incident_types: tuple[str, ...] = ()

    def kwargs(self) -> dict:
        """Keyword filters for db.queries functions."""
        return asdict(self)

    def is_default(self) -> bool:
        return self == Filters()

    def describe(self, licence_names: dict | None = None, org_names: dict | None = None) -> str:
        """The active filters in plain words."""
        parts = []
        if self.start or self.end:
            parts.append(f"dates {self.start or 'earliest'} to {self.end or 'latest'}")
        if self.openness_levels:
            parts.append("openness: " + ", ".join(f"{lv} {vocab.OPENNESS_LEVELS[lv]}" for lv in self.openness_levels))
        if self.licence_families:
            parts.append(
                "licence type: " + ", ".join(vocab.LICENCE_FAMILY_LABELS.get(f, f) for f in self.licence_families)
            )
        if self.licence_ids:
            names = licence_names or {}
            parts.append("licences: " + ", ".join(names.get(i, i) for i in self.licence_ids))
        if self.organizations:
            names = org_names or {}
            parts.append("organisations: " + ", ".join(names.get(i, i) for i in self.organizations))
        if self.modalities:
            parts.append("modality: " + ", ".join(self.modalities))
        if self.incident_types:
            parts.append("incident types: " + ", ".join(self.incident_types))
        return "Filters: " + ("; ".join(parts) if parts else "none (all records)")


@dataclass
class Parsed:
    """Filters read from a URL, and what was ignored on the way."""

    filters: Filters
    notes: list[str] = field(default_factory=list)


def _first(value) -> str:
    """Query params may arrive as a list; take the last value as Streamlit does."""
    if isinstance(value, list | tuple):
        return str(value[-1]) if value else ""
    return str(value)


def _split(raw: str) -> list[str]:
    return [p.strip() for p in raw.split(",") if p.strip()][:MAX_LIST]


def parse_date(raw: str, end: bool = False) -> str | None:
    """A year (2019) or an ISO date; a year means its first day (or last, for an end bound)."""
    raw = raw.strip()
    if YEAR_RE.match(raw):
        year = int(raw)
        if 1950 <= year <= 2100:
            return f"{year}-12-31" if end else f"{year}-01-01"
        return None
    try:
        return dt.date.fromisoformat(raw).isoformat() if len(raw) == 10 else None
    except ValueError:
        return None


def _choices(name: str, raw: str, allowed, notes: list[str]) -> tuple:
    kept, dropped = [], []
    for item in _split(raw):
        (kept if item in allowed else dropped).append(item)
    if dropped:
        notes.append(f"Ignored {name}={','.join(_clip(d) for d in dropped)}: not a known value.")
    return tuple(dict.fromkeys(kept))


def _clip(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[:n] + "…"


def parse_filters(params: dict, licence_ids=(), organization_ids=()) -> Parsed:
    """Filters from query parameters; unknown values are dropped with a note."""
    notes: list[str] = []
    get = {k: _first(v) for k, v in params.items()}
    start = end = None
    if get.get("start"):
        start = parse_date(get["start"])
        if start is None:
            notes.append(f"Ignored start={_clip(get['start'])}: not a year or a YYYY-MM-DD date.")
    if get.get("end"):
        end = parse_date(get["end"], end=True)
        if end is None:
            notes.append(f"Ignored end={_clip(get['end'])}: not a year or a YYYY-MM-DD date.")
    if start and end and start > end:
        notes.append(f"Ignored start and end: start ({start}) is after end ({end}).")
        start = end = None
    levels = _choices("level", get.get("level", ""), [str(k) for k in vocab.OPENNESS_LEVELS], notes)
    filters = Filters(
        start=start,
        end=end,
        openness_levels=tuple(int(v) for v in levels),
        licence_families=_choices("family", get.get("family", ""), (*vocab.LICENCE_FAMILIES, vocab.UNKNOWN), notes),
        licence_ids=_choices("licence", get.get("licence", ""), set(licence_ids), notes),
        organizations=_choices("org", get.get("org", ""), set(organization_ids), notes),
        modalities=_choices("modality", get.get("modality", ""), vocab.MODALITIES, notes),
        incident_types=_choices("itype", get.get("itype", ""), vocab.INCIDENT_TYPES, notes),
    )
    return Parsed(filters, notes)


def filters_to_params(f: Filters) -> dict[str, str]:
    """Query parameters for the filters (only the ones that are set)."""
    out = {
        "start": _short(f.start, "-01-01"),
        "end": _short(f.end, "-12-31"),
        "level": ",".join(str(v) for v in f.openness_levels),
        "family": ",".join(f.licence_families),
        "licence": ",".join(f.licence_ids),
        "org": ",".join(f.organizations),
        "modality": ",".join(f.modalities),
        "itype": ",".join(f.incident_types),
    }
    return {k: v for k, v in out.items() if v}


def unknown_params(params: dict, page_params: set[str]) -> list[str]:
    """Notes for parameter names that neither the filters nor the page know."""
    known = set(FILTER_PARAMS) | set(page_params)
    return [f"Ignored unknown URL parameter '{_clip(k)}'." for k in params if k not in known]


def _short(day: str | None, year_suffix: str) -> str:
    """A whole-year bound as its year (2019), any other date as is."""
    if not day:
        return ""
    return day[:4] if day.endswith(year_suffix) else day
