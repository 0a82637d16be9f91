"""The European Open Source AI Index: one YAML per system, open / partial / closed on each dimension."""

from pathlib import Path
from urllib.parse import quote

from db.importers.common import Entry, load_yaml, tracker_date
from db.validate import Problem

TRACKER_ID = "eosai"
FOLDER = "."
CLASSES = ("open", "partial", "closed")
TEMPLATES = {"a_submission_template.yaml"}  # the blank form contributors copy, not a system
REPO = "https://github.com/Language-Technology-Assessment/main-database/blob"
# The Index's dimensions, in its order; the ones that correspond to our components are mapped below.
DIMENSIONS = (
    "datasources_basemodel",
    "datasources_endmodel",
    "weights_basemodel",
    "weights_endmodel",
    "trainingcode",
    "code",
    "hardware_architecture",
    "preprint",
    "paper",
    "modelcard",
    "datasheet",
    "package",
    "api",
    "licenses",
)
# Our component <- the Index's dimension (same three classes; the Index is where our scale comes from).
COMPONENT_OF = {
    "weights": "weights_endmodel",
    "training_code": "trainingcode",
    "training_data": "datasources_basemodel",
    "documentation": "modelcard",
}


def parse(root: Path, snapshot: str) -> tuple[list[Entry], list[Problem]]:
    """Every system YAML at the top of the snapshot."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    files = sorted(p for p in root.glob("*.yaml") if p.name not in TEMPLATES)
    if not files:
        return [], [Problem(str(root), 0, "", "has no system *.yaml files")]
    for path in files:
        label = path.name
        doc = load_yaml(path.read_text(encoding="utf-8"), label, problems)
        if doc is None:
            continue
        if not isinstance(doc, dict) or not isinstance(doc.get("system"), dict):
            problems.append(Problem(label, 1, "system", "is required (a mapping with the system's name)"))
            continue
        entry = _entry(doc, label, snapshot, problems)
        if entry:
            entries.append(entry)
    return entries, problems


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _entry(doc: dict, label: str, snapshot: str, problems: list[Problem]) -> Entry | None:
    system = doc["system"]
    line = system.get("__line__", 0)
    name = _text(system.get("name"))
    if not name:
        problems.append(Problem(label, line, "system.name", "is required but empty"))
        return None
    classes: dict[str, str] = {}
    notes: list[str] = []
    for dim in DIMENSIONS:
        cell = doc.get(dim)
        if cell is None:
            continue
        if not isinstance(cell, dict):
            problems.append(Problem(label, line, dim, "is not a mapping with a class"))
            continue
        value = _text(cell.get("class")).lower()
        if not value:
            continue
        if value not in CLASSES:
            problems.append(
                Problem(
                    label,
                    cell.get("__line__", line),
                    f"{dim}.class",
                    f"'{value[:40]}' is not one of: {', '.join(CLASSES)}",
                )
            )
            continue
        classes[dim] = value
        if _text(cell.get("notes")):
            notes.append(f"{dim}: {_text(cell.get('notes'))}")
    date, precision, reason = tracker_date(_text(system.get("releasedate")))
    if reason:
        problems.append(Problem(label, line, "system.releasedate", reason))
    end = _text(system.get("endmodelname"))
    base = _text(system.get("basemodelname"))
    org = doc.get("org") if isinstance(doc.get("org"), dict) else {}
    assessed = f"assessed: {end}" + (f" (base {base})" if base else "") if end else ""
    return Entry(
        file=label,
        line=line,
        external_name=name,
        developer=_text(org.get("name")),
        access_class=f"weights {classes['weights_endmodel']}" if "weights_endmodel" in classes else "",
        licence_text=_text(system.get("endmodellicense")),
        date=date,
        date_precision=precision,
        components={ours: classes[theirs] for ours, theirs in COMPONENT_OF.items() if theirs in classes},
        ratings="; ".join(f"{d}={c}" for d, c in classes.items()),
        evidence="; ".join(x for x in (assessed, *notes) if x),
        url=f"{REPO}/{snapshot}/{quote(label)}",
        alternative_names=tuple(n for n in (end,) if n),
    )
