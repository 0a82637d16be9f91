"""What every importer shares: YAML with line numbers, name matching, and the all-or-nothing write."""

import csv
import datetime as dt
import io
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from db import spec, vocab
from db.validate import Problem, ValidationError, load_dataset, parse_date, split_list

MATCH_WINDOW_DAYS = 365  # the exact-name rule: the tracker's date lies within a year of one of our release events
EMPTY_VALUES = {"", "none", "unknown", "n/a", "na", "null", "tbd", "-"}


@dataclass
class Entry:
    """One model as a tracker describes it, before matching; `line` points into `file`."""

    file: str
    line: int
    external_name: str
    developer: str = ""
    access_class: str = ""
    licence_text: str = ""
    date: str | None = None
    date_precision: str | None = None
    components: dict[str, str] = field(default_factory=dict)
    ratings: str = ""
    evidence: str = ""
    url: str = ""
    alternative_names: tuple[str, ...] = ()


class LineLoader(yaml.SafeLoader):
    """A safe YAML loader that records the line of every mapping under the key '__line__'."""


def _mapping_with_line(loader: LineLoader, node: yaml.MappingNode) -> dict:
    mapping = loader.construct_mapping(node, deep=True)
    mapping["__line__"] = node.start_mark.line + 1
    return mapping


LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping_with_line)
# Dates stay text, so the importer (not the YAML parser) decides what a valid date is.
LineLoader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str, label: str, problems: list[Problem]):
    """Parse YAML text; a syntax error becomes a problem at its line."""
    try:
        return yaml.load(text, Loader=LineLoader)  # noqa: S506 - LineLoader is a SafeLoader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problems.append(Problem(label, mark.line + 1 if mark else 0, "", f"is not valid YAML ({exc})".split("\n")[0]))
        return None


def value_of(field_value) -> str:
    """The value of an Ecosystem-Graphs-style field: plain text, or a mapping with 'value'."""
    if isinstance(field_value, dict):
        field_value = field_value.get("value")
    return "" if field_value is None else str(field_value).strip()


def explanation_of(field_value) -> str:
    return str(field_value.get("explanation") or "").strip() if isinstance(field_value, dict) else ""


def tracker_date(text: str) -> tuple[str | None, str | None, str | None]:
    """(ISO date, precision, reason-if-invalid) from YYYY-MM-DD, YYYY-MM or YYYY; empty or 'unknown' is no date."""
    text = str(text or "").strip().strip("'\"")
    if text.lower() in EMPTY_VALUES:
        return None, None, None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return (text, "day", None) if parse_date(text) else (None, None, f"'{text}' is not a calendar date")
    if re.fullmatch(r"\d{4}-\d{1,2}", text):
        year, month = text.split("-")
        day = f"{year}-{int(month):02d}-01"
        return (day, "month", None) if parse_date(day) else (None, None, f"'{text}' is not a calendar month")
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01", "year", None
    return None, None, f"'{text[:40]}' is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"


def normalise(name: str) -> str:
    """A name for comparison: compatibility forms folded, case folded, only letters and digits kept."""
    return "".join(ch for ch in unicodedata.normalize("NFKC", name).casefold() if ch.isalnum())


def developer_tokens(text: str) -> set[str]:
    """The organisations a tracker names for a model (',', ';', '/', '&' or ' and ' separated), normalised."""
    return {normalise(t) for t in re.split(r"[,;/&]| and ", text or "") if normalise(t)}


def read_rows(path: Path, table: spec.TableSpec) -> list[dict]:
    """The rows of one data file as text (validation happens on the whole folder before anything is written)."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


MIN_DEVELOPER_CHARS = 5  # shorter names ('ai', 'meta') are compared whole, never as parts of longer ones


def shares_developer(theirs: set[str], ours: set[str]) -> bool:
    """Whether a tracker's developer is one of ours: equal normalised names, or one containing the other."""
    return any(
        t == o or (min(len(t), len(o)) >= MIN_DEVELOPER_CHARS and (t in o or o in t)) for t in theirs for o in ours
    )


