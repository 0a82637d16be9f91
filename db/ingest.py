"""Import a CSV or JSON file into the database: `python -m db.ingest FILE [--table NAME] [--also-data]`.

The file has the columns of one data/ table (data/README.md); the table is
taken from the file name (releases.csv, incidents.json) or --table. The whole
file is validated exactly as the build validates data/ and, if anything is
wrong, nothing is written and every problem is reported as line, column and
reason. Otherwise the rows are upserted on the table's key in one transaction
(db.service.write_records), so importing the same file twice changes nothing.

Imported rows live in the database only: data/ stays the source of truth and a
rebuild from data/ drops them, unless --also-data also merges them into
data/<table>.csv (to be reviewed and committed).
"""

import argparse
import csv
import datetime as dt
import getpass
import io
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from db import spec
from db.engine import data_dir, make_engine
from db.service import (
    Actor,
    ImportResult,
    generation,
    reference_keys,
    referenced_tables,
    referenced_values,
    require_curator,
    write_records,
)
from db.validate import (
    Problem,
    Record,
    ValidationError,
    check_references,
    check_row,
    key_of,
    load_dataset,
    read_csv_text,
)

MAX_BYTES = 10 * 1024 * 1024
MAX_ROWS = 100_000
FORMATS = (".csv", ".json")


class UploadRejected(ValueError):
    """The file is refused before validation: too large, too many rows, or not a table we know."""


def table_for(filename: str, table: str | None = None) -> spec.TableSpec:
    """The table a file belongs to: --table if given, else the file name's stem (releases.csv -> releases)."""
    name = table or Path(filename).stem
    if name not in spec.BY_NAME:
        raise UploadRejected(
            f"'{name[:60]}' is not a table; name the file after one (e.g. releases.csv) or pass --table. "
            f"Tables: {', '.join(spec.BY_NAME)}."
        )
    return spec.BY_NAME[name]


def read_upload(
    filename: str, data: bytes, table: str | None = None, today: dt.date | None = None
) -> tuple[spec.TableSpec, list[Record], list[Problem]]:
    """Check limits, parse and type-check a whole file; returns (table, records, problems) or raises UploadRejected."""
    target = table_for(filename, table)
    suffix = Path(filename).suffix.lower()
    if suffix not in FORMATS:
        raise UploadRejected(f"'{suffix or filename[:60]}' files are not accepted: upload a .csv or .json file.")
    if len(data) > MAX_BYTES:
        raise UploadRejected(
            f"The file is {len(data) / 1_048_576:.1f} MB; the limit is {MAX_BYTES // 1_048_576} MB. "
            "Split it into smaller files."
        )
    label = Path(filename).name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return target, [], [Problem(label, 0, "", f"is not valid UTF-8 ({exc.reason} at byte {exc.start})")]
    today = today or dt.date.today()
    if suffix == ".json":
        records, problems = _read_json(text, target, today, label)
    else:
        _check_row_count(_count_csv_rows(text))
        records, problems = read_csv_text(text, target, today, label)
    if not records and not problems:
        problems = [Problem(label, 0, "", "has no rows to import")]
    return target, records, problems


def validate_upload(
    filename: str, data: bytes, table: str | None = None, url: str | None = None
) -> tuple[spec.TableSpec, list[Record]]:
    """The whole check, types and references against the rows already stored; raises ValidationError."""
    target, records, problems = read_upload(filename, data, table)
    problems += _reference_problems(target, records, url)[1]
    if problems:
        raise ValidationError(sorted(problems, key=lambda p: p.line))
    return target, records


def _reference_problems(
    target: spec.TableSpec, records: list[Record], url: str | None
) -> tuple[tuple | None, list[Problem]]:
    """Dangling references and duplicate keys against a snapshot of the stored rows, and that snapshot's generation."""
    if not records:
        return None, []
    engine = make_engine(url, readonly=True)
    try:
        with engine.connect() as conn, conn.begin():
            checked_at = generation(conn)
            existing = reference_keys(conn, referenced_tables(target), referenced_values(target, records))
            return checked_at, check_references({target.name: records}, existing)
    finally:
        engine.dispose()


def _check_row_count(n: int) -> None:
    if n > MAX_ROWS:
        raise UploadRejected(f"The file has {n:,} rows; the limit is {MAX_ROWS:,}. Split it into smaller files.")


def _count_csv_rows(text: str) -> int:
    """Data rows in CSV text (blank lines not counted); malformed CSV is left for validation to report."""
    try:
        return max(0, sum(1 for cells in csv.reader(io.StringIO(text)) if any(c.strip() for c in cells)) - 1)
    except csv.Error:
        return 0


