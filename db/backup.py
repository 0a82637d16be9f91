"""Back up the SQLite database while the app runs: `python -m db.backup DEST` (restore: `--restore SRC`).

Uses SQLite's online backup API, which copies a consistent snapshot even while
readers and writers are active. The copy is written beside DEST and renamed
into place only after PRAGMA integrity_check passes, so DEST is never half
written. For PostgreSQL use pg_dump instead.
"""

import argparse
import datetime as dt
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from db import schema
from db.build import SCHEMA_VERSION
from db.cli import exit_cleanly_on_signals
from db.engine import BUSY_TIMEOUT_MS, database_url, is_sqlite, sqlite_path
from db.validate import printable


class BackupError(RuntimeError):
    """The copy could not be made or did not pass integrity_check."""


def integrity(path: Path) -> str:
    """PRAGMA integrity_check of a database file ('ok' when sound)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "\n".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
    finally:
        conn.close()


def contract_problem(path: Path) -> tuple[str | None, dict[str, int]]:
    """Why a file is not an Observatory database this code can serve (None when it is), and its row counts.

    It must hold every table of the contract with every column, and a build_info row with the same
    schema_version; an empty file, /dev/null or another application's SQLite file all fail here.
    """
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        return f"it cannot be opened as SQLite ({exc})", {}
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        missing = [t for t in schema.TABLES if t not in tables] + (
            [] if schema.build_info.name in tables else [schema.build_info.name]
        )
        if missing:
            return f"it is not an Observatory database (missing tables: {', '.join(missing[:6])})", {}
        for name, table in schema.TABLES.items():
            have = {r[1] for r in conn.execute(f'PRAGMA table_info("{name}")')}
            lacking = [c.name for c in table.columns if c.name not in have]
            if lacking:
                return f"its table {name} lacks columns {', '.join(lacking[:6])} (another contract version)", {}
        # identifiers below come from our own schema, never from the file or the user
        info = dict(conn.execute(f"SELECT key, value FROM {schema.build_info.name}").fetchall())  # noqa: S608
        if info.get("schema_version") != SCHEMA_VERSION:
            return (
                f"its schema version is {info.get('schema_version')!r}, this code serves {SCHEMA_VERSION!r}",
                {},
            )
        counts = {name: conn.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0] for name in schema.TABLES}  # noqa: S608
        return None, counts
    except sqlite3.Error as exc:
        return f"it cannot be read as SQLite ({exc})", {}
    finally:
        conn.close()


def _copy(source: Path, target: Path) -> None:
    """Copy source into target with the online backup API (a consistent snapshot of source)."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000)
    dst = sqlite3.connect(target, timeout=BUSY_TIMEOUT_MS / 1000)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def backup(dest: Path, url: str | None = None) -> Path:
    """Write a checked copy of the database to dest (a file, or a folder to put observatory-backup.db in)."""
    url = url or database_url()
    if not is_sqlite(url):
        raise BackupError("DATABASE_URL is not SQLite: back up PostgreSQL with pg_dump.")
    source = sqlite_path(url)
    if not source.exists():
        raise BackupError(f"{source} does not exist: nothing to back up.")
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / "observatory-backup.db"
    if not dest.parent.is_dir():
        raise BackupError(f"the folder {dest.parent} does not exist: create it first or choose another place.")
    if dest.exists() and os.path.samefile(dest, source):
        raise BackupError(f"{dest} is the live database itself: back it up somewhere else.")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _copy(source, tmp)
        _standalone(tmp)
        result = integrity(tmp)
        if result != "ok":
            raise BackupError(f"the copy failed integrity_check: {result[:500]}")
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
        _clean_sidecars(tmp)
        _clean_sidecars(dest)
    return dest


def restore(backup_file: Path, url: str | None = None, report=print) -> Path:
    """Replace the database's content with a backup's, in one write transaction (safe while the app runs).

    The backup must be an Observatory database of this contract version (contract_problem); its row
    counts are reported before anything is replaced, and the database it replaces is first kept as a
    dated copy beside it, so a wrong restore can itself be undone.
    """
    url = url or database_url()
    if not is_sqlite(url):
        raise BackupError("DATABASE_URL is not SQLite: restore PostgreSQL with pg_restore or psql.")
    backup_file = Path(backup_file)
    if not backup_file.is_file():
        raise BackupError(f"{backup_file} does not exist or is not a regular file.")
    target = sqlite_path(url)
    if target.exists() and os.path.samefile(backup_file, target):
        raise BackupError(f"{backup_file} is the live database itself: nothing to restore.")
    result = integrity(backup_file)
    if result != "ok":
        raise BackupError(f"{backup_file} failed integrity_check, not restored: {result[:500]}")
    problem, counts = contract_problem(backup_file)
    if problem:
        raise BackupError(f"{backup_file} was not restored: {problem}.")
    report(
        printable(f"{backup_file} holds " + ", ".join(f"{n:,} {t}" for t, n in counts.items() if not t.startswith("_")))
    )
    if target.exists():
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
        kept = backup(target.with_name(f"{target.stem}.replaced-{stamp}.db"), url)
        report(f"The database it replaces is kept as {kept}.")
    _copy(backup_file, target)
    return target


def _standalone(path: Path) -> None:
    """A backup in rollback-journal mode: one file, no -wal or -shm left beside it when it is read."""
    conn = sqlite3.connect(path)
    try:
        conn.execute("PRAGMA journal_mode=DELETE")
    finally:
        conn.close()


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _clean_sidecars(path: Path) -> None:
    for suffix in ("-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True) if not _in_use(path) else None


def _in_use(path: Path) -> bool:
    """The live database's WAL files belong to it: only a backup's own sidecars are removed."""
    try:
        return path.exists() and os.path.samefile(path, sqlite_path(database_url()))
    except (OSError, ValueError):
        return False


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.backup", description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, nargs="?", help="file or folder for the backup")
    parser.add_argument("--restore", type=Path, metavar="SRC", help="put a backup file back in place of the database")
    args = parser.parse_args(argv)
    exit_cleanly_on_signals()
    if bool(args.dest) == bool(args.restore):
        parser.error("give either DEST or --restore SRC")
    try:
        if args.restore:
            print(f"Restored {restore(args.restore)} from {args.restore}.")
        else:
            print(f"Backed up to {backup(args.dest)} (integrity_check: ok).")
    except (BackupError, sqlite3.Error, OSError) as exc:
        print(printable(f"{'Restore' if args.restore else 'Backup'} failed: {exc}"), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
