"""Epoch AI's Data on AI Models: the model CSV files, read by their documented column names."""

import csv
import io
from pathlib import Path

from db.importers.common import Entry, tracker_date
from db.validate import Problem

TRACKER_ID = "epoch-ai"
URL = "https://epoch.ai/data/ai-models"
REQUIRED = ("Model", "Organization", "Publication date", "Model accessibility")
ACCESSIBILITY = (
    "Unreleased",
    "Hosted access (no API)",
    "API access",
    "Limited access",
    "Open weights (restricted use)",
    "Open weights (non-commercial)",
    "Open weights (unrestricted)",
)
CODE = (
    "Unreleased",
    "Open source",
    "Open (restricted use)",
    "Open (non-commercial)",
    "Open access (restricted use)",
    "Open access (non-commercial)",
)


def _released(value: str) -> str:
    """Our component state from an Epoch accessibility value: released under any terms is open, else closed."""
    if value in ("", "Limited access"):  # Epoch does not say whether limited access includes the weights
        return ""
    return "closed" if value in ("Unreleased", "Hosted access (no API)", "API access") else "open"


def parse(files: list[Path], snapshot: str) -> tuple[list[Entry], list[Problem]]:
    """Every row of the CSV files; a model named in an earlier file is kept from that file."""
    entries: dict[str, Entry] = {}
    problems: list[Problem] = []
    for path in files:
        label = path.name
        reader = csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline=""))
        missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            problems += [Problem(label, 1, c, "column is missing from the header") for c in missing]
            continue
        line = 1
        for row in reader:
            line = reader.line_num
            entry = _entry(row, label, line, problems)
            if entry and entry.external_name not in entries:
                entries[entry.external_name] = entry
    return list(entries.values()), problems


def _entry(row: dict, label: str, line: int, problems: list[Problem]) -> Entry | None:
    name = (row.get("Model") or "").strip()
    if not name:
        problems.append(Problem(label, line, "Model", "is required but empty"))
        return None
    access = (row.get("Model accessibility") or "").strip()
    if access and access not in ACCESSIBILITY:
        problems.append(
            Problem(label, line, "Model accessibility", f"'{access[:40]}' is not one of: {', '.join(ACCESSIBILITY)}")
        )
    codes = {}
    for column, ours in (
        ("Training code accessibility", "training_code"),
        ("Inference code accessibility", "inference_code"),
    ):
        value = (row.get(column) or "").strip()
        if value and value not in CODE:
            problems.append(Problem(label, line, column, f"'{value[:40]}' is not one of: {', '.join(CODE)}"))
        elif value:
            codes[ours] = value
    date, precision, reason = tracker_date(row.get("Publication date") or "")
    if reason:
        problems.append(Problem(label, line, "Publication date", reason))
    components = {"weights": _released(access)} if access else {}
    components |= {ours: _released(v) for ours, v in codes.items()}
    ratings = "; ".join(
        f"{k}={v}"
        for k, v in (
            ("Model accessibility", access),
            *(
                (c, codes.get(o, ""))
                for c, o in (
                    ("Training code accessibility", "training_code"),
                    ("Inference code accessibility", "inference_code"),
                )
            ),
        )
        if v
    )
    notes = (row.get("Accessibility notes") or "").strip()
    link = (row.get("Link") or "").strip()
    return Entry(
        file=label,
        line=line,
        external_name=name,
        developer=(row.get("Organization") or "").strip(),
        access_class=access,
        date=date,
        date_precision=precision,
        components={k: v for k, v in components.items() if v},
        ratings=ratings,
        evidence="; ".join(x for x in (notes, f"Epoch's link: {link}" if link else "") if x),
        url=URL,
    )
