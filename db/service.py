"""The one write path outside the build: validated rows upserted for a named, authenticated actor.

Every write the app or the import command makes goes through write_records,
which refuses an anonymous actor before it touches the database. On SQLite the
write is one short BEGIN IMMEDIATE transaction (WAL mode, busy timeout), so
readers keep reading the last committed state and writers queue instead of
failing with "database is locked".
"""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import Connection, Engine, bindparam, delete, event, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError

from db import schema, spec
from db.build import entity_key, refresh_link_states, refresh_model_firsts, rows_for_tables
from db.engine import database_url, is_sqlite, make_engine
from db.validate import Record, ValidationError, check_references, key_of, split_list

WRITE_BUSY_TIMEOUT_MS = 120_000
WRITE_CACHE_KIB = 256 * 1024
EXECUTE_CHUNK = 10_000
KEY_CHUNK = 5_000  # values per IN (...) when reading referenced keys; under every backend's bind limit


@dataclass(frozen=True)
class Actor:
    """Who is writing: a name (an e-mail, a login or 'cli:user') and how they were authenticated."""

    name: str | None
    method: str = "anonymous"

    @property
    def is_anonymous(self) -> bool:
        return not (self.name and self.name.strip()) or self.method == "anonymous"


ANONYMOUS = Actor(None)


class NotAuthorised(PermissionError):
    """Raised when an anonymous actor asks to write."""


@dataclass(frozen=True)
class ImportResult:
    """What one import wrote."""

    table: str
    inserted: int
    updated: int
    actor: str

    @property
    def rows(self) -> int:
        return self.inserted + self.updated


