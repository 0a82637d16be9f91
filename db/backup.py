"""Back up the SQLite database while the app runs: `python -m db.backup DEST` (restore: `--restore SRC`).

Uses SQLite's online backup API, which copies a consistent snapshot even while
readers and writers are active. The copy is written beside DEST and renamed
into place only after PRAGMA integrity_check passes, so DEST is never half
written. For PostgreSQL use pg_dump instead.
"""

import argparse
import os
import sqlite3
import sys
import tempfile
from pathlib import Path

from db.engine import BUSY_TIMEOUT_MS, database_url, is_sqlite, sqlite_path


class BackupError(RuntimeError):
    """The copy could not be made or did not pass integrity_check."""


def integrity(path: Path) -> str:
    """PRAGMA integrity_check of a database file ('ok' when sound)."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return "\n".join(row[0] for row in conn.execute("PRAGMA integrity_check"))
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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _copy(source, tmp)
        result = integrity(tmp)
        if result != "ok":
            raise BackupError(f"the copy failed integrity_check: {result[:500]}")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return dest


def restore(backup_file: Path, url: str | None = None) -> Path:
    """Replace the database's content with a backup's, in one write transaction (safe while the app runs)."""
    url = url or database_url()
    if not is_sqlite(url):
        raise BackupError("DATABASE_URL is not SQLite: restore PostgreSQL with pg_restore or psql.")
    backup_file = Path(backup_file)
    if not backup_file.exists():
        raise BackupError(f"{backup_file} does not exist.")
    result = integrity(backup_file)
    if result != "ok":
        raise BackupError(f"{backup_file} failed integrity_check, not restored: {result[:500]}")
    target = sqlite_path(url)
    _copy(backup_file, target)
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m db.backup", description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path, nargs="?", help="file or folder for the backup")
    parser.add_argument("--restore", type=Path, metavar="SRC", help="put a backup file back in place of the database")
    args = parser.parse_args(argv)
    if bool(args.dest) == bool(args.restore):
        parser.error("give either DEST or --restore SRC")
    try:
        if args.restore:
            print(f"Restored {restore(args.restore)} from {args.restore}.")
        else:
            print(f"Backed up to {backup(args.dest)} (integrity_check: ok).")
    except (BackupError, sqlite3.Error) as exc:
        print(f"Backup failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
