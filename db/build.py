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
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

from sqlalchemy import Connection, Table, bindparam, delete, event, func, inspect, select, text, update

from db import schema, spec
from db.cli import exit_cleanly_on_signals
from db.engine import data_dir as default_data_dir
from db.engine import database_url, is_sqlite, make_engine, sqlite_path
from db.queries.core import link_state_rule, model_first_rule
from db.validate import (
    DATASET_FILE,
    Record,
    ValidationError,
    file_label,
    iter_csv,
    load_dataset,
    printable,
    read_cutoff,
    split_list,
)

SCHEMA_VERSION = "7"  # 2: models inclusion and figure bases, incidents status_checked, release-at-date index; 3: trackers, assessments; 4: benchmarks, evaluations, compute estimates; 5: licence output_training and threshold counting; 6: link_states, year indexes; 7: model_firsts, link_states without rowid, links by model, releases by level, developers by organisation, models by lower name and by inclusion indexes
CHUNK = 5_000
# The large tables: validated keeping only their keys and references, then read again and written in chunks.
STREAMED = frozenset(
    {"sources", "models", "releases", "incidents", "incident_links", "incident_steps", "context_events"}
)
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


def write_dataset(
    conn: Connection, data_dir: Path, today: dt.date, records: dict[str, list[Record]], about: dict[str, str]
) -> dict[str, int]:
    """Insert every row, parents before children, in chunks; the STREAMED tables are read from their files again.

    `records` is load_dataset's output with STREAMED tables slim: only the small tables' rows come from it.
    Models are written without their base model, which is set once every model is in (no order needed).
    Returns the row count of every table written.
    """
    counts = {name: 0 for name in schema.TABLES} | {"model_organizations": 0, "citations": 0}
    bases: list[dict] = []
    for table in _write_order():
        source = _reread(data_dir, table, today) if table.name in STREAMED else records.get(table.name, [])
        for batch in _batches(source, CHUNK):
            rows = rows_for_tables({table.name: batch})
            if table.name == "models":
                # a base model may come later in the file: every base is set once all models are in
                bases += [
                    {"id": r["model_id"], "base": r["base_model_id"]} for r in rows["models"] if r["base_model_id"]
                ]
                rows["models"] = [{**r, "base_model_id": None} for r in rows["models"]]
            for name in (table.name, "model_organizations", "citations"):
                _insert(conn, schema.metadata.tables[name], rows[name])
                counts[name] += len(rows[name])
        if table.name == "models" and bases:
            m = schema.models.c
            set_base = (
                update(schema.models).where(m.model_id == bindparam("id")).values(base_model_id=bindparam("base"))
            )
            for start in range(0, len(bases), CHUNK):
                conn.execute(set_base, bases[start : start + CHUNK])
    counts["link_states"] = fill_link_states(conn)
    counts["model_firsts"] = fill_model_firsts(conn)
    info = {
        **about,
        "built_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "schema_version": SCHEMA_VERSION,
    }
    conn.execute(schema.build_info.insert(), [{"key": k, "value": v} for k, v in info.items()])
    return counts


def _write_order() -> list[spec.TableSpec]:
    """Contract tables in foreign-key order, sources first (every table's citations refer to them)."""
    order = [spec.BY_NAME[t.name] for t in schema.metadata.sorted_tables if t.name in spec.BY_NAME]
    return sorted(order, key=lambda t: t.name != "sources")


def _reread(data_dir: Path, table: spec.TableSpec, today: dt.date) -> Iterator[Record]:
    """The validated records of one file, read again; a problem now means the file changed since validation."""
    path = Path(data_dir) / table.file
    if table.optional and not path.exists():
        return
    for rec, problems in iter_csv(path, table, today, file_label(data_dir, table)):
        if problems:
            raise ValidationError(problems)
        if rec is not None:
            yield rec


