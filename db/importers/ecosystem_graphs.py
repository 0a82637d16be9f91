"""Stanford CRFM's Ecosystem Graphs: the model assets of assets/*.yaml (access open / limited / closed)."""

from pathlib import Path
from urllib.parse import quote

from db.importers.common import Entry, explanation_of, load_yaml, tracker_date, value_of
from db.validate import Problem

TRACKER_ID = "ecosystem-graphs"
FOLDER = "assets"
ACCESS = ("open", "limited", "closed")
REPO = "https://github.com/stanford-crfm/ecosystem-graphs/blob"


def parse(root: Path, snapshot: str) -> tuple[list[Entry], list[Problem]]:
    """Every asset of type 'model' in the snapshot's assets folder; problems name file, line and field."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    files = sorted((root / FOLDER).glob("*.yaml"))
    if not files:
        return [], [Problem(str(root / FOLDER), 0, "", "has no *.yaml asset files")]
    for path in files:
        label = f"{FOLDER}/{path.name}"
        assets = load_yaml(path.read_text(encoding="utf-8"), label, problems)
        if assets is None:
            continue
        if not isinstance(assets, list):
            problems.append(Problem(label, 1, "", "is not a list of assets"))
            continue
        for asset in assets:
            if isinstance(asset, dict) and asset.get("type") == "model":
                entry = _entry(asset, label, snapshot, problems)
                if entry:
                    entries.append(entry)
    return entries, problems


def _entry(asset: dict, label: str, snapshot: str, problems: list[Problem]) -> Entry | None:
    line = asset.get("__line__", 0)
    name = value_of(asset.get("name"))
    if not name:
        problems.append(Problem(label, line, "name", "is required but empty"))
        return None
    access = value_of(asset.get("access")).lower()
    if access not in ACCESS:
        problems.append(Problem(label, line, "access", f"'{access[:40]}' is not one of: {', '.join(ACCESS)}"))
    date, precision, reason = tracker_date(value_of(asset.get("created_date")))
    if reason:
        problems.append(Problem(label, line, "created_date", reason))
    evidence = "; ".join(
        f"{field}: {text}"
        for field in ("access", "license", "created_date")
        if (text := explanation_of(asset.get(field)))
    )
    return Entry(
        file=label,
        line=line,
        external_name=name,
        developer=value_of(asset.get("organization")),
        access_class=access,
        licence_text=value_of(asset.get("license")),
        date=date,
        date_precision=precision,
        ratings=f"access={access}",
        evidence=evidence,
        url=f"{REPO}/{snapshot}/{quote(label)}#L{line}",
    )
