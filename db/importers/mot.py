"""The Model Openness Tool (LF AI & Data): models/*.yml, the components each release includes and their licences."""

from pathlib import Path
from urllib.parse import quote

from db.importers.common import Entry, load_yaml
from db.validate import Problem

TRACKER_ID = "mot"
FOLDER = "models"
REPO = "https://github.com/lfai/model_openness_tool/blob"
# Our component <- the Model Openness Framework components that make it up.
COMPONENT_OF = {
    "weights": ("Model parameters (Final)",),
    "inference_code": ("Inference code",),
    "training_code": ("Training code",),
    "training_data": ("Datasets",),
    "documentation": ("Model card",),
}


def parse(root: Path, snapshot: str) -> tuple[list[Entry], list[Problem]]:
    """Every model file in the snapshot's models folder."""
    entries: list[Entry] = []
    problems: list[Problem] = []
    files = sorted((root / FOLDER).glob("*.yml"))
    if not files:
        return [], [Problem(str(root / FOLDER), 0, "", "has no *.yml model files")]
    for path in files:
        label = f"{FOLDER}/{path.name}"
        doc = load_yaml(path.read_text(encoding="utf-8"), label, problems)
        if doc is None:
            continue
        release = doc.get("release") if isinstance(doc, dict) else None
        if not isinstance(release, dict):
            problems.append(Problem(label, 1, "release", "is required (a mapping with the release's name)"))
            continue
        entry = _entry(release, label, snapshot, problems)
        if entry:
            entries.append(entry)
    return entries, problems


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _entry(release: dict, label: str, snapshot: str, problems: list[Problem]) -> Entry | None:
    line = release.get("__line__", 0)
    name = _text(release.get("name"))
    if not name:
        problems.append(Problem(label, line, "release.name", "is required but empty"))
        return None
    components = release.get("components") or []
    if not isinstance(components, list):
        problems.append(Problem(label, line, "release.components", "is not a list"))
        components = []
    listed: dict[str, str] = {}
    for comp in components:
        if not isinstance(comp, dict) or not _text(comp.get("name")):
            problems.append(Problem(label, line, "release.components", "has a component without a name"))
            continue
        listed[_text(comp["name"])] = _text(comp.get("license")) or "no licence given"
    licence = release.get("license") if isinstance(release.get("license"), dict) else {}
    distribution = licence.get("distribution") if isinstance(licence.get("distribution"), dict) else {}
    weights = listed.get("Model parameters (Final)")
    return Entry(
        file=label,
        line=line,
        external_name=name,
        developer=_text(release.get("producer")),
        access_class=f"weights listed ({weights})" if weights else "weights not listed",
        licence_text=_text(distribution.get("name")) or (weights or ""),
        components={
            ours: "open" if any(c in listed for c in theirs) else "closed" for ours, theirs in COMPONENT_OF.items()
        },
        ratings="; ".join(f"{c}: {lic}" for c, lic in listed.items()),
        evidence=f"entry dated {_text(release.get('date'))}" if _text(release.get("date")) else "",
        url=f"{REPO}/{snapshot}/{quote(label)}",
    )
