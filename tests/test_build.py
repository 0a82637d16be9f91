"""The build: real SQLite from the fixture data, idempotent, atomic, and refusing bad data from the command line."""

import csv
import datetime as dt
import hashlib
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import insert, select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from db import schema, spec
from db.build import STREAMED, _build_sqlite, build, data_hash, ensure_database, write_dataset
from db.engine import make_engine
from db.queries.core import link_state_rule, model_first_rule
from db.validate import ValidationError, load_dataset
from tests.conftest import FIXTURE_DATA, ROOT


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def csv_rows(data: Path, file: str) -> list[dict]:
    with (data / file).open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def set_cell(data: Path, file: str, row: int, column: str, value: str) -> None:
    with (data / file).open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    rows[row + 1][rows[0].index(column)] = value
    with (data / file).open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)


def scalar(url: str, sql: str):
    engine = make_engine(url, readonly=True)
    try:
        with engine.connect() as conn:
            return conn.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def run_build(data: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    return subprocess.run(
        [sys.executable, "-m", "db.build", "--data", str(data), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def db_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'built' / 'observatory.db'}"


def test_build_loads_every_row(fixture_data, db_url):
    counts = build(fixture_data, db_url)
    for table in spec.TABLES:
        assert counts[table.name] == len(csv_rows(fixture_data, table.file)), table.name
        assert scalar(db_url, f"SELECT count(*) FROM {table.name}") == counts[table.name]  # noqa: S608
    developers = sum(len(r["organization_ids"].split(";")) for r in csv_rows(fixture_data, "models.csv"))
    assert counts["model_organizations"] == developers == 5
    cited = sum(
        len(set(r["source_ids"].split(";")))
        for t in spec.TABLES
        if t.needs_source
        for r in csv_rows(fixture_data, t.file)
    )
    assert counts["citations"] == cited == 31


def test_derived_columns(fixture_data, db_url):
    build(fixture_data, db_url)
    engine = make_engine(db_url, readonly=True)
    with engine.connect() as conn:
        years = dict(conn.execute(select(schema.releases.c.release_id, schema.releases.c.year)).all())
        assert years["gpt-2-2019-02"] == 2019 and years["sd-2022-08"] == 2022
        assert (
            conn.execute(
                select(schema.models.c.organization_id).where(schema.models.c.model_id == "stable-diffusion-1")
            ).scalar()
            == "stability-ai"
        )
        devs = conn.execute(
            select(schema.model_organizations.c.organization_id)
            .where(schema.model_organizations.c.model_id == "stable-diffusion-1")
            .order_by(schema.model_organizations.c.position)
        ).scalars()
        assert list(devs) == ["stability-ai", "meta"]
        links = set(conn.execute(select(schema.incident_links.c.link_id)).scalars())
        assert links == {
            "gpt-2-withholding/gpt-2/gpt-2-2019-02",
            "llama-weights-leak/llama/llama-2023-03-leak",
            "andersen-v-stability/stable-diffusion-1",
        }
        steps = set(conn.execute(select(schema.incident_steps.c.step_id)).scalars())
        assert "andersen-v-stability/2023-10-30/dismissed-in-part" in steps
        assert conn.execute(select(schema.models.c.parameters).where(schema.models.c.model_id == "gpt-3")).scalar() == (
            175_000_000_000
        )
        assert (
            conn.execute(
                select(schema.releases.c.licence_id).where(schema.releases.c.release_id == "llama-2023-03-leak")
            ).scalar()
            is None
        )
    engine.dispose()


def test_every_fact_row_is_cited_by_a_resolving_source(fixture_data, db_url):
    build(fixture_data, db_url)
    for table in spec.TABLES:
        if not table.needs_source:
            continue
        key = {"incident_links": "link_id", "incident_steps": "step_id"}.get(table.name, table.key[0])
        uncited = scalar(
            db_url,
            f"SELECT count(*) FROM {table.name} t WHERE NOT EXISTS (SELECT 1 FROM citations c "  # noqa: S608
            f"JOIN sources s ON s.source_id = c.source_id WHERE c.entity = '{table.name}' AND c.entity_id = t.{key})",
        )
        assert uncited == 0, table.name


def test_second_build_changes_nothing(fixture_data, db_url):
    path = Path(db_url.removeprefix("sqlite:///"))
    assert build(fixture_data, db_url) is not None
    before = sha256(path)
    assert build(fixture_data, db_url) is None
    assert sha256(path) == before
    assert scalar(db_url, "SELECT value FROM build_info WHERE key = 'data_hash'") == data_hash(fixture_data)


def test_changed_data_rebuilds_under_an_open_reader(fixture_data, db_url):
    build(fixture_data, db_url)
    reader = make_engine(db_url, readonly=True)
    with reader.connect() as held:
        assert held.execute(text("SELECT count(*) FROM releases")).scalar() == 6
        set_cell(fixture_data, "releases.csv", 0, "notes", "Changed note.")
        counts = build(fixture_data, db_url)
    assert counts is not None and counts["releases"] == 6
    with reader.connect() as conn:
        note = conn.execute(text("SELECT notes FROM releases WHERE release_id = 'gpt-2-2019-02'")).scalar()
    reader.dispose()
    assert note == "Changed note."
    assert scalar(db_url, "SELECT value FROM build_info WHERE key = 'data_hash'") == data_hash(fixture_data)


def test_failed_first_build_writes_nothing(fixture_data, tmp_path):
    set_cell(fixture_data, "releases.csv", 0, "date", "2019-13-45")
    target = tmp_path / "fresh"
    with pytest.raises(Exception, match="releases.csv:2: column 'date'"):
        build(fixture_data, f"sqlite:///{target / 'observatory.db'}")
    assert not target.exists() or list(target.iterdir()) == []


def test_ensure_database_builds_when_missing_or_stale(fixture_data, db_url):
    path = Path(db_url.removeprefix("sqlite:///"))
    assert ensure_database(fixture_data, db_url) is not None
    assert ensure_database(fixture_data, db_url) is None
    set_cell(fixture_data, "incidents.csv", 0, "notes", "A newer note.")
    os.utime(fixture_data / "incidents.csv", (path.stat().st_mtime + 10, path.stat().st_mtime + 10))
    assert ensure_database(fixture_data, db_url) is not None
    assert scalar(db_url, "SELECT notes FROM incidents WHERE incident_id = 'gpt-2-withholding'") == "A newer note."


def test_cli_builds_then_has_nothing_to_do(fixture_data, db_url):
    first = run_build(fixture_data, db_url)
    assert first.returncode == 0, first.stderr
    assert "Built" in first.stdout and "releases" in first.stdout
    path = Path(db_url.removeprefix("sqlite:///"))
    before = sha256(path)
    second = run_build(fixture_data, db_url)
    assert second.returncode == 0, second.stderr
    assert "up to date" in second.stdout
    assert sha256(path) == before


def test_cli_refuses_corrupted_data_and_keeps_database(fixture_data, db_url):
    assert run_build(fixture_data, db_url).returncode == 0
    path = Path(db_url.removeprefix("sqlite:///"))
    before = sha256(path)
    set_cell(fixture_data, "releases.csv", 0, "date", "2019-13-45")
    set_cell(fixture_data, "releases.csv", 2, "licence_id", "LicenseRef-Unknown")
    set_cell(fixture_data, "incident_links.csv", 2, "model_id", "ghost-model")
    result = run_build(fixture_data, db_url)
    assert result.returncode != 0
    assert "nothing was written" in result.stderr
    assert "data/releases.csv:2: column 'date': '2019-13-45' is not a valid date" in result.stderr
    assert "data/releases.csv:4: column 'licence_id': 'LicenseRef-Unknown' is not in licences" in result.stderr
    assert "data/incident_links.csv:4: column 'model_id': 'ghost-model' is not in models" in result.stderr
    assert sha256(path) == before
    assert run_build(fixture_data, db_url, "--force").returncode != 0
    assert sha256(path) == before


def test_cli_names_the_file_outside_a_data_folder(tmp_path, db_url):
    corrupted = tmp_path / "corrupted-copy"
    corrupted.mkdir()
    for f in FIXTURE_DATA.iterdir():
        (corrupted / f.name).write_bytes(f.read_bytes())
    set_cell(corrupted, "models.csv", 1, "parameters", "-3")
    result = run_build(corrupted, db_url)
    assert result.returncode == 1
    assert f"{corrupted / 'models.csv'}:3: column 'parameters': -3 is negative" in result.stderr


def test_sqlite_engine_pragmas(fixture_data, db_url):
    build(fixture_data, db_url)
    for readonly in (False, True):
        engine = make_engine(db_url, readonly=readonly)
        with engine.connect() as conn:
            assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA busy_timeout")).scalar() >= 1000
        engine.dispose()


def test_writable_engine_enforces_foreign_keys(fixture_data, db_url):
    build(fixture_data, db_url)
    engine = make_engine(db_url)
    row = {
        "release_id": "orphan",
        "model_id": "no-such-model",
        "date": "2020-01-01",
        "date_precision": "day",
        "event_type": "weights",
        "openness_level": 4,
        "weights": "open",
        "inference_code": "open",
        "training_code": "open",
        "training_data": "open",
        "documentation": "open",
        "source_ids": "s-gpt2",
        "year": 2020,
    }
    with pytest.raises(IntegrityError, match="FOREIGN KEY"), engine.begin() as conn:
        conn.execute(insert(schema.releases), row)
    engine.dispose()


def test_readonly_engine_refuses_writes(fixture_data, db_url):
    build(fixture_data, db_url)
    path = Path(db_url.removeprefix("sqlite:///"))
    before = sha256(path)
    engine = make_engine(db_url, readonly=True)
    for sql in ("DELETE FROM releases", "DROP TABLE releases", "UPDATE models SET name = 'x'"):
        with pytest.raises(OperationalError, match="readonly"), engine.begin() as conn:
            conn.execute(text(sql))
    engine.dispose()
    assert scalar(db_url, "SELECT count(*) FROM releases") == 6
    assert sha256(path) == before


def test_database_opens_with_plain_sqlite3(fixture_data, db_url):
    """People open the file directly: it must work without our engine."""
    build(fixture_data, db_url)
    conn = sqlite3.connect(db_url.removeprefix("sqlite:///"))
    try:
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")} >= set(
            schema.metadata.tables
        )
    finally:
        conn.close()


def _stored_and_recomputed(url: str) -> tuple[list[tuple], list[tuple]]:
    """The link_states table and a fresh computation of the rule that filled it, both sorted."""
    engine = make_engine(url, readonly=True)
    try:
        with engine.connect() as conn:
            stored = sorted(map(tuple, conn.execute(select(schema.link_states)).all()))
            fresh = sorted(map(tuple, conn.execute(link_state_rule()).all()))
    finally:
        engine.dispose()
    return stored, fresh


def test_link_states_table_holds_the_rule_for_every_link(fixture_db):
    stored, fresh = _stored_and_recomputed(fixture_db)
    assert stored == fresh
    assert len(stored) == scalar(fixture_db, "SELECT count(*) FROM incident_links")
    assert ("llama-weights-leak/llama/llama-2023-03-leak", "llama-2023-03-leak", 4, None) in stored


def test_model_firsts_table_holds_the_rule_for_every_model_with_an_event(fixture_db):
    engine = make_engine(fixture_db, readonly=True)
    try:
        with engine.connect() as conn:
            stored = sorted(map(tuple, conn.execute(select(schema.model_firsts)).all()))
            fresh = sorted(map(tuple, conn.execute(model_first_rule()).all()))
    finally:
        engine.dispose()
    assert stored == fresh
    assert len(stored) == scalar(fixture_db, "SELECT count(DISTINCT model_id) FROM releases")
    gpt2 = next(r for r in stored if r[0] == "gpt-2")  # staged (level 1) in February, weights (4) in November
    assert gpt2[1:5] + gpt2[6:] == ("gpt-2-2019-02", "2019-02-14", 2019, 1, 2019, 1, 4)


def test_a_file_changed_between_validation_and_writing_writes_nothing(fixture_data, db_url):
    """The build reads the large files twice; a row that went bad in between fails the build, not the database."""
    build(fixture_data, db_url)
    before = sha256(Path(db_url.removeprefix("sqlite:///")))
    today = dt.date.today()
    records = load_dataset(fixture_data, today, slim=STREAMED)
    set_cell(fixture_data, "releases.csv", 0, "openness_level", "9")
    with pytest.raises(ValidationError, match="openness_level"):
        _build_sqlite(
            Path(db_url.removeprefix("sqlite:///")),
            lambda conn: write_dataset(conn, fixture_data, today, records, {"data_hash": "x"}),
        )
    assert sha256(Path(db_url.removeprefix("sqlite:///"))) == before