@dataclass
class Outcome:
    """What a match found: assessments to write, names matched by each rule, names left unmatched with why."""

    matched: list[tuple[Entry, str, str]]  # entry, model id, reviewed_by
    unmatched: list[tuple[Entry, str]]


class Matcher:
    """Maps a tracker's names to our models: curators' rows first, then same name + shared developer + date."""

    def __init__(self, data_dir: Path, tracker_id: str):
        self.tracker_id = tracker_id
        models = read_rows(data_dir / "models.csv", spec.MODELS)
        orgs = {o["organization_id"]: o for o in read_rows(data_dir / "organizations.csv", spec.ORGANIZATIONS)}
        self.dates: dict[str, list[dt.date]] = {}
        for r in read_rows(data_dir / "releases.csv", spec.RELEASES):
            day = parse_date(r["date"])
            if day:
                self.dates.setdefault(r["model_id"], []).append(day)
        self.by_name: dict[str, set[str]] = {}
        self.developers: dict[str, set[str]] = {}
        for m in models:
            self.by_name.setdefault(normalise(m["name"]), set()).add(m["model_id"])
            names: set[str] = set()
            for org_id in split_list(m["organization_ids"]):
                org = orgs.get(org_id, {})
                names |= {normalise(org_id), normalise(org.get("name", ""))}
                names |= {normalise(a) for a in split_list(org.get("aliases"))}
            self.developers[m["model_id"]] = names - {""}
        self.curated = {
            r["external_name"]: r["model_id"]
            for r in read_rows(data_dir / "tracker_names.csv", spec.TRACKER_NAMES)
            if r["tracker_id"] == tracker_id and r["reviewed_by"] == "curator"
        }

    def match(self, entries: list[Entry]) -> tuple[Outcome, list[Problem]]:
        """Match every entry; a name equal to two of our models' names is a problem, never a guess."""
        matched, unmatched, problems = [], [], []
        for e in entries:
            if e.external_name in self.curated:
                matched.append((e, self.curated[e.external_name], "curator"))
                continue
            found, why = None, "no model of ours has this name"
            for name in (e.external_name, *e.alternative_names):
                ids = self.by_name.get(normalise(name), set())
                if len(ids) > 1:
                    problems.append(
                        Problem(e.file, e.line, "name", f"'{name}' matches several models: {', '.join(sorted(ids))}")
                    )
                    found, why = None, "matches several models"
                    break
                if ids:
                    model_id = next(iter(ids))
                    why = self._disagreement(e, model_id)
                    found = None if why else model_id
                    break
            if found:
                matched.append((e, found, "exact-name"))
            else:
                unmatched.append((e, why))
        return Outcome(matched, unmatched), problems

    def _disagreement(self, e: Entry, model_id: str) -> str | None:
        """Why a same-name model is not the tracker's model (other developer, far-off date), or None."""
        if not shares_developer(developer_tokens(e.developer), self.developers.get(model_id, set())):
            return f"same name as '{model_id}' but the developer '{e.developer}' is not one of ours"
        day = parse_date(e.date or "")
        ours = self.dates.get(model_id, [])
        if day and ours and min(abs((day - d).days) for d in ours) > MATCH_WINDOW_DAYS:
            return f"same name as '{model_id}' but dated {e.date}, over a year from each of our release events"
        return None


def qualify_duplicates(entries: list[Entry]) -> list[Entry]:
    """A name a tracker uses for two entries (in two files) is qualified by the file, so neither is dropped."""
    counts: dict[str, int] = {}
    for e in entries:
        counts[e.external_name] = counts.get(e.external_name, 0) + 1
    for e in entries:
        if counts[e.external_name] > 1:
            e.alternative_names = (e.external_name, *e.alternative_names)
            e.external_name = f"{e.external_name} ({e.file})"
    return entries


