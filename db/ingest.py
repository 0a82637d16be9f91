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
import contextlib
import csv
import datetime as dt
import fcntl
import getpass
import io
import json
import os
import shutil
import stat
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.exc import SQLAlchemyError

from db import schema, spec
from db.build import STREAMED
from db.cli import exit_cleanly_on_signals
from db.engine import data_dir, make_engine
from db.service import (
    Actor,
    ImportResult,
    generation,
    raw_rows,
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
    printable,
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
            _add_stored_context(conn, target, records, existing)
            problems = check_references({target.name: records}, existing)
            return checked_at, problems + _moved_releases(conn, target, records)
    finally:
        engine.dispose()


def _add_stored_context(conn, target: spec.TableSpec, records: list[Record], existing: dict) -> None:
    """Stored rows the whole-folder rules need: ids equal but for case, names (look-alikes), base models (cycles)."""
    table = schema.TABLES[target.name]
    if len(target.key) == 1:
        key = table.c[target.key[0]]
        folded = sorted({str(r.values.get(target.key[0]) or "").lower() for r in records})
        for at in range(0, len(folded), 500):
            for (value,) in raw_rows(conn, select(key).where(func.lower(key).in_(folded[at : at + 500]))):
                existing.setdefault(target.name, {}).setdefault((value,), {})
    if target.name in ("models", "organizations", "licences"):
        cols = [table.c[target.key[0]], table.c.name] + ([table.c.base_model_id] if target.name == "models" else [])
        rows = existing.setdefault(target.name, {})
        for row in raw_rows(conn, select(*cols)):
            values = {"name": row[1], **({"base_model_id": row[2]} if target.name == "models" else {})}
            rows[(row[0],)] = {**(rows.get((row[0],)) or {}), **values}


def _moved_releases(conn, target: spec.TableSpec, records: list[Record]) -> list[Problem]:
    """A stored release moved to another model while incident links still name the old one."""
    if target.name != "releases":
        return []
    r, links = schema.TABLES["releases"], schema.TABLES["incident_links"]
    wanted = {rec.values["release_id"]: rec for rec in records if rec.values.get("release_id")}
    problems = []
    ids = sorted(wanted)
    for at in range(0, len(ids), 500):
        stmt = (
            select(r.c.release_id, r.c.model_id, links.c.incident_id)
            .join(links, links.c.release_id == r.c.release_id)
            .where(r.c.release_id.in_(ids[at : at + 500]))
        )
        for release_id, model_id, incident_id in raw_rows(conn, stmt):
            rec = wanted[release_id]
            if rec.values.get("model_id") != model_id:
                problems.append(
                    Problem(
                        rec.file,
                        rec.line,
                        "model_id",
                        f"release '{release_id}' belongs to '{model_id}' and incident '{incident_id}' links it "
                        "there: move the link first",
                    )
                )
    return problems


def _check_row_count(n: int) -> None:
    if n > MAX_ROWS:
        raise UploadRejected(f"The file has {n:,} rows; the limit is {MAX_ROWS:,}. Split it into smaller files.")


def _count_csv_rows(text: str) -> int:
    """Data rows in CSV text as the validating parser reads them (blank lines not counted).

    Both read through io.StringIO(newline=""): rows end at CR, LF or CRLF, whatever else the text holds.
    Malformed CSV is left for validation to report.
    """
    try:
        rows = csv.reader(io.StringIO(text, newline=""))
        return max(0, sum(1 for cells in rows if any(c.strip() for c in cells)) - 1)
    except csv.Error:
        return 0


MAX_JSON_DEPTH = 4  # a list of objects of scalars needs 2; deeper nesting is refused before parsing


def _json_depth(text: str) -> int:
    """The deepest nesting of [ and { in JSON text, ignoring brackets inside strings (one pass, no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


class DuplicateKey(ValueError):
    """A JSON object names the same key twice."""


def _no_duplicate_keys(pairs: list[tuple[str, object]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise DuplicateKey(key)
        out[key] = value
    return out


def _read_json(text: str, table: spec.TableSpec, today: dt.date, label: str):
    """Type-check a JSON list of objects; a problem's line is the record's position in the list (from 1)."""
    if _json_depth(text) > MAX_JSON_DEPTH:
        return [], [
            Problem(label, 0, "", f"is nested more than {MAX_JSON_DEPTH} levels deep: give a list of flat objects")
        ]
    try:
        items = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except json.JSONDecodeError as exc:
        return [], [Problem(label, exc.lineno, "", f"is not valid JSON: {exc.msg}")]
    except DuplicateKey as exc:
        return [], [Problem(label, 0, str(exc)[:60], "appears twice in one object: each column once")]
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
    if not also_data:
        return write_records(actor, target, records, url, checked_at)
    # One import at a time merges into data/: the lock covers reading data/<table>.csv, checking the merged
    # folder, and writing the file and the database. The file is written first: if the database write then
    # fails, the old file is put back; if the process is killed in between, data/ is newer than the database
    # and the next start rebuilds it from data/, so data/ and the database never disagree for long.
    with data_lock(also_data):
        path = also_data / target.file
        before = path.read_bytes()
        _replace_file(path, _merged_data(also_data, target, records))
        try:
            return write_records(actor, target, records, url, checked_at)
        except BaseException:
            _replace_file(path, before.decode("utf-8"))
            raise


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
        load_dataset(trial, slim=STREAMED)  # a check only: the large tables' rows need not be held
    return out.getvalue()


LOCK_FILE = ".import.lock"


@contextlib.contextmanager
def data_lock(folder: Path):
    """An exclusive lock on a data/ folder, held while an import merges into it (other importers wait)."""
    with open(Path(folder) / LOCK_FILE, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def _replace_file(path: Path, text: str) -> None:
    """Write a file whole (a temporary beside it, then a rename) keeping its permission bits."""
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    finally:
        Path(tmp).unlink(missing_ok=True)


def read_file(path: Path) -> bytes:
    """A file's bytes, checked before reading: a regular file of at most MAX_BYTES (never a FIFO or a device)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except IsADirectoryError:
        raise UploadRejected(f"'{path}' is a folder, not a file.") from None
    with os.fdopen(fd, "rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise UploadRejected(
                f"'{path}' is not a regular file (a pipe, device or socket): give a .csv or .json file."
            )
        if info.st_size > MAX_BYTES:
            raise UploadRejected(
                f"The file is {info.st_size / 1_048_576:.1f} MB; the limit is {MAX_BYTES // 1_048_576} MB. "
                "Split it into smaller files."
            )
        data = fh.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise UploadRejected(f"The file grew past {MAX_BYTES // 1_048_576} MB while it was read.")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.ingest", description=__doc__.splitlines()[0])
    parser.add_argument("file", type=Path, help="a .csv or .json file with the columns of one data/ table")
    parser.add_argument("--table", choices=list(spec.BY_NAME), help="the table (default: the file name's stem)")
    parser.add_argument(
        "--also-data", action="store_true", help="also merge the rows into data/<table>.csv (review and commit it)"
    )
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()
    actor = Actor(f"cli:{getpass.getuser()}", "cli")
    started = time.perf_counter()
    try:
        result = import_bytes(
            actor, args.file.name, read_file(args.file), args.table, also_data=data_dir() if args.also_data else None
        )
    except FileNotFoundError:
        print(printable(f"{args.file}: no such file"), file=sys.stderr)
        return 2
    except UploadRejected as exc:
        print(printable(f"Import refused: {exc}"), file=sys.stderr)
        return 1
    except ValidationError as exc:
        print(f"Import refused: {len(exc.problems)} problem(s); nothing was written.", file=sys.stderr)
        print(printable(exc.report()), file=sys.stderr)
        return 1
    except SQLAlchemyError as exc:
        cause = getattr(exc, "orig", None) or exc
        print(printable(f"Import failed and was rolled back; nothing was written: {cause}"), file=sys.stderr)
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
