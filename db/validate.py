"""Validation of data files and imports: every problem named by file, line, column and reason."""

import codecs
import csv
import datetime as dt
import functools
import io
import json
import math
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from confusable_homoglyphs import confusables

from db import spec

ID_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]{0,127}$")
LICENCE_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9.\-+]{0,127}$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
JURISDICTION_RE = re.compile(r"^([A-Z]{2}|EU|global)$")
DATE_RE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
URL_RE = re.compile(r"^https?://[^\s<>\"']+$")
CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# Bidirectional controls can make a name display as another ("LLaMA" from reversed text): refused everywhere.
BIDI_RE = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
# Invisible characters make two ids or names that look the same differ: refused in ids and names.
INVISIBLE_RE = re.compile("[\u00ad\u180e\u200b-\u200d\u2060-\u2064\ufeff]")
NAME_COLUMNS = ("name", "title")
INT_RE = re.compile(r"-?[0-9]+")
FLOAT_RE = re.compile(r"-?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?")
INT64_MAX = 2**63 - 1  # the largest integer SQLite and PostgreSQL (BIGINT) store
MAX_TEXT = 10_000
EARLIEST = dt.date(1950, 1, 1)
SHOWN_PROBLEMS = 50


def printable(text: str) -> str:
    """Text safe for a terminal: control and format characters (ESC, CR, bidi controls) shown as escapes."""
    return "".join(
        ch if ch == "\n" or unicodedata.category(ch) not in ("Cc", "Cf") else ch.encode("unicode_escape").decode()
        for ch in text
    )


@dataclass(frozen=True)
class Problem:
    """One thing wrong with one cell (or row, or file)."""

    file: str
    line: int
    column: str
    reason: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: column '{self.column}': {self.reason}" if self.column else f"{where}: {self.reason}"


class ValidationError(Exception):
    """Raised with every problem found; nothing has been written when it is raised."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.report())

    def report(self, limit: int = SHOWN_PROBLEMS) -> str:
        lines = [str(p) for p in self.problems[:limit]]
        more = len(self.problems) - limit
        if more > 0:
            lines.append(f"... and {more} more problem{'s' if more > 1 else ''}")
        return "\n".join(lines)


@dataclass(slots=True)
class Record:
    """A validated row: where it came from and its typed values."""

    file: str
    line: int
    values: Mapping


class Facts(Mapping):
    """A few values of a row in a tuple under a shared column index: a slim record's values, small in memory."""

    __slots__ = ("_index", "_cells")

    def __init__(self, index: dict[str, int], cells: tuple):
        self._index, self._cells = index, cells

    def __getitem__(self, name: str):
        return self._cells[self._index[name]]

    def __iter__(self) -> Iterator[str]:
        return iter(self._index)

    def __len__(self) -> int:
        return len(self._index)


def split_list(cell: str | None) -> list[str]:
    """The items of a ';'-separated cell."""
    return [item.strip() for item in (cell or "").split(";") if item.strip()]


