"""Online backups: consistent while imports run, checked, and restorable."""

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from db import backup, ingest
from db.build import build
from db.engine import sqlite_path
from db.service import Actor
from tests.conftest import FIXTURE_DATA

HEADER = (
    "release_id,model_id,date,date_precision,event_type,openness_level,gating,licence_id,"
    "weights,inference_code,training_code,training_data,documentation,notes,source_ids"
)


@pytest.fixture
def db_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    build(FIXTURE_DATA, url)
    return url


def _counts(path) -> tuple[int, int]:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        releases = conn.execute("SELECT count(*) FROM releases").fetchone()[0]
        cited = conn.execute("SELECT count(*) FROM citations WHERE entity = 'releases'").fetchone()[0]
    finally:
        conn.close()
    return releases, cited


def _batch(n: int) -> bytes:
    rows = [f"bk{n}-{i},llama,2023-03-01,day,weights,4,none,,open,open,closed,closed,open,,s-llama" for i in range(200)]
    return "\n".join((HEADER, *rows, "")).encode()


def test_a_backup_taken_during_writes_is_sound_and_consistent(db_url, tmp_path):
    base = _counts(sqlite_path(db_url))[0]
    stop = threading.Event()
    errors: list[str] = []

    def write() -> None:
        n = 0
        while not stop.is_set():
            try:
                ingest.import_bytes(Actor("backup-test", "test"), "releases.csv", _batch(n), url=db_url)
            except Exception as exc:  # noqa: BLE001 - recorded and asserted on
                errors.append(repr(exc))
                return
            n += 1

    writer = threading.Thread(target=write)
    writer.start()
    copies = []
    try:
        time.sleep(0.3)
        for i in range(5):
            copies.append(backup.backup(tmp_path / f"copy-{i}.db", db_url))
            time.sleep(0.1)
    finally:
        stop.set()
        writer.join(timeout=60)
    assert errors == []
    seen = []
    for copy in copies:
        assert backup.integrity(copy) == "ok"
        releases, cited = _counts(copy)
        assert releases == cited  # a snapshot between imports, never half of one
        assert (releases - base) % 200 == 0
        seen.append(releases)
    assert seen == sorted(seen) and seen[-1] > base


def test_a_backup_restores_in_place(db_url, tmp_path):
    copy = backup.backup(tmp_path, db_url)
    assert copy.name == "observatory-backup.db"
    before = _counts(sqlite_path(db_url))
    ingest.import_bytes(Actor("restore-test", "test"), "releases.csv", _batch(0), url=db_url)
    assert _counts(sqlite_path(db_url)) != before
    backup.restore(copy, db_url)
    assert _counts(sqlite_path(db_url)) == before
    assert backup.integrity(sqlite_path(db_url)) == "ok"


def test_a_damaged_backup_is_not_restored(db_url, tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 4096)
    before = _counts(sqlite_path(db_url))
    with pytest.raises((backup.BackupError, sqlite3.DatabaseError)):
        backup.restore(bad, db_url)
    assert _counts(sqlite_path(db_url)) == before


def test_the_command_line(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert backup.main([str(tmp_path / "b.db")]) == 0
    assert "integrity_check: ok" in capsys.readouterr().out
    assert backup.main(["--restore", str(tmp_path / "b.db")]) == 0
    assert backup.main(["--restore", str(tmp_path / "missing.db")]) == 1
    monkeypatch.setenv("DATABASE_URL", "postgresql+psycopg://u@127.0.0.1:1/x")
    assert backup.main([str(tmp_path / "c.db")]) == 1
    assert "pg_dump" in capsys.readouterr().err


def test_the_readme_says_how_to_back_up_restore_and_import():
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Contributing data", 1)[1].split("\n## ", 1)[0]
    for command in ("python -m db.backup DEST", "python -m db.backup --restore", "python -m db.ingest"):
        assert command in section, command
    assert "live only in the database" in section