def write_engine(url: str | None = None) -> Engine:
    """A writable engine whose transactions start with BEGIN IMMEDIATE on SQLite (the writer lock up front)."""
    url = url or database_url()
    engine = make_engine(url)
    if is_sqlite(url):

        @event.listens_for(engine, "connect")
        def _autocommit_driver(dbapi_conn, _record):
            # Let SQLAlchemy's "begin" event, not the sqlite3 module, decide how transactions start.
            dbapi_conn.isolation_level = None

        @event.listens_for(engine, "begin")
        def _begin_immediate(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE")

        @event.listens_for(engine, "connect")
        def _patient_writer(dbapi_conn, _record):
            # An import may queue behind another large one; readers never wait (WAL).
            dbapi_conn.execute(f"PRAGMA busy_timeout={WRITE_BUSY_TIMEOUT_MS}")
            # Large imports touch index pages all over the file; SQLite's default 2 MB page cache thrashes.
            dbapi_conn.execute(f"PRAGMA cache_size=-{WRITE_CACHE_KIB}")

    return engine


def require_curator(actor: Actor | None) -> None:
    """Raise NotAuthorised unless the actor is a named, authenticated person."""
    if actor is None or actor.is_anonymous:
        raise NotAuthorised("Only a signed-in curator can change the data.")


def write_records(
    actor: Actor | None,
    table: spec.TableSpec,
    records: list[Record],
    url: str | None = None,
    checked_at: tuple | None = None,
) -> ImportResult:
    """Upsert type-checked records of one table for an authenticated actor, in one short transaction.

    References are checked inside the write transaction against the rows
    already stored, unless they were checked outside it at `checked_at` (a
    generation()) and nothing has been built or imported since. Raises
    NotAuthorised for an anonymous actor and ValidationError (nothing written)
    for dangling references or duplicate keys.
    """
    require_curator(actor)
    rows = rows_for_tables({table.name: records})
    engine = write_engine(url)
    try:
        with engine.begin() as conn:
            if checked_at is None or generation(conn) != checked_at:
                existing = reference_keys(conn, referenced_tables(table), referenced_values(table, records))
                problems = check_references({table.name: records}, existing)
                if problems:
                    raise ValidationError(problems)
            stored = stored_keys(conn, table)
            updated = sum(1 for r in records if key_of(table, r.values) in stored)
            upsert(conn, table, rows)
    finally:
        engine.dispose()
    return ImportResult(table.name, len(records) - updated, updated, actor.name)


def generation(conn: Connection) -> tuple:
    """Changes whenever the database is rebuilt or takes an import (imports never delete rows)."""
    info = schema.build_info.c
    stmt = select(info.key, info.value).where(info.key.in_(("built_at", "last_import")))
    return tuple(sorted(tuple(row) for row in conn.execute(stmt)))


def referenced_tables(table: spec.TableSpec) -> set[str]:
    """The tables whose stored rows the references of `table` are checked against."""
    names = {c.ref for c in table.cols if c.ref} | {"sources" for c in table.cols if c.kind == "sources"}
    if table.name == "incident_links":
        names.add("releases")  # a link's release must belong to the link's model
    return names


def stored_keys(conn: Connection, table: spec.TableSpec) -> set[tuple]:
    """The natural keys already stored in one table."""
    target = schema.TABLES[table.name]
    return set(raw_rows(conn, select(*(target.c[k] for k in table.key))))


def raw_rows(conn: Connection, stmt) -> list[tuple]:
    """All rows of a SELECT as plain tuples, through the driver's cursor on this connection.

    For reading hundreds of thousands of key tuples: SQLAlchemy's Row objects cost more than the read.
    Only for statements whose binds and columns need no type processing (text and integers).
    """
    compiled = stmt.compile(dialect=conn.dialect, compile_kwargs={"render_postcompile": True})
    params = compiled.params
    args = tuple(params[name] for name in compiled.positiontup) if compiled.positional else params
    cur = conn.connection.driver_connection.cursor()
    try:
        cur.execute(str(compiled), args)
        return [tuple(row) for row in cur.fetchall()]
    finally:
        cur.close()


_NO_VALUES: dict = {}


def referenced_values(table: spec.TableSpec, records: list[Record]) -> dict[str, set[str]]:
    """Per table, every value the records' reference columns name (the targets check_references looks up)."""
    out: dict[str, set[str]] = {}
    for col in table.cols:
        if col.kind not in ("ref", "reflist", "sources"):
            continue
        target = out.setdefault("sources" if col.kind == "sources" else col.ref, set())
        for rec in records:
            value = rec.values.get(col.name)
            if value:
                target.update([value] if col.kind == "ref" else split_list(value))
    return out


def reference_keys(
    conn: Connection, names: set[str], wanted: dict[str, set[str]] | None = None
) -> dict[str, dict[tuple, dict]]:
    """check_references' `existing` for the named tables, reading only what it uses.

    That is stored natural keys, and for releases the model_id (a link's release must belong to the link's
    model); no other column is looked at, so none is read. With `wanted` (referenced_values of the records),
    only the stored keys among those values are read, which gives check_references the same answers: it
    only asks whether a referenced value is stored.
    """
    out: dict[str, dict[tuple, dict]] = {}
    for t in spec.TABLES:
        if t.name not in names:
            continue
        target = schema.TABLES[t.name]
        cols = [target.c[k] for k in t.key] + ([target.c.model_id] if t.name == "releases" else [])
        if wanted is not None and len(t.key) == 1:
            values = sorted(wanted.get(t.name, ()))
            key = target.c[t.key[0]]
            rows = []
            for at in range(0, len(values), KEY_CHUNK):
                rows += raw_rows(conn, select(*cols).where(key.in_(values[at : at + KEY_CHUNK])))
        else:
            rows = raw_rows(conn, select(*cols))
        if t.name == "releases":
            out[t.name] = {tuple(row[:-1]): {"model_id": row[-1]} for row in rows}
        else:
            out[t.name] = dict.fromkeys(map(tuple, rows), _NO_VALUES)
    return out


def existing_rows(conn: Connection, names: set[str] | None = None) -> dict[str, dict[tuple, dict]]:
    """Whole stored rows of the public tables (all, or the named ones) by natural key.

    What reference checks used to read; reference_keys gives check_references the same answers from keys.
    """
    out: dict[str, dict[tuple, dict]] = {}
    for t in spec.TABLES:
        if names is not None and t.name not in names:
            continue
        cols = [schema.TABLES[t.name].c[c] for c in t.columns]
        rows = [dict(row) for row in conn.execute(select(*cols)).mappings()]
        out[t.name] = {key_of(t, row): row for row in rows}
    return out


def upsert(conn: Connection, table: spec.TableSpec, rows: dict[str, list[dict]]) -> None:
    """Insert or update rows_for_tables() output on its key; citations and developers are replaced as built."""
    target = schema.TABLES[table.name]
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(target)
    keys = [c.name for c in target.primary_key.columns]
    stmt = stmt.on_conflict_do_update(
        index_elements=keys, set_={c.name: stmt.excluded[c.name] for c in target.columns if c.name not in keys}
    )
    main = rows[table.name]
    if not main:
        return
    # a release event moved to another model changes its old model's stored firsts and link states too
    moved = _current_models(conn, [r["release_id"] for r in main]) if table.name == "releases" else []
    executemany(conn, stmt, main)
    if table.name == "models":
        _replace_children(conn, schema.model_organizations, [r["model_id"] for r in main], rows["model_organizations"])
    if table.needs_source:
        ids = [entity_key(table.name, r) for r in main]
        _replace_citations(conn, table.name, ids, rows["citations"])
    refresh_link_states(conn, table.name, main + moved)
    refresh_model_firsts(conn, table.name, main + moved)
    _stamp(conn)


def _current_models(conn: Connection, release_ids: list[str]) -> list[dict]:
    """The stored model of each of these release events that exists, as {"model_id": ...} rows."""
    r = schema.releases.c
    out: list[dict] = []
    for at in range(0, len(release_ids), KEY_CHUNK):
        chunk = release_ids[at : at + KEY_CHUNK]
        out += [
            {"model_id": m}
            for m in conn.execute(select(r.model_id.distinct()).where(r.release_id.in_(chunk))).scalars()
        ]
    return out


def executemany(conn: Connection, stmt, rows: list[dict]) -> None:
    """conn.execute(stmt, rows) for an INSERT whose binds are all row columns, in chunks of EXECUTE_CHUNK rows.

    On SQLite, when no column needs a bind conversion, the compiled statement goes straight to the driver's
    executemany with plain tuples (SQLAlchemy's per-row parameter processing cost more than the insert);
    otherwise, and on other backends, through SQLAlchemy. Either way inside the caller's transaction.
    """
    compiled = stmt.compile(dialect=conn.dialect, column_keys=list(rows[0]))
    direct = conn.dialect.name == "sqlite" and compiled.positional and not compiled._bind_processors
    cur = conn.connection.driver_connection.cursor() if direct else None
    try:
        for at in range(0, len(rows), EXECUTE_CHUNK):
            part = rows[at : at + EXECUTE_CHUNK]
            if cur is None:
                conn.execute(stmt, part)
            else:
                params = [tuple(r.get(k) for k in compiled.positiontup) for r in part]
                try:
                    cur.executemany(str(compiled), params)
                except conn.dialect.loaded_dbapi.Error as exc:  # the exception SQLAlchemy would raise
                    raise DBAPIError.instance(
                        str(compiled), None, exc, conn.dialect.loaded_dbapi.Error, dialect=conn.dialect
                    ) from exc
    finally:
        if cur is not None:
            cur.close()


def _replace_children(conn: Connection, child, model_ids: list[str], new_rows: list[dict]) -> None:
    conn.execute(delete(child).where(child.c.model_id == bindparam("m")), [{"m": m} for m in model_ids])
    if new_rows:
        executemany(conn, child.insert(), new_rows)


def _replace_citations(conn: Connection, entity: str, entity_ids: list[str], new_rows: list[dict]) -> None:
    c = schema.citations.c
    stmt = delete(schema.citations).where(c.entity == entity, c.entity_id == bindparam("e"))
    conn.execute(stmt, [{"e": i} for i in entity_ids])
    if new_rows:
        executemany(conn, schema.citations.insert(), new_rows)


def _stamp(conn: Connection) -> None:
    """Record when the database last took an import (the build's data hash no longer covers everything)."""
    now = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(schema.build_info).values(key="last_import", value=now)
    conn.execute(stmt.on_conflict_do_update(index_elements=["key"], set_={"value": now}))