def parse_date(text: str) -> dt.date | None:
    """An ISO date, or None when the text is not a real calendar date."""
    if not DATE_RE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _convert(col: spec.Col, raw: str, today: dt.date) -> tuple[object, str | None]:
    """Convert one non-empty cell; returns (value, reason-if-invalid)."""
    kind = col.kind
    if CONTROL_RE.search(raw):
        return None, "contains control characters"
    if BIDI_RE.search(raw):
        return None, "contains bidirectional control characters (they can disguise text)"
    raw = unicodedata.normalize("NFC", raw)
    if (kind in ("id", "licence_id", "ref", "reflist", "sources") or col.name in NAME_COLUMNS) and INVISIBLE_RE.search(
        raw
    ):
        return None, "contains invisible characters (zero-width or soft hyphen)"
    if len(raw) > MAX_TEXT:
        return None, f"is longer than {MAX_TEXT} characters"
    if kind == "id":
        return raw, None if ID_RE.match(raw) else f"'{raw}' is not a valid id (lowercase a-z, 0-9, '.', '-')"
    if kind in ("ref",) and col.ref != "licences":
        return raw, None if ID_RE.match(raw) else f"'{raw}' is not a valid id"
    if kind == "licence_id" or (kind == "ref" and col.ref == "licences"):
        return raw, None if LICENCE_ID_RE.match(raw) else f"'{raw}' is not a valid licence id"
    if kind in ("enum", "precision"):
        if raw in col.values:
            return raw, None
        return None, f"'{raw}' is not one of: {', '.join(col.values)}"
    if kind == "enumlist":
        items = split_list(raw)
        bad = [i for i in items if i not in col.values]
        if bad or not items:
            return None, f"'{bad[0] if bad else raw}' is not one of: {', '.join(col.values)}"
        return ";".join(items), None
    if kind in ("int", "level"):
        if not INT_RE.fullmatch(raw):
            return None, f"'{raw[:40]}' is not a whole number (digits 0-9)"
        value = int(raw)
        if abs(value) > INT64_MAX:
            return None, f"'{raw[:40]}' is too large to store (the limit is {INT64_MAX:,})"
        return value, _range_reason(col, value)
    if kind == "float":
        if not FLOAT_RE.fullmatch(raw) and raw.lower() not in ("inf", "-inf", "nan", "infinity", "-infinity"):
            return None, f"'{raw[:40]}' is not a number"
        value = float(raw)
        if not math.isfinite(value):
            return None, f"'{raw}' is not a finite number"
        return value, _range_reason(col, value)
    if kind == "date":
        day = parse_date(raw)
        if day is None:
            return None, f"'{raw}' is not a valid date (YYYY-MM-DD)"
        if day > today:
            return None, f"'{raw}' is in the future"
        if day < EARLIEST:
            return None, f"'{raw}' is before {EARLIEST.isoformat()}"
        return raw, None
    if kind == "url":
        return raw, None if URL_RE.match(raw) else f"'{raw[:80]}' is not an http(s) URL"
    if kind == "country":
        return raw, None if COUNTRY_RE.match(raw) else f"'{raw}' is not an ISO 3166-1 alpha-2 code"
    if kind == "jurisdiction":
        ok = JURISDICTION_RE.match(raw)
        return raw, None if ok else f"'{raw}' is not an ISO alpha-2 code, 'EU' or 'global'"
    if kind in ("reflist", "sources"):
        items = split_list(raw)
        bad = [i for i in items if not ID_RE.match(i)]
        return ";".join(items), f"'{bad[0]}' is not a valid id" if bad else None
    return raw, None


def _range_reason(col: spec.Col, value: float) -> str | None:
    if col.low is not None and value < col.low:
        return f"{value:g} is below the minimum {col.low:g}" if value >= 0 else f"{value:g} is negative"
    if col.high is not None and value > col.high:
        return f"{value:g} is above the maximum {col.high:g}"
    return None


def check_row(table: spec.TableSpec, file: str, line: int, row: dict, today: dt.date) -> tuple[Record, list[Problem]]:
    """Type-check one row against its table's columns."""
    problems: list[Problem] = []
    values: dict = {}
    for col in table.cols:
        raw = (row.get(col.name) or "").strip()
        if not raw:
            values[col.name] = None
            if col.required:
                problems.append(Problem(file, line, col.name, "is required but empty"))
            continue
        value, reason = _convert(col, raw, today)
        if reason:
            problems.append(Problem(file, line, col.name, reason))
        values[col.name] = value
    problems += _row_rules(table, file, line, values)
    return Record(file, line, values), problems


