"""Attacks on restore, import, identities and the public server: each refused with a clear message, nothing lost."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import pytest

from db import backup, build, ingest
from db.engine import sqlite_path
from db.service import Actor
from db.validate import ValidationError, load_dataset, printable, skeleton
from tests.conftest import FIXTURE_DATA

ROOT = Path(__file__).resolve().parent.parent
CURATOR = Actor("tester@example.org", "test")
SOURCE_HEADER = "source_id,url,title,publisher,date_published,date_accessed,notes\n"


@pytest.fixture
def db_url(tmp_path) -> str:
    url = f"sqlite:///{tmp_path / 'live.db'}"
    build.build(FIXTURE_DATA, url)
    return url


def _count(url: str, table: str) -> int:
    conn = sqlite3.connect(sqlite_path(url))
    try:
        return conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (a test's own table name)
    finally:
        conn.close()


# --- restore -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["empty", "unrelated", "old-contract"])
def test_restore_refuses_what_is_not_an_observatory_database(db_url, tmp_path, kind):
    bad = tmp_path / f"{kind}.db"
    if kind == "empty":
        bad.write_bytes(b"")
    else:
        conn = sqlite3.connect(bad)
        if kind == "unrelated":
            conn.execute("CREATE TABLE notes (x)")
        else:
            conn.executescript(Path(sqlite_path(db_url)).read_text(errors="ignore")[:0])
            src = sqlite3.connect(sqlite_path(db_url))
            src.backup(conn)
            src.close()
            conn.execute("UPDATE build_info SET value = '0' WHERE key = 'schema_version'")
        conn.commit()
        conn.close()
    before = _count(db_url, "releases")
    with pytest.raises(backup.BackupError, match="was not restored"):
        backup.restore(bad, db_url, report=lambda _: None)
    assert _count(db_url, "releases") == before


def test_restore_reports_counts_and_keeps_the_replaced_database(db_url, tmp_path):
    copy = backup.backup(tmp_path / "good.db", db_url)
    said: list[str] = []
    backup.restore(copy, db_url, report=said.append)
    assert "6 releases" in said[0]
    kept = list(tmp_path.glob("live.replaced-*.db"))
    assert len(kept) == 1 and backup.contract_problem(kept[0])[0] is None


def test_backup_refuses_the_live_file_and_a_missing_folder_and_leaves_no_strays(db_url, tmp_path):
    live = sqlite_path(db_url)
    with pytest.raises(backup.BackupError, match="live database itself"):
        backup.backup(live, db_url)
    with pytest.raises(backup.BackupError, match="does not exist"):
        backup.backup(tmp_path / "missing" / "b.db", db_url)
    out = tmp_path / "out"
    out.mkdir()
    made = backup.backup(out, db_url)
    sqlite3.connect(made).execute("SELECT count(*) FROM releases").fetchone()
    assert sorted(p.name for p in out.iterdir()) == ["observatory-backup.db"]
    assert oct(made.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_fresh_build_is_not_private_and_stale_temporaries_are_removed(tmp_path):
    stale = tmp_path / ".fresh.db.abc.tmp"
    stale.write_bytes(b"x" * 10)
    os.utime(stale, (time.time() - 2 * build.STALE_AFTER_S,) * 2)
    build.build(FIXTURE_DATA, f"sqlite:///{tmp_path / 'fresh.db'}")
    assert oct((tmp_path / "fresh.db").stat().st_mode & 0o777) == oct(0o666 & ~_umask())
    assert not stale.exists()


# --- import limits and parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize("ending", ["\r", "\u2028"])
def test_the_row_limit_counts_rows_as_the_parser_reads_them(monkeypatch, ending):
    monkeypatch.setattr(ingest, "MAX_ROWS", 3)
    rows = ending.join(f"s{i},https://x.example/{i},T,P,,2026-01-01," for i in range(5))
    data = (SOURCE_HEADER + rows).encode()
    if ending == "\r":
        with pytest.raises(ingest.UploadRejected, match="5 rows; the limit is 3"):
            ingest.read_upload("sources.csv", data)
    else:
        _, records, problems = ingest.read_upload("sources.csv", data)
        assert len(records) <= 1 and problems  # U+2028 stays inside a cell: one malformed row, not five


def test_deep_json_and_duplicate_keys_are_refused():
    _, _, problems = ingest.read_upload("sources.json", ("[" * 50_000 + "]" * 50_000).encode())
    assert "nested more than" in problems[0].reason
    _, _, problems = ingest.read_upload("sources.json", b'[{"source_id": "a", "source_id": "b"}]')
    assert problems[0].column == "source_id" and "appears twice" in problems[0].reason


def test_the_command_line_checks_the_file_before_reading_it(tmp_path):
    fifo = tmp_path / "sources.csv"
    os.mkfifo(fifo)
    with pytest.raises(ingest.UploadRejected, match="not a regular file"):
        ingest.read_file(fifo)
    with pytest.raises(ingest.UploadRejected, match="not a regular file"):
        ingest.read_file(Path("/dev/zero"))
    big = tmp_path / "big.csv"
    with big.open("wb") as fh:
        fh.truncate(ingest.MAX_BYTES + 1)
    with pytest.raises(ingest.UploadRejected, match="limit is 10 MB"):
        ingest.read_file(big)


def test_terminal_output_escapes_control_characters(tmp_path, db_url, monkeypatch, capsys):
    crafted = tmp_path / "sources.csv"
    crafted.write_text(SOURCE_HEADER.replace("title", "title\x1b[2J\x1b[32mImported 1 sources row(s).\x1b[0m"))
    monkeypatch.setenv("DATABASE_URL", db_url)
    assert ingest.main([str(crafted)]) == 1
    err = capsys.readouterr().err
    assert "\x1b" not in err and "\\x1b[2J" in err
    assert printable("a\u202eb\rc") == "a\\u202eb\\rc"


# --- numbers, identities, whole-folder rules ---------------------------------------------------------------


def _set(data: Path, file: str, row: int, column: str, value: str) -> None:
    import csv

    with (data / file).open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[row + 1][rows[0].index(column)] = value
    with (data / file).open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


@pytest.mark.parametrize(
    ("file", "row", "column", "value", "reason"),
    [
        ("models.csv", 3, "parameters", str(2**63), "too large to store"),
        ("models.csv", 3, "parameters", "\u0661\u0662", "digits 0-9"),
        ("models.csv", 3, "parameters", "\uff19", "digits 0-9"),
        ("models.csv", 3, "training_compute_flop", "1_0e3", "not a number"),
        ("models.csv", 3, "name", "L\u202eAMAL", "bidirectional"),
        ("models.csv", 3, "name", "LLa\u200bMA", "invisible"),
        ("licences.csv", 1, "licence_id", "mit", "differs only in case"),
        ("models.csv", 3, "name", "GP\u0422-3", "looks like"),  # Cyrillic Te beside the fixture's GPT-3
    ],
)
def test_hostile_values_and_identities_are_refused(fixture_data, file, row, column, value, reason):
    _set(fixture_data, file, row, column, value)
    with pytest.raises(ValidationError) as caught:
        load_dataset(fixture_data)
    assert any(reason in p.reason and p.column == column for p in caught.value.problems), caught.value.report()


def test_names_are_nfc_normalised_and_skeletons_see_look_alikes():
    assert skeleton("LL\u0430MA") == skeleton("LLaMA")  # Cyrillic a
    assert skeleton("GPT\uff0d4") == skeleton("GPT-4")  # full-width hyphen
    from db import spec
    from db.validate import _convert

    value, reason = _convert(spec.MODELS.col("name"), "Cafe\u0301", __import__("datetime").date.today())
    assert reason is None and value == "Caf\u00e9"


def test_two_imports_cannot_make_a_base_model_cycle(db_url):
    header = "model_id,name,organization_ids,modality,base_model_id,inclusion,description,source_ids\n"
    full = "model_id,name,organization_ids,modality,parameters,parameters_basis,training_compute_flop,"
    full += "compute_basis,compute_estimated_by,family,base_model_id,inclusion,description,notes,source_ids\n"
    first = full + "gpt-2,GPT-2,openai,text,1500000000,disclosed,,,,GPT,llama,frontier,A.,,s-gpt2\n"
    ingest.import_bytes(CURATOR, "models.csv", first.encode(), url=db_url)
    second = full + "llama,LLaMA,meta,text,65000000000,disclosed,,,,Llama,gpt-2,frontier,B.,,s-gpt2\n"
    with pytest.raises(ValidationError, match="makes a cycle"):
        ingest.import_bytes(CURATOR, "models.csv", second.encode(), url=db_url)
    assert header  # the short header documents which columns matter here


def test_a_release_cannot_move_to_another_model_under_its_incident_links(db_url):
    conn = sqlite3.connect(sqlite_path(db_url))
    release, model = conn.execute(
        "SELECT release_id, model_id FROM incident_links WHERE release_id IS NOT NULL"
    ).fetchone()
    cols = [r[1] for r in conn.execute("PRAGMA table_info(releases)")][: len(_release_columns())]
    row = dict(
        zip(cols, conn.execute("SELECT * FROM releases WHERE release_id = ?", (release,)).fetchone(), strict=False)
    )
    other = conn.execute("SELECT model_id FROM models WHERE model_id != ?", (model,)).fetchone()[0]
    conn.close()
    row["model_id"] = other
    data = json.dumps([{k: row[k] for k in _release_columns()}]).encode()
    with pytest.raises(ValidationError, match="move the link first"):
        ingest.import_bytes(CURATOR, "releases.json", data, url=db_url)


def _release_columns() -> list[str]:
    from db import spec

    return spec.RELEASES.columns


# --- --also-data: concurrency and kills --------------------------------------------------------------------


def _importer(data_dir: Path, url: str, n: int) -> subprocess.Popen:
    """A separate process that imports one new source with --also-data (processes, not threads: real locks)."""
    body = SOURCE_HEADER + f"new-{n},https://new.example/{n},T{n},P,,2026-01-01,\n"
    upload = data_dir.parent / f"upload-{n}" / "sources.csv"
    upload.parent.mkdir()
    upload.write_text(body)
    env = {**os.environ, "DATABASE_URL": url, "OBSERVATORY_DATA_DIR": str(data_dir)}
    code = f"import sys; from db import ingest; sys.exit(ingest.main([{str(upload)!r}, '--also-data']))"
    return subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_concurrent_also_data_imports_keep_every_row(fixture_data, tmp_path):
    url = f"sqlite:///{tmp_path / 'c.db'}"
    build.build(fixture_data, url)
    procs = [_importer(fixture_data, url, n) for n in range(8)]
    for proc in procs:
        _, err = proc.communicate(timeout=180)
        assert proc.returncode == 0, err
    text = (fixture_data / "sources.csv").read_text()
    assert all(f"new-{n}," in text for n in range(8))
    assert _count(url, "sources") == 4 + 8
    build.build(fixture_data, url, force=True)
    assert _count(url, "sources") == 4 + 8


def test_a_killed_also_data_import_leaves_data_and_database_in_agreement_after_the_next_start(fixture_data, tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    build.build(fixture_data, url)
    original = (fixture_data / "sources.csv").stat().st_mode
    body = SOURCE_HEADER + "".join(f"k-{i},https://k.example/{i},T,P,,2026-01-01,\n" for i in range(20_000))
    upload = tmp_path / "sources.csv"
    upload.write_text(body)
    code = f"import os, sys; from db import ingest; sys.exit(ingest.main(['{upload}', '--also-data']))"
    env = {**os.environ, "DATABASE_URL": url, "OBSERVATORY_DATA_DIR": str(fixture_data)}
    for delay in (0.3, 0.8, 1.5):
        proc = subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, env=env)
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        build.ensure_database(fixture_data, url)
        in_file = (fixture_data / "sources.csv").read_text().count("\nk-")
        assert _count(url, "sources") - 4 == in_file  # the next start makes them agree
    assert (fixture_data / "sources.csv").stat().st_mode == original
    assert not [p for p in fixture_data.iterdir() if p.name.startswith(".sources.csv.")]


# --- the public server ---------------------------------------------------------------------------------------


def test_server_config_limits_uploads_and_hides_error_details():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == ingest.MAX_BYTES // 1_048_576
    assert config["client"]["showErrorDetails"] == "none"


def test_wrong_passwords_lock_an_address_across_sessions():
    from ui.auth import AttemptLedger

    book = AttemptLedger(limit=5, window_s=900)
    for _ in range(5):
        book.fail("203.0.113.9", now=1000.0)
    assert book.locked("203.0.113.9", now=1001.0)  # a reload is a new session, the address is the same
    assert not book.locked("198.51.100.1", now=1001.0)
    assert not book.locked("203.0.113.9", now=1000.0 + 901)


@pytest.mark.parametrize("kind", ["empty", "unrelated"])
def test_pages_on_a_database_that_is_not_the_observatorys_say_how_to_rebuild(tmp_path, monkeypatch, kind):
    """A wrong file restored by hand, newer than data/ so the app does not rebuild it: a message, never a crash."""
    from tests.apptest_helpers import open_page
    from ui.data import DATABASE_BROKEN

    path = tmp_path / "restored.db"
    conn = sqlite3.connect(path)
    if kind == "unrelated":
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
    conn.commit()
    conn.close()
    os.utime(path)  # newer than every data file
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{path}")
    monkeypatch.setenv("OBSERVATORY_DATA_DIR", str(FIXTURE_DATA))
    for page in ("pages/overview.py", "pages/incidents.py"):
        at = open_page(page)
        assert not at.exception, at.exception
        assert DATABASE_BROKEN in [e.value for e in at.error]


def _asgi_status(method: str, path: str) -> int:
    """Send one request through the upload gate to an app that answers 204; return the status."""
    import asyncio
    import threading

    from ui.upload_gate import UploadGate

    async def inner(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "headers": []}
    # in a thread of its own: the browser tests' sync Playwright may hold an event loop in this one
    runner = threading.Thread(target=lambda: asyncio.run(UploadGate(inner)(scope, receive, send)))
    runner.start()
    runner.join(timeout=10)
    return sent[0]["status"]


def test_the_upload_gate_lets_only_curator_sessions_upload():
    from ui.upload_gate import record_session

    record_session("s-curator", True)
    record_session("s-reader", False)
    assert _asgi_status("PUT", "/_stcore/upload_file/s-curator/f1") == 204
    assert _asgi_status("PUT", "/_stcore/upload_file/s-reader/f1") == 403
    assert _asgi_status("POST", "/base/_stcore/upload_file/s-reader/f1") == 403  # under server.baseUrlPath
    assert _asgi_status("DELETE", "/_stcore/upload_file/s-reader/f1") == 204  # removing is harmless
    assert _asgi_status("GET", "/_stcore/health") == 204
    record_session("s-curator", False)  # signed out: refused from the next request on
    assert _asgi_status("PUT", "/_stcore/upload_file/s-curator/f1") == 403
