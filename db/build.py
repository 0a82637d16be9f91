"""Build the database from data/: `python -m db.build [--force] [--data DIR]`.

Validates every file first and writes nothing if any problem is found. SQLite
builds go into a new file that replaces the old database only when complete;
PostgreSQL builds run in one transaction.
"""

import argparse
import datetime as dt
import hashlib
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import Connection, inspect, select, text

from db import schema, spec
from db.cli import exit_cleanly_on_signals
from db.engine import data_dir as default_data_dir
from db.engine import database_url, is_sqlite, make_engine, sqlite_path
from db.validate import DATASET_FILE, Record, ValidationError, load_dataset, printable, read_cutoff, split_list

SCHEMA_VERSION = "5"  # 2: models inclusion and figure bases, incidents status_checked, release-at-date index; 3: trackers, assessments; 4: benchmarks, evaluations, compute estimates; 5: licence output_training and threshold counting
CHUNK = 5_000
PG_BUILD_LOCK = 7_406_372_201  # advisory lock key: one build at a time per PostgreSQL database


def data_hash(data_dir: Path) -> str:
    """A digest of every data file and the schema version: the build's identity."""
    digest = hashlib.sha256(SCHEMA_VERSION.encode())
    for table in spec.TABLES:
        path = Path(data_dir) / table.file
        digest.update(table.file.encode())
        digest.update(path.read_bytes() if path.exists() else b"<missing>")
    about = Path(data_dir) / DATASET_FILE
    if about.exists():
        digest.update(about.read_bytes())
    return digest.hexdigest()


def stored_hash(url: str) -> str | None:
    """The data hash recorded in an existing database, or None."""
    if is_sqlite(url) and not sqlite_path(url).exists():
        return None
    try:
        engine = make_engine(url, readonly=True)
        with engine.connect() as conn:
            row = conn.execute(select(schema.build_info.c.value).where(schema.build_info.c.key == "data_hash")).first()
        engine.dispose()
        return row[0] if row else None
    except Exception:  # an unreadable or foreign database: rebuild it
        return None


def rows_for_tables(records: dict[str, list[Record]]) -> dict[str, list[dict]]:
    """Database rows, with derived columns and link tables, from validated records."""
    out: dict[str, list[dict]] = {name: [] for name in schema.TABLES}
    out["model_organizations"], out["citations"] = [], []
    for table in spec.TABLES:
        for rec in records.get(table.name, []):
            row = derive(table.name, dict(rec.values))
            out[table.name].append(row)
            if table.name == "models":
                out["model_organizations"] += [
                    {"model_id": row["model_id"], "organization_id": org, "position": i}
                    for i, org in enumerate(split_list(row["organization_ids"]))
                ]
            if table.needs_source:
                entity_id = entity_key(table.name, row)
                out["citations"] += [
                    {"entity": table.name, "entity_id": entity_id, "source_id": s}
                    for s in dict.fromkeys(split_list(row["source_ids"]))
                ]
    out["models"] = parents_first(out["models"])
    return out


def parents_first(models: list[dict]) -> list[dict]:
    """Order models so a base model is inserted before the models derived from it."""
    by_id = {m["model_id"]: m for m in models}
    ordered: dict[str, dict] = {}

    def visit(model: dict, depth: int = 0) -> None:
        base = by_id.get(model.get("base_model_id") or "")
        if base is not None and base["model_id"] not in ordered and depth < len(models):
            visit(base, depth + 1)
        ordered.setdefault(model["model_id"], model)

    for model in models:
        visit(model)
    return list(ordered.values())


def entity_key(table: str, row: dict) -> str:
    """The single-string id of a row, as used in citations."""
    if table == "incident_links":
        return row["link_id"]
    if table == "incident_steps":
        return row["step_id"]
    return row[spec.BY_NAME[table].key[0]]


def derive(table: str, row: dict) -> dict:
    """Add the derived columns of one row."""
    if table == "models":
        row["organization_id"] = split_list(row["organization_ids"])[0]
    if table in ("releases", "incidents"):
        row["year"] = int(row["date"][:4])
    if table == "incident_links":
        row["link_id"] = "/".join(x for x in (row["incident_id"], row["model_id"], row.get("release_id")) if x)
    if table == "incident_steps":
        row["step_id"] = f"{row['incident_id']}/{row['date']}/{row['status']}"
    return row


def write_rows(conn: Connection, rows: dict[str, list[dict]], about: dict[str, str]) -> None:
    """Insert every row, parents before children, in chunks."""
    for table in schema.metadata.sorted_tables:
        batch = rows.get(table.name, [])
        for start in range(0, len(batch), CHUNK):
            conn.execute(table.insert(), batch[start : start + CHUNK])
    info = {
        **about,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_version": SCHEMA_VERSION,
    }
    conn.execute(schema.build_info.insert(), [{"key": k, "value": v} for k, v in info.items()])