def _row_rules(table: spec.TableSpec, file: str, line: int, v: dict) -> list[Problem]:
    """Rules that involve more than one cell of the same row."""
    problems = []
    for date_col in ("date", "reported_date"):
        precision = v.get(f"{date_col}_precision")
        if v.get(date_col) and precision:
            day = dt.date.fromisoformat(v[date_col])
            if precision == "month" and day.day != 1:
                problems.append(Problem(file, line, date_col, "month precision needs the first day of the month"))
            if precision == "year" and (day.month, day.day) != (1, 1):
                problems.append(Problem(file, line, date_col, "year precision needs January 1st"))
        if f"{date_col}_precision" in table.columns and not table.col(date_col).required:
            if bool(v.get(date_col)) != bool(precision):
                problems.append(
                    Problem(file, line, f"{date_col}_precision", f"must be given exactly when {date_col} is given")
                )
    if table.name == "compute_estimates":
        if v.get("basis") == "estimated" and not v.get("estimated_by"):
            problems.append(Problem(file, line, "estimated_by", "is required when the figure is estimated"))
        if v.get("estimated_by") and v.get("basis") != "estimated":
            problems.append(Problem(file, line, "estimated_by", "is only for estimated figures"))
    if table.name == "benchmarks" and None not in (v.get("floor"), v.get("ceiling")):
        if v["floor"] >= v["ceiling"]:
            problems.append(Problem(file, line, "ceiling", "must be above the floor"))
    if table.name == "licences":
        kind, value = v.get("scale_threshold_kind"), v.get("scale_threshold_value")
        if kind in ("users", "revenue") and value is None:
            problems.append(Problem(file, line, "scale_threshold_value", f"is required when the threshold is {kind}"))
        if kind == "none" and value is not None:
            problems.append(Problem(file, line, "scale_threshold_value", "must be empty when the threshold is none"))
        if v.get("scale_threshold_counted") and kind not in ("users", "revenue"):
            problems.append(Problem(file, line, "scale_threshold_counted", "is only for a user or revenue threshold"))
        if v.get("output_training") and not v.get("output_training_clause"):
            problems.append(Problem(file, line, "output_training_clause", "is required when output_training is given"))
    if table.name == "models":
        problems += _figure_rules(file, line, v)
    if table.name == "models" and v.get("base_model_id") and v.get("base_model_id") == v.get("model_id"):
        problems.append(Problem(file, line, "base_model_id", "a model cannot be its own base model"))
    if table.name == "sources" and v.get("date_published") and v.get("date_accessed"):
        if v["date_published"] > v["date_accessed"]:
            problems.append(Problem(file, line, "date_published", "is after date_accessed"))
    return problems


def _figure_rules(file: str, line: int, v: dict) -> list[Problem]:
    """A size or compute figure says how it is known; an estimate says by whom."""
    problems = []
    for value, basis in (("parameters", "parameters_basis"), ("training_compute_flop", "compute_basis")):
        if v.get(value) is not None and not v.get(basis):
            problems.append(Problem(file, line, basis, f"is required when {value} is given"))
        if v.get(value) is None and v.get(basis):
            problems.append(Problem(file, line, basis, f"must be empty when {value} is empty"))
    if v.get("compute_basis") == "estimated" and not v.get("compute_estimated_by"):
        problems.append(Problem(file, line, "compute_estimated_by", "is required when the compute is estimated"))
    if v.get("compute_estimated_by") and v.get("compute_basis") != "estimated":
        problems.append(Problem(file, line, "compute_estimated_by", "is only for estimated compute"))
    return problems


def read_csv(path: Path, table: spec.TableSpec, today: dt.date, label: str | None = None):
    """Read and type-check one data file; returns (records, problems)."""
    return _collect(iter_csv(path, table, today, label))


def iter_csv(
    path: Path, table: spec.TableSpec, today: dt.date, label: str | None = None
) -> Iterator[tuple[Record | None, list[Problem]]]:
    """Type-check one data file row by row, never holding the whole file: (record or None, its problems)."""
    label = label or str(path)
    if not path.exists():
        yield None, [Problem(label, 0, "", "file is missing")]
        return
    bad_encoding = _utf8_problem(path, label)
    if bad_encoding:
        yield None, [bad_encoding]
        return
    with path.open(encoding="utf-8", newline="") as fh:
        yield from _iter_rows(fh, table, today, label)


def _utf8_problem(path: Path, label: str) -> Problem | None:
    """The first invalid UTF-8 byte of a file as a problem, read in blocks (the file is not held at once)."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as fh:
        try:
            while block := fh.read(1 << 20):
                decoder.decode(block)
            decoder.decode(b"", final=True)
            return None
        except UnicodeDecodeError:
            pass
    data = path.read_bytes()  # only on the error path: the offset and its line need the whole file
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line, column = _byte_position(data, exc.start)
        return Problem(label, line, column, f"is not valid UTF-8 ({exc.reason} at byte {exc.start})")
    return None


def _byte_position(data: bytes, offset: int) -> tuple[int, str]:
    """The line number and header column of a byte offset in a CSV file (for encoding errors)."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    header = next(csv.reader([data.split(b"\n", 1)[0].decode("utf-8", "replace")]), [])
    cells = max(len(next(csv.reader([data[line_start:offset].decode("utf-8", "replace")]), [])), 1)
    column = header[cells - 1].strip() if cells <= len(header) else ""
    return data.count(b"\n", 0, offset) + 1, column


def read_csv_text(text: str, table: spec.TableSpec, today: dt.date, label: str):
    """Type-check CSV text for one table; returns (records, problems)."""
    return _collect(_iter_rows(io.StringIO(text, newline=""), table, today, label))