def _read_json(text: str, table: spec.TableSpec, today: dt.date, label: str):
    """Type-check a JSON list of objects; a problem's line is the record's position in the list (from 1)."""
    try:
        items = json.loads(text)
    except json.JSONDecodeError as exc:
        return [], [Problem(label, exc.lineno, "", f"is not valid JSON: {exc.msg}")]
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        return [], [Problem(label, 0, "", "must be a JSON list of objects, one per row")]
    _check_row_count(len(items))
    records, problems = [], []
    for n, item in enumerate(items, start=1):
        unknown = [k for k in item if k not in table.columns]
        if unknown:
            problems.append(Problem(label, n, "", f"unknown columns: {', '.join(str(k)[:40] for k in unknown)}"))
        cells = {}
        for col in table.columns:
            value = item.get(col)
            if isinstance(value, bool) or not isinstance(value, str | int | float | None):
                problems.append(Problem(label, n, col, "must be text, a number or null"))
                value = None
            cells[col] = "" if value is None else str(value)
        record, row_problems = check_row(table, label, n, cells, today)
        records.append(record)
        problems += row_problems
    return records, problems


def import_bytes(
    actor: Actor | None,
    filename: str,
    data: bytes,
    table: str | None = None,
    url: str | None = None,
    also_data: Path | None = None,
) -> ImportResult:
    """Validate a whole file and, only if it is clean, upsert it for `actor`; optionally merge it into data/.

    References are checked against a snapshot, so that every problem is
    reported at once; the write transaction checks them again only if the
    database changed since (db.service.write_records).
    """
    require_curator(actor)
    target, records, problems = read_upload(filename, data, table)
    checked_at, ref_problems = _reference_problems(target, records, url)
    if problems or ref_problems:
        raise ValidationError(sorted(problems + ref_problems, key=lambda p: p.line))
    merged = _merged_data(also_data, target, records) if also_data else None
    result = write_records(actor, target, records, url, checked_at)
    if merged is not None:
        _replace_file(also_data / target.file, merged)
    return result


def _cell(value) -> str:
    return "" if value is None else repr(value) if isinstance(value, float) else str(value)


def _merged_data(data_dir: Path, table: spec.TableSpec, records: list[Record]) -> str:
    """data/<table>.csv with the records replacing rows of the same key or appended; the merged folder must build."""
    path = Path(data_dir) / table.file
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    position = {key_of(table, {k: (v or "").strip() or None for k, v in r.items()}): i for i, r in enumerate(rows)}
    for rec in records:
        row = {c: _cell(rec.values.get(c)) for c in table.columns}
        key = key_of(table, rec.values)
        if key in position:
            rows[position[key]] = row
        else:
            position[key] = len(rows)
            rows.append(row)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=table.columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    with tempfile.TemporaryDirectory() as tmp:
        trial = Path(tmp) / "data"
        shutil.copytree(data_dir, trial, ignore=shutil.ignore_patterns("*.db*", "parts", ".*"))
        (trial / table.file).write_text(out.getvalue(), encoding="utf-8")
        load_dataset(trial)
    return out.getvalue()


def _replace_file(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
        fh.write(text)
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a .csv or .json file with the columns of one data/ table")
    parser.add_argument("--table", choices=list(spec.BY_NAME), help="the table (default: the file name's stem)")
    parser.add_argument(
        "--also-data", action="store_true", help="also merge the rows into data/<table>.csv (review and commit it)"
    )
    args = parser.parse_args(argv)
    actor = Actor(f"cli:{getpass.getuser()}", "cli")
    started = time.perf_counter()
    try:
        result = import_bytes(
            actor, args.file.name, args.file.read_bytes(), args.table, also_data=data_dir() if args.also_data else None
        )
    except FileNotFoundError:
        print(f"{args.file}: no such file", file=sys.stderr)
        return 2
    except UploadRejected as exc:
        print(f"Import refused: {exc}", file=sys.stderr)
        return 1
    except ValidationError as exc:
        print(f"Import refused: {len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        print(exc.report(), file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        print(f"Import failed and was rolled back; nothing was written: {cause}", file=sys.stderr)
        return 1
    seconds = time.perf_counter() - started
    print(
        f"Imported {result.rows:,} {result.table} row(s) ({result.inserted:,} new, {result.updated:,} updated) "
        f"in {seconds:.2f} s."
    )
    if not args.also_data:
        print("These rows are in the database only; a rebuild from data/ drops them unless they are added to data/.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