def build(data_dir: Path | None = None, url: str | None = None, force: bool = False) -> dict[str, int] | None:
    """Build the database; returns row counts, or None when it was already up to date."""
    url = url or database_url()
    data_dir = Path(data_dir or default_data_dir())
    digest = data_hash(data_dir)
    if not force and stored_hash(url) == digest:
        return None
    records = load_dataset(data_dir)
    rows = rows_for_tables(records)
    about = {"data_hash": digest}
    cutoff, _ = read_cutoff(data_dir)
    if cutoff:
        about["cutoff"] = cutoff
    if is_sqlite(url):
        _build_sqlite(sqlite_path(url), rows, about)
    elif not _build_server(url, rows, about, force):
        return None
    return {name: len(r) for name, r in rows.items()}


def _build_sqlite(target: Path, rows: dict[str, list[dict]], about: dict[str, str]) -> None:
    """Write a complete new file beside the target, then put it in place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    remove_stale_temporaries(target)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp makes the file private (0600); a database is as readable as any file the user creates
    os.chmod(tmp, 0o666 & ~_umask())
    try:
        engine = make_engine(f"sqlite:///{tmp}")
        schema.metadata.create_all(engine)
        with engine.begin() as conn:
            write_rows(conn, rows, about)
        engine.dispose()
        _clean_sidecars(tmp)
        if target.exists():
            _copy_into(tmp, target)
        else:
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        _clean_sidecars(tmp)


STALE_AFTER_S = 3600  # a build's temporary file older than this belongs to a build that was killed


def remove_stale_temporaries(target: Path) -> list[Path]:
    """Delete temporary files that killed builds left beside the database (SIGKILL runs no cleanup)."""
    removed = []
    now = time.time()
    for path in target.parent.glob(f".{target.name}.*.tmp*"):
        try:
            if now - path.stat().st_mtime > STALE_AFTER_S:
                path.unlink()
                removed.append(path)
        except FileNotFoundError:
            continue
    return removed


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _copy_into(source: Path, target: Path) -> None:
    """Replace target's content with source's in one write transaction.

    SQLite's backup API is safe while the app holds connections to the target,
    where renaming over a WAL database would not be.
    """
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target, timeout=30)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _clean_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def _build_server(url: str, rows: dict[str, list[dict]], about: dict[str, str], force: bool = False) -> bool:
    """Drop, recreate and fill every table in one transaction (PostgreSQL has transactional DDL).

    App replicas starting together queue on an advisory lock; one that finds the
    data already built by another while it waited writes nothing and returns False.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_BUILD_LOCK})
            if not force and inspect(conn).has_table(schema.build_info.name):
                info = schema.build_info.c
                if conn.execute(select(info.value).where(info.key == "data_hash")).scalar() == about["data_hash"]:
                    return False
            schema.metadata.drop_all(conn)
            schema.metadata.create_all(conn)
            write_rows(conn, rows, about)
        return True
    finally:
        engine.dispose()


def ensure_database(data_dir: Path | None = None, url: str | None = None) -> dict[str, int] | None:
    """Build when the database is missing or older than the data (the app calls this on start)."""
    url = url or database_url()
    data_dir = Path(data_dir or default_data_dir())
    if is_sqlite(url):
        path = sqlite_path(url)
        files = [
            Path(data_dir) / t.file for t in spec.TABLES if not (t.optional and not (Path(data_dir) / t.file).exists())
        ]
        newest = max((f.stat().st_mtime for f in files if f.exists()), default=0.0)
        if path.exists() and all(f.exists() for f in files) and path.stat().st_mtime >= newest:
            return None
        result = build(data_dir, url)
        if result is None and path.exists():
            path.touch()
        return result
    return build(data_dir, url)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.build", description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=None, help="folder of data files (default: data/)")
    parser.add_argument("--force", action="store_true", help="rebuild even if the data has not changed")
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()
    url = database_url()
    try:
        args.data = args.data or default_data_dir()
        counts = build(args.data, url, force=args.force)
    except ValidationError as exc:
        print(f"Build refused: {len(exc.problems)} problem(s) in the data; nothing was written.", file=sys.stderr)
        print(printable(exc.report()), file=sys.stderr)
        return 1
    target = sqlite_path(url) if is_sqlite(url) else "DATABASE_URL"
    if counts is None:
        print(f"{target} is up to date with {args.data}; nothing to do.")
        return 0
    print(f"Built {target}:")
    for name, n in counts.items():
        print(f"  {name:<20} {n:>8}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