def _collect(checked: Iterable[tuple[Record | None, list[Problem]]]) -> tuple[list[Record], list[Problem]]:
    records: list[Record] = []
    problems: list[Problem] = []
    for record, found in checked:
        if record is not None:
            records.append(record)
        problems += found
    return records, problems


def _iter_rows(
    lines: Iterable[str], table: spec.TableSpec, today: dt.date, label: str
) -> Iterator[tuple[Record | None, list[Problem]]]:
    """Type-check CSV lines for one table, one row at a time."""
    # Rows end at CR, LF or CRLF only (RFC 4180), so a U+2028 or other Unicode line break stays inside its cell
    # and every reader of the file (this parser, the import's row limit, a spreadsheet) sees the same rows.
    reader = csv.reader(lines, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        yield None, [Problem(label, 1, "", "file is empty (a header row is required)")]
        return
    except csv.Error as exc:
        yield None, [Problem(label, 1, "", f"malformed CSV: {exc}")]
        return
    header = [h.strip() for h in header]
    missing = [c for c in table.columns if c not in header]
    unknown = [c for c in header if c not in table.columns]
    problems = [Problem(label, 1, c, "column is missing from the header") for c in missing]
    problems += [Problem(label, 1, c, "is not a column of this table") for c in unknown]
    if missing or unknown or len(set(header)) != len(header):
        if len(set(header)) != len(header):
            problems.append(Problem(label, 1, "", "a column name appears twice"))
        yield None, problems
        return
    line = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            yield None, [Problem(label, line, "", f"malformed CSV: {exc}")]
            break
        if not any(c.strip() for c in cells):
            line = reader.line_num + 1
            continue
        if len(cells) != len(header):
            column = header[len(cells)] if len(cells) < len(header) else f"cell {len(header) + 1}"
            yield None, [Problem(label, line, column, f"has {len(cells)} cells, the header has {len(header)}")]
        else:
            yield check_row(table, label, line, dict(zip(header, cells, strict=True)), today)
        line = reader.line_num + 1


def key_of(table: spec.TableSpec, values: dict) -> tuple:
    """The natural key of a row."""
    return tuple(values.get(k) for k in table.key)


def check_references(records: dict[str, list[Record]], existing: dict[str, dict] | None = None) -> list[Problem]:
    """Duplicate keys and dangling references across tables.

    `existing` maps a table name to {key tuple: values} already stored (for imports);
    rows in `records` with the same key replace them.
    """
    existing = existing or {}
    problems: list[Problem] = []
    known: dict[str, dict[tuple, dict]] = {name: dict(rows) for name, rows in existing.items()}
    for table in spec.TABLES:
        seen: dict[tuple, Record] = {}
        for rec in records.get(table.name, []):
            key = key_of(table, rec.values)
            if key in seen:
                first = seen[key]
                problems.append(
                    Problem(
                        rec.file, rec.line, table.key[0], f"duplicate key {_show(key)} (first at line {first.line})"
                    )
                )
                continue
            seen[key] = rec
            known.setdefault(table.name, {})[key] = rec.values
    problems += _case_twins(records, known)
    problems += _lookalike_names(records, known)
    problems += _base_model_cycles(records, known)
    problems += _assessments_follow_mapping(records, known)
    problems += _scores_within_scale(records, known)
    ids = {name: {k[0] for k in rows} for name, rows in known.items()}
    release_model = {k[0]: v.get("model_id") for k, v in known.get("releases", {}).items()}
    for table in spec.TABLES:
        for rec in records.get(table.name, []):
            problems += _dangling(table, rec, ids)
            if table.name == "incident_links" and rec.values.get("release_id") in release_model:
                owner = release_model[rec.values["release_id"]]
                if owner != rec.values.get("model_id"):
                    problems.append(
                        Problem(
                            rec.file,
                            rec.line,
                            "release_id",
                            f"release '{rec.values['release_id']}' belongs to model '{owner}', "
                            f"not '{rec.values.get('model_id')}'",
                        )
                    )
    return problems


def _case_twins(records: dict[str, list[Record]], known: dict[str, dict[tuple, dict]]) -> list[Problem]:
    """Ids that differ from another only in case (`mit` beside `MIT`) name two rows a reader cannot tell apart."""
    problems = []
    for table in spec.TABLES:
        if len(table.key) != 1:
            continue
        folded: dict[str, set[str]] = {}
        for (key,) in known.get(table.name, {}):
            if key:
                folded.setdefault(key.casefold(), set()).add(key)
        for rec in records.get(table.name, []):
            key = rec.values.get(table.key[0])
            twins = sorted(folded.get(key.casefold(), set()) - {key}) if key else []
            if twins:
                problems.append(
                    Problem(rec.file, rec.line, table.key[0], f"'{key}' differs only in case from '{twins[0]}'")
                )
    return problems


def skeleton(text: str) -> str:
    """A name with look-alike letters (Cyrillic 'а', Greek 'Ο', full-width forms) mapped to Latin, case folded."""
    return "".join(_latin_twin(ch) for ch in unicodedata.normalize("NFKC", text)).casefold()


@functools.lru_cache(maxsize=4096)
def _latin_twin(ch: str) -> str:
    if ch.isascii():
        return ch
    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True) or []
    for entry in found:
        for glyph in entry.get("homoglyphs", []):
            if glyph["c"].isascii():
                return glyph["c"]
    return ch