def _batches(items: Iterable[Record], size: int) -> Iterator[list[Record]]:
    batch: list[Record] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _insert(conn: Connection, table: Table, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        conn.execute(table.insert(), rows[start : start + CHUNK])


def fill_link_states(conn: Connection) -> int:
    """Store every link's state when its incident began (link_state_rule); returns the number of links."""
    rule = link_state_rule()
    conn.execute(schema.link_states.insert().from_select(list(rule.selected_columns.keys()), rule))
    return conn.execute(select(func.count()).select_from(schema.link_states)).scalar_one()


def refresh_link_states(conn: Connection, table: str, rows: list[dict]) -> None:
    """Recompute the stored state of the links that rows just written to `table` can change (imports)."""
    lk = schema.incident_links.c
    by = {"releases": ("model_id", lk.model_id), "incidents": ("incident_id", lk.incident_id)}
    by["incident_links"] = ("link_id", lk.link_id)
    if table not in by:
        return
    field, column = by[table]
    ids = sorted({r[field] for r in rows})
    for start in range(0, len(ids), CHUNK):
        affected = column.in_(ids[start : start + CHUNK])
        stale = select(lk.link_id).where(affected)
        conn.execute(delete(schema.link_states).where(schema.link_states.c.link_id.in_(stale)))
        rule = link_state_rule(affected)
        conn.execute(schema.link_states.insert().from_select(list(rule.selected_columns.keys()), rule))


def fill_model_firsts(conn: Connection) -> int:
    """Store every model's first release event, first public event and highest level (model_first_rule)."""
    rule = model_first_rule()
    conn.execute(schema.model_firsts.insert().from_select(list(rule.selected_columns.keys()), rule))
    return conn.execute(select(func.count()).select_from(schema.model_firsts)).scalar_one()


def refresh_model_firsts(conn: Connection, table: str, rows: list[dict]) -> None:
    """Recompute the stored firsts of the models whose release events were just written (imports)."""
    if table != "releases":
        return
    ids = sorted({r["model_id"] for r in rows})
    mf = schema.model_firsts
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        conn.execute(delete(mf).where(mf.c.model_id.in_(chunk)))
        rule = model_first_rule(schema.releases.c.model_id.in_(chunk))
        conn.execute(mf.insert().from_select(list(rule.selected_columns.keys()), rule))


def build(data_dir: Path | None = None, url: str | None = None, force: bool = False) -> dict[str, int] | None:
    """Build the database; returns row counts, or None when it was already up to date.

    Two passes keep memory flat: the first validates every file keeping only what checks across files need,
    the second reads the large files again and writes their rows in chunks, in one transaction (PostgreSQL)
    or into a temporary file swapped in at the end (SQLite), so a failure writes nothing.
    """
    url = url or database_url()
    data_dir = Path(data_dir or default_data_dir())
    digest = data_hash(data_dir)
    if not force and stored_hash(url) == digest:
        return None
    today = dt.date.today()
    records = load_dataset(data_dir, today, slim=STREAMED)
    about = {"data_hash": digest}
    cutoff, _ = read_cutoff(data_dir)
    if cutoff:
        about["cutoff"] = cutoff

    def write(conn: Connection) -> dict[str, int]:
        return write_dataset(conn, data_dir, today, records, about)

    if is_sqlite(url):
        return _build_sqlite(sqlite_path(url), write)
    return _build_server(url, write, about["data_hash"], force)


def _build_sqlite(target: Path, write: Callable[[Connection], dict[str, int]]) -> dict[str, int]:
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

        @event.listens_for(engine, "connect")
        def _write_plainly(dbapi_conn, _record):
            # A failed build deletes this new file, so nothing needs rolling back: a WAL copy of every page
            # written (then checkpointed into the file) or an in-memory journal of it only costs writes or memory.
            dbapi_conn.execute("PRAGMA journal_mode=OFF")
            dbapi_conn.execute("PRAGMA mmap_size=0")  # pages written through a map would count as the build's memory

        schema.metadata.create_all(engine)
        with engine.begin() as conn:
            counts = write(conn)
        engine.dispose()
        with sqlite3.connect(tmp) as done:
            done.execute("PRAGMA journal_mode=WAL")  # as the app's write connections expect (readers never wait)
        done.close()
        _clean_sidecars(tmp)
        if target.exists():
            _copy_into(tmp, target)
        else:
            os.replace(tmp, target)
    finally:
        tmp.unlink(missing_ok=True)
        _clean_sidecars(tmp)
    return counts


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


def _build_server(
    url: str, write: Callable[[Connection], dict[str, int]], digest: str, force: bool = False
) -> dict[str, int] | None:
    """Drop, recreate and fill every table in one transaction (PostgreSQL has transactional DDL).

    App replicas starting together queue on an advisory lock; one that finds the
    data already built by another while it waited writes nothing and returns None.
    """
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": PG_BUILD_LOCK})
            if not force and inspect(conn).has_table(schema.build_info.name):
                info = schema.build_info.c
                if conn.execute(select(info.value).where(info.key == "data_hash")).scalar() == digest:
                    return None
            schema.metadata.drop_all(conn)
            schema.metadata.create_all(conn)
            return write(conn)
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