def snapshot_folder(source: Path, expected_commit: str, folder: str, work: Path) -> Path:
    """A readable folder of the snapshot: `source` itself, or unpacked from a bare git repository at its HEAD.

    A git repository must be at the snapshot commit recorded in data/trackers.csv, so the data says what it read.
    """
    if not (source / "HEAD").exists() or not (source / "objects").is_dir():
        return source
    head = subprocess.run(
        ["git", "-C", str(source), "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    if not head.startswith(expected_commit) and not expected_commit.startswith(head):
        raise ValidationError(
            [
                Problem(
                    str(source),
                    0,
                    "",
                    f"is at commit {head[:12]}, not the snapshot {expected_commit[:12]} in data/trackers.csv",
                )
            ]
        )
    archive = subprocess.run(["git", "-C", str(source), "archive", "HEAD", folder], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(work)], input=archive.stdout, check=True)
    return work


def tracker_row(data_dir: Path, tracker_id: str) -> dict:
    """The tracker's row of data/trackers.csv (its snapshot, URL and terms)."""
    for row in read_rows(data_dir / "trackers.csv", spec.TRACKERS):
        if row["tracker_id"] == tracker_id:
            return row
    raise ValidationError([Problem("data/trackers.csv", 0, "tracker_id", f"has no row for '{tracker_id}'")])


def _csv_text(table: spec.TableSpec, rows: list[dict]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=table.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows({c: r.get(c) or "" for c in table.columns} for r in rows)
    return out.getvalue()


def assessment_row(tracker: dict, entry: Entry, model_id: str) -> dict:
    """The assessments.csv row of one matched entry."""
    row = {
        "tracker_id": tracker["tracker_id"],
        "external_name": entry.external_name,
        "model_id": model_id,
        "snapshot": tracker["snapshot"],
        "access_class": entry.access_class,
        "licence_text": entry.licence_text,
        "date": entry.date or "",
        "date_precision": entry.date_precision or "",
        "ratings": entry.ratings,
        "evidence": entry.evidence[:2000],
        "url": entry.url,
    }
    row.update({c: entry.components.get(c, "") for c in vocab.COMPONENTS})
    return row


def write(data_dir: Path, tracker_id: str, outcome: Outcome, tracker: dict, today: dt.date | None = None) -> None:
    """Replace the tracker's mapping and assessment rows, after the whole folder validates with them."""
    names = [r for r in read_rows(data_dir / "tracker_names.csv", spec.TRACKER_NAMES)]
    names = [r for r in names if r["tracker_id"] != tracker_id or r["reviewed_by"] == "curator"]
    seen = {(r["tracker_id"], r["external_name"]) for r in names}
    problems = []
    first: dict[str, Entry] = {}
    for entry, model_id, reviewed_by in outcome.matched:
        if entry.external_name in first:
            other = first[entry.external_name]
            problems.append(
                Problem(
                    entry.file,
                    entry.line,
                    "name",
                    f"'{entry.external_name}' appears twice (first at {other.file}:{other.line})",
                )
            )
            continue
        first[entry.external_name] = entry
        if (tracker_id, entry.external_name) not in seen:
            names.append(
                {
                    "tracker_id": tracker_id,
                    "external_name": entry.external_name,
                    "model_id": model_id,
                    "reviewed_by": reviewed_by,
                }
            )
    if problems:
        raise ValidationError(problems)
    names.sort(key=lambda r: (r["tracker_id"], r["external_name"].casefold(), r["external_name"]))
    kept = [r for r in read_rows(data_dir / "assessments.csv", spec.ASSESSMENTS) if r["tracker_id"] != tracker_id]
    rows = kept + [assessment_row(tracker, e, m) for e, m, _ in outcome.matched]
    rows.sort(key=lambda r: (r["tracker_id"], r["external_name"].casefold(), r["external_name"]))
    texts = {
        "tracker_names.csv": _csv_text(spec.TRACKER_NAMES, names),
        "assessments.csv": _csv_text(spec.ASSESSMENTS, rows),
    }
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "data"
        shutil.copytree(data_dir, trial, ignore=shutil.ignore_patterns("*.db*", ".*"))
        for name, text in texts.items():
            (trial / name).write_text(text, encoding="utf-8")
        load_dataset(trial, today)
    for name, text in texts.items():
        target = data_dir / name
        partial = target.with_name(f".{name}.importing")
        partial.write_text(text, encoding="utf-8")
        os.replace(partial, target)