LOOKALIKE_OVERRIDE = "allow-lookalike"  # a note that says the look-alike is intended
LOOKALIKE_TABLES = (spec.MODELS, spec.ORGANIZATIONS, spec.LICENCES)


def _lookalike_names(records: dict[str, list[Record]], known: dict[str, dict[tuple, dict]]) -> list[Problem]:
    """A name that looks like another row's name but is spelt with other characters needs an explicit override."""
    problems = []
    for table in LOOKALIKE_TABLES:
        by_skeleton: dict[str, dict[str, str]] = {}
        for key, values in known.get(table.name, {}).items():
            name = values.get("name") if values else None
            if name:
                by_skeleton.setdefault(skeleton(name), {})[name] = key[0]
        for rec in records.get(table.name, []):
            name = rec.values.get("name")
            if not name or LOOKALIKE_OVERRIDE in (rec.values.get("notes") or ""):
                continue
            twins = sorted(n for n in by_skeleton.get(skeleton(name), {}) if n != name)
            if twins:
                problems.append(
                    Problem(
                        rec.file,
                        rec.line,
                        "name",
                        f"'{name}' looks like '{twins[0]}' but is spelt with other characters; "
                        f"write '{LOOKALIKE_OVERRIDE}' in notes if this is intended",
                    )
                )
    return problems


def _base_model_cycles(records: dict[str, list[Record]], known: dict[str, dict[tuple, dict]]) -> list[Problem]:
    """A model cannot descend from itself through its base models (A based on B based on A)."""
    base = {key[0]: (values or {}).get("base_model_id") for key, values in known.get("models", {}).items()}
    problems = []
    for rec in records.get("models", []):
        seen, current = {rec.values.get("model_id")}, rec.values.get("base_model_id")
        while current and current not in seen:
            seen.add(current)
            current = base.get(current)
        if current and current == rec.values.get("model_id") and rec.values.get("base_model_id") != current:
            problems.append(
                Problem(rec.file, rec.line, "base_model_id", f"makes a cycle: '{current}' would descend from itself")
            )
    return problems


def _scores_within_scale(records: dict[str, list[Record]], known: dict[str, dict[tuple, dict]]) -> list[Problem]:
    """A benchmark score above the benchmark's ceiling (101 on a percent scale) is a typo, not a result."""
    problems = []
    benchmarks = {k[0]: v for k, v in known.get("benchmarks", {}).items()}
    for rec in records.get("evaluations", []):
        bench = benchmarks.get(rec.values.get("benchmark_id"))
        score = rec.values.get("score")
        if bench and score is not None and bench.get("ceiling") is not None and score > bench["ceiling"]:
            problems.append(
                Problem(rec.file, rec.line, "score", f"{score:g} is above the benchmark's ceiling {bench['ceiling']:g}")
            )
    return problems


def _assessments_follow_mapping(records: dict[str, list[Record]], known: dict[str, dict[tuple, dict]]) -> list[Problem]:
    """An assessment names the model its tracker's name is mapped to in tracker_names, and nothing else."""
    mapping = {key: (values or {}).get("model_id") for key, values in known.get("tracker_names", {}).items()}
    problems = []
    for rec in records.get("assessments", []):
        key = (rec.values.get("tracker_id"), rec.values.get("external_name"))
        if None in key:
            continue
        if key not in mapping:
            problems.append(Problem(rec.file, rec.line, "external_name", f"'{key[1]}' is not mapped in tracker_names"))
        elif mapping[key] != rec.values.get("model_id"):
            problems.append(
                Problem(rec.file, rec.line, "model_id", f"tracker_names maps '{key[1]}' to '{mapping[key]}'")
            )
    return problems


