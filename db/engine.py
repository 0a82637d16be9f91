"""Database engines: SQLite by default (foreign keys, WAL, busy timeout), PostgreSQL via DATABASE_URL."""

import os
import sqlite3
import time
from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import QueuePool

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_DB = ROOT / "data" / "observatory.db"
BUSY_TIMEOUT_MS = 10_000
QUERY_TIME_LIMIT_S = 10.0
SQLITE_MMAP_BYTES = 1 << 30


class QueryTimeout(Exception):
    """A read query ran past its time limit and was cut off."""


def data_dir() -> Path:
    """The folder of data files: OBSERVATORY_DATA_DIR when set (tests, benchmarks), else data/."""
    return Path(os.environ.get("OBSERVATORY_DATA_DIR") or DATA_DIR)


def database_url() -> str:
    """DATABASE_URL when set, else the embedded SQLite file."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB}"


def is_sqlite(url: str) -> bool:
    """Whether a URL points at SQLite."""
    return make_url(url).get_backend_name() == "sqlite"


def sqlite_path(url: str) -> Path:
    """The file behind a sqlite:/// URL."""
    return Path(make_url(url).database or "")


def make_engine(url: str | None = None, readonly: bool = False, time_limit_s: float | None = None) -> Engine:
    """An engine for `url`; read-only engines refuse writes (PostgreSQL's also cut off slow queries)."""
    url = url or database_url()
    if not is_sqlite(url):
        args = {}
        if readonly:
            ms = int((time_limit_s or QUERY_TIME_LIMIT_S) * 1000)
            args["options"] = f"-c default_transaction_read_only=on -c statement_timeout={ms}"
        return create_engine(url, connect_args=args, pool_pre_ping=True)
    path = sqlite_path(url)
    if readonly:
        # QueuePool, not the SingletonThreadPool SQLAlchemy picks for "sqlite://": that one closes the
        # connections of other threads once more than five threads read, as Streamlit sessions do.
        engine = create_engine(
            "sqlite://",
            creator=lambda: sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False),
            poolclass=QueuePool,
        )
    else:
        engine = create_engine(f"sqlite:///{path}", connect_args={"check_same_thread": False})
    _configure_sqlite(engine, readonly)
    return engine


def _configure_sqlite(engine: Engine, readonly: bool) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        # reads of a large database are page-cache bound: map the file rather than copy 4 KB pages
        cur.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
        if not readonly:
            cur.execute("PRAGMA journal_mode=WAL")
        cur.close()


def sqlite_deadline(dbapi_conn, time_limit_s: float = QUERY_TIME_LIMIT_S) -> None:
    """Arm SQLite's progress handler so statements on this connection stop after the limit."""
    deadline = time.monotonic() + time_limit_s
    dbapi_conn.set_progress_handler(lambda: 1 if time.monotonic() > deadline else 0, 20_000)


def clear_deadline(dbapi_conn) -> None:
    """Disarm the progress handler set by sqlite_deadline."""
    dbapi_conn.set_progress_handler(None, 0)