def _show(key: tuple) -> str:
    return "/".join("" if k is None else str(k) for k in key)


def _dangling(table: spec.TableSpec, rec: Record, ids: dict[str, set]) -> list[Problem]:
    problems = []
    for col in table.cols:
        value = rec.values.get(col.name)
        if not value:
            continue
        if col.kind == "ref":
            targets, target_table = [value], col.ref
        elif col.kind == "reflist":
            targets, target_table = split_list(value), col.ref
        elif col.kind == "sources":
            targets, target_table = split_list(value), "sources"
        else:
            continue
        for target in targets:
            if target not in ids.get(target_table, set()):
                problems.append(Problem(rec.file, rec.line, col.name, f"'{target}' is not in {target_table}"))
    return problems


DATASET_FILE = "dataset.json"


def read_cutoff(data_dir: Path) -> tuple[str | None, list[Problem]]:
    """The data cut-off date declared in data/dataset.json ("data as of"), or None when the file is absent."""
    path = Path(data_dir) / DATASET_FILE
    label = f"data/{DATASET_FILE}"
    if not path.exists():
        return None, []
    try:
        about = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, [Problem(label, 0, "", f"is not valid JSON ({exc})")]
    cutoff = about.get("cutoff") if isinstance(about, dict) else None
    if not isinstance(cutoff, str) or parse_date(cutoff) is None:
        return None, [Problem(label, 0, "cutoff", "must be an ISO date (YYYY-MM-DD)")]
    return cutoff, []


def _after_cutoff(rec: Record, cutoff: str) -> list[Problem]:
    """An event dated after the declared cut-off: the data claims to stop there."""
    date = rec.values.get("date")
    if date and date > cutoff:
        return [Problem(rec.file, rec.line, "date", f"'{date}' is after the data cut-off {cutoff}")]
    return []


def file_label(data_dir: Path, table: spec.TableSpec) -> str:
    """How problems name a table's file: data/<file> for the data folder, else its path."""
    path = Path(data_dir) / table.file
    return f"data/{table.file}" if Path(data_dir).name == "data" else str(path)


def reference_columns(table: spec.TableSpec) -> dict[str, int]:
    """The columns that checks across files read, with their position in a Facts tuple.

    A row's key, what it refers to, and for look-alike checks its name and whether its notes allow one.
    """
    names = list(table.key) + [c.name for c in table.cols if c.kind in ("ref", "reflist", "sources")]
    if table in LOOKALIKE_TABLES:
        names += ["name", "notes"]
    return {name: i for i, name in enumerate(dict.fromkeys(names))}


def reference_facts(index: dict[str, int], values: Mapping) -> Facts:
    """The reference_columns of one row; ids shared with other tables are stored once (interned)."""
    cells = []
    for name in index:
        value = values.get(name)
        if name == "notes":
            value = LOOKALIKE_OVERRIDE if LOOKALIKE_OVERRIDE in (value or "") else None
        cells.append(sys.intern(value) if isinstance(value, str) else value)
    return Facts(index, tuple(cells))


def load_dataset(data_dir: Path, today: dt.date | None = None, slim: Iterable[str] = ()) -> dict[str, list[Record]]:
    """Read and validate every data file; raise ValidationError listing every problem.

    Records of the tables named in `slim` keep only their reference_facts, so a large table can be
    validated without holding its rows (the build streams those rows in a second pass).
    """
    today = today or dt.date.today()
    slim = set(slim)
    records: dict[str, list[Record]] = {}
    cutoff, problems = read_cutoff(data_dir)
    late: list[Problem] = []
    for table in spec.TABLES:
        path = Path(data_dir) / table.file
        records[table.name] = kept = []
        if table.optional and not path.exists():
            continue
        dated = "date" in table.columns
        index = reference_columns(table)
        for rec, found in iter_csv(path, table, today, file_label(data_dir, table)):
            problems += found
            if rec is None:
                continue
            if cutoff and dated:
                late += _after_cutoff(rec, cutoff)
            kept.append(Record(rec.file, rec.line, reference_facts(index, rec.values)) if table.name in slim else rec)
    problems += check_references(records)
    problems += late
    if problems:
        raise ValidationError(problems)
    return records
