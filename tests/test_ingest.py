"""Imports: validated as the build validates, all or nothing, idempotent upserts, limits, the curator page."""

import csv
import hashlib
import io
import json
import os
import sqlite3
import time
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest, app_test

from db import ingest, schema, spec
from db.build import build
from db.engine import make_engine, sqlite_path
from db.queries.core import model_first_rule
from db.service import (
    ANONYMOUS,
    Actor,
    NotAuthorised,
    existing_rows,
    generation,
    reference_keys,
    referenced_tables,
    referenced_values,
    write_engine,
    write_records,
)
from db.validate import ValidationError, check_references
from tests.conftest import FIXTURE_DATA
from tests.test_postgres import snapshot

ROOT = Path(__file__).resolve().parent.parent
CURATOR = Actor("tester@example.org", "test")
RELEASE_HEADER = (
    "release_id,model_id,date,date_precision,event_type,openness_level,gating,licence_id,"
    "weights,inference_code,training_code,training_data,documentation,notes,source_ids"
)
NEW_RELEASE = "gpt-3-2021-01,gpt-3,2021-01-01,month,api,3,none,,closed,closed,closed,closed,partial,New.,s-gpt2;s-lic"
CHANGED_RELEASE = (
    "gpt-2-2019-02,gpt-2,2019-02-14,day,staged,1,none,MIT,partial,open,closed,closed,partial,Changed.,s-lic"
)


@pytest.fixture
def db_url(tmp_path) -> str:
    """A writable database built from the fixture data by the real build."""
    url = f"sqlite:///{tmp_path / 'import.db'}"
    build(FIXTURE_DATA, url)
    return url


def _query(url: str, sql: str, *params) -> list[tuple]:
    conn = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def fingerprint(url: str) -> str:
    """A digest of every row of every table except the import timestamp."""
    conn = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
    try:
        lines = [line for line in conn.iterdump() if "last_import" not in line]
    finally:
        conn.close()
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def count(url: str, table: str) -> int:
    return _query(url, f'SELECT count(*) FROM "{table}"')[0][0]  # noqa: S608 (test-chosen table names)


def releases_csv(*rows: str) -> bytes:
    return "\n".join((RELEASE_HEADER, *rows, "")).encode()


def test_csv_import_inserts_and_updates_with_derived_columns_and_citations(db_url):
    before = count(db_url, "releases")
    result = ingest.import_bytes(CURATOR, "releases.csv", releases_csv(NEW_RELEASE, CHANGED_RELEASE), url=db_url)
    assert (result.inserted, result.updated, result.table) == (1, 1, "releases")
    assert count(db_url, "releases") == before + 1
    assert _query(db_url, "SELECT year, notes FROM releases WHERE release_id = 'gpt-3-2021-01'") == [(2021, "New.")]
    cites = _query(db_url, "SELECT entity_id, source_id FROM citations WHERE entity = 'releases' ORDER BY 1, 2")
    assert ("gpt-3-2021-01", "s-gpt2") in cites and ("gpt-3-2021-01", "s-lic") in cites
    # The updated row's citations are replaced, not added to.
    assert [c for c in cites if c[0] == "gpt-2-2019-02"] == [("gpt-2-2019-02", "s-lic")]
    assert _query(db_url, "SELECT value FROM build_info WHERE key = 'last_import'")


def test_importing_the_same_file_twice_changes_nothing(db_url):
    data = releases_csv(NEW_RELEASE, CHANGED_RELEASE)
    ingest.import_bytes(CURATOR, "releases.csv", data, url=db_url)
    once = fingerprint(db_url)
    again = ingest.import_bytes(CURATOR, "releases.csv", data, url=db_url)
    assert (again.inserted, again.updated) == (0, 2)
    assert fingerprint(db_url) == once


def test_json_import_maintains_developers_and_matches_the_build(db_url, tmp_path):
    models = [
        {
            "model_id": "new-model",
            "name": "New model",
            "organization_ids": "meta;openai",
            "modality": "text",
            "parameters": 7000000000,
            "parameters_basis": "disclosed",
            "training_compute_flop": 8.4e22,
            "compute_basis": "estimated",
            "compute_estimated_by": "Epoch AI",
            "family": None,
            "inclusion": "frontier",
            "description": "A model added by import.",
            "source_ids": "s-llama",
        },
        {
            "model_id": "llama",
            "name": "LLaMA",
            "organization_ids": "openai",
            "modality": "text",
            "inclusion": "seed",
            "description": "Changed developer.",
            "source_ids": "s-llama",
        },
    ]
    ingest.import_bytes(CURATOR, "models.json", json.dumps(models).encode(), url=db_url)
    devs = _query(db_url, "SELECT model_id, organization_id, position FROM model_organizations ORDER BY 1, 3")
    assert [d for d in devs if d[0] in ("new-model", "llama")] == [
        ("llama", "openai", 0),
        ("new-model", "meta", 0),
        ("new-model", "openai", 1),
    ]
    assert _query(db_url, "SELECT organization_id, parameters FROM models WHERE model_id = 'new-model'") == [
        ("meta", 7000000000)
    ]
    # The same rows put into data/ and built give the same tables.
    data = tmp_path / "data"
    data.mkdir()
    for f in FIXTURE_DATA.glob("*.csv"):
        (data / f.name).write_bytes(f.read_bytes())
    merged = ingest._merged_data(data, *ingest.validate_upload("models.json", json.dumps(models).encode(), url=db_url))
    (data / "models.csv").write_text(merged, encoding="utf-8")
    built = f"sqlite:///{tmp_path / 'built.db'}"
    build(data, built)
    for table in ("models", "model_organizations", "citations"):
        assert sorted(_query(built, f'SELECT * FROM "{table}"')) == sorted(_query(db_url, f'SELECT * FROM "{table}"'))  # noqa: S608


def test_json_problems_name_the_record_and_column(db_url):
    items = [
        {"source_id": "ok-source", "url": "https://example.org", "title": "T", "publisher": "P"},
        {
            "source_id": "s2",
            "url": "https://example.org",
            "title": True,
            "publisher": "P",
            "date_accessed": "2026-01-01",
        },
        {"source_id": "s3", "url": "https://example.org", "title": "T", "publisher": "P", "colour": "red"},
    ]
    with pytest.raises(ValidationError) as err:
        ingest.validate_upload("sources.json", json.dumps(items).encode(), url=db_url)
    found = {(p.line, p.column) for p in err.value.problems}
    assert (1, "date_accessed") in found and (2, "title") in found and (3, "") in found
    with pytest.raises(ValidationError, match="not valid JSON"):
        ingest.validate_upload("sources.json", b"[{", url=db_url)
    with pytest.raises(ValidationError, match="list of objects"):
        ingest.validate_upload("sources.json", b'{"a": 1}', url=db_url)


def test_a_bad_file_reports_line_column_reason_and_writes_nothing(db_url):
    before = fingerprint(db_url)
    bad = releases_csv(
        NEW_RELEASE,
        "bad-1,gpt-2,2019-13-01,day,staged,1,none,MIT,partial,open,closed,closed,partial,,s-gpt2",
        "bad-2,no-such-model,2019-02-01,day,staged,7,none,MIT,partial,open,closed,closed,partial,,s-nope",
        CHANGED_RELEASE,
    )
    with pytest.raises(ValidationError) as err:
        ingest.import_bytes(CURATOR, "releases.csv", bad, url=db_url)
    report = err.value.report()
    assert "releases.csv:3: column 'date': '2019-13-01' is not a valid date" in report
    assert "releases.csv:4: column 'openness_level'" in report
    assert "releases.csv:4: column 'model_id': 'no-such-model' is not in models" in report
    assert "releases.csv:4: column 'source_ids': 's-nope' is not in sources" in report
    assert fingerprint(db_url) == before


def test_duplicate_keys_in_one_file_are_refused(db_url):
    with pytest.raises(ValidationError, match="duplicate key gpt-3-2021-01"):
        ingest.import_bytes(CURATOR, "releases.csv", releases_csv(NEW_RELEASE, NEW_RELEASE), url=db_url)


def test_the_problem_list_is_capped_and_says_how_many_more(db_url):
    rows = [f"r-{i},gpt-2,2019-02-01,day,staged,9,none,MIT,open,open,open,open,open,,s-gpt2" for i in range(80)]
    with pytest.raises(ValidationError) as err:
        ingest.import_bytes(CURATOR, "releases.csv", releases_csv(*rows), url=db_url)
    report = err.value.report().splitlines()
    assert len(report) == 51 and report[-1] == "... and 30 more problems"


def _big_releases(n: int, bad_line: int | None = None) -> bytes:
    """n compact release rows for the fixture's gpt-2; the row on file line `bad_line` has a bad level."""
    out = io.StringIO()
    out.write(RELEASE_HEADER + "\n")
    for i in range(n):
        level = "9" if bad_line is not None and i + 2 == bad_line else "4"
        out.write(f"b{i},gpt-2,2020-01-01,day,weights,{level},none,MIT,open,open,open,open,open,,s-gpt2\n")
    return out.getvalue().encode()


def test_a_bad_value_deep_in_a_large_import_rejects_the_file(db_url):
    data = _big_releases(100_000, bad_line=70_000)
    assert len(data) < ingest.MAX_BYTES
    db_file = sqlite_path(db_url)
    before_bytes, before = db_file.read_bytes(), fingerprint(db_url)
    with pytest.raises(ValidationError) as err:
        ingest.import_bytes(CURATOR, "releases.csv", data, url=db_url)
    assert [(p.line, p.column) for p in err.value.problems] == [(70_000, "openness_level")]
    assert "releases.csv:70000: column 'openness_level': 9 is above the maximum 5" in err.value.report()
    assert db_file.read_bytes() == before_bytes
    assert fingerprint(db_url) == before


def test_a_large_import_is_written_once_and_reimported_without_duplicates(db_url, capsys):
    data = _big_releases(100_000)
    before, cited_before = count(db_url, "releases"), count(db_url, "citations")
    started = time.perf_counter()
    first = ingest.import_bytes(CURATOR, "releases.csv", data, url=db_url)
    took = time.perf_counter() - started
    second = ingest.import_bytes(CURATOR, "releases.csv", data, url=db_url)
    took_again = time.perf_counter() - started - took
    with capsys.disabled():
        print(f"\n100,000-row import: {took:.1f} s new, {took_again:.1f} s as updates")
    assert (first.inserted, second.updated) == (100_000, 100_000)
    assert count(db_url, "releases") == before + 100_000
    assert count(db_url, "citations") == cited_before + 100_000


def test_a_failure_in_the_middle_of_the_write_leaves_the_database_unchanged(db_url):
    conn = sqlite3.connect(sqlite_path(db_url))
    conn.execute(
        "CREATE TRIGGER fail_mid_write BEFORE INSERT ON releases WHEN NEW.release_id = 'b500' "
        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
    )
    conn.commit()
    conn.close()
    before = (fingerprint(db_url), count(db_url, "releases"), count(db_url, "citations"))
    with pytest.raises(IntegrityError, match="injected failure"):
        ingest.import_bytes(CURATOR, "releases.csv", _big_releases(1_000), url=db_url)
    assert (fingerprint(db_url), count(db_url, "releases"), count(db_url, "citations")) == before


def test_upload_limits_have_clear_messages(db_url, monkeypatch):
    with pytest.raises(ingest.UploadRejected, match=r"the limit is 10 MB"):
        ingest.import_bytes(CURATOR, "releases.csv", b"x" * (ingest.MAX_BYTES + 1), url=db_url)
    monkeypatch.setattr(ingest, "MAX_ROWS", 50)
    with pytest.raises(ingest.UploadRejected, match=r"has 51 rows; the limit is 50"):
        ingest.import_bytes(CURATOR, "releases.csv", _big_releases(51), url=db_url)
    items = json.dumps([{"source_id": f"s{i}"} for i in range(51)]).encode()
    with pytest.raises(ingest.UploadRejected, match=r"has 51 rows; the limit is 50"):
        ingest.import_bytes(CURATOR, "sources.json", items, url=db_url)
    with pytest.raises(ingest.UploadRejected, match="not a table"):
        ingest.import_bytes(CURATOR, "stuff.csv", b"a\n1\n", url=db_url)
    with pytest.raises(ingest.UploadRejected, match="upload a .csv or .json"):
        ingest.import_bytes(CURATOR, "releases.xlsx", b"PK", url=db_url)


@pytest.mark.parametrize("actor", [None, ANONYMOUS, Actor("", "password"), Actor("someone", "anonymous")])
def test_an_anonymous_actor_cannot_write(db_url, actor):
    before = fingerprint(db_url)
    with pytest.raises(NotAuthorised):
        ingest.import_bytes(actor, "releases.csv", releases_csv(NEW_RELEASE), url=db_url)
    _, records = ingest.validate_upload("releases.csv", releases_csv(NEW_RELEASE), url=db_url)
    with pytest.raises(NotAuthorised):
        write_records(actor, ingest.table_for("releases.csv"), records, db_url)
    assert fingerprint(db_url) == before


def test_rows_can_cite_sources_imported_earlier(db_url):
    sources = b"source_id,url,title,publisher,date_published,date_accessed,notes\ns-new,https://example.org/a,A,B,,2026-01-01,\n"
    ingest.import_bytes(CURATOR, "sources.csv", sources, url=db_url)
    row = NEW_RELEASE.replace("s-gpt2;s-lic", "s-new")
    assert ingest.import_bytes(CURATOR, "releases.csv", releases_csv(row), url=db_url).inserted == 1


def test_also_data_merges_rows_into_the_data_file_and_the_folder_still_builds(db_url, fixture_data, tmp_path):
    data = releases_csv(NEW_RELEASE, CHANGED_RELEASE)
    ingest.import_bytes(CURATOR, "releases.csv", data, url=db_url, also_data=fixture_data)
    ingest.import_bytes(CURATOR, "releases.csv", data, url=db_url, also_data=fixture_data)
    rows = list(csv.DictReader((fixture_data / "releases.csv").open(encoding="utf-8")))
    ids = [r["release_id"] for r in rows]
    assert ids.count("gpt-3-2021-01") == 1 and ids.count("gpt-2-2019-02") == 1
    assert next(r for r in rows if r["release_id"] == "gpt-2-2019-02")["notes"] == "Changed."
    rebuilt = f"sqlite:///{tmp_path / 'rebuilt.db'}"
    build(fixture_data, rebuilt)
    assert count(rebuilt, "releases") == count(db_url, "releases")


def test_the_command_line_exit_codes_and_report(db_url, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    good, bad = tmp_path / "releases.csv", tmp_path / "bad.csv"
    good.write_bytes(releases_csv(NEW_RELEASE))
    bad.write_bytes(releases_csv("x,gpt-2,2019-02-01,day,staged,1,none,MIT,open,open,open,open,wrong,,s-gpt2"))
    assert ingest.main([str(good)]) == 0
    assert "Imported 1 releases row(s) (1 new, 0 updated)" in capsys.readouterr().out
    assert ingest.main([str(bad), "--table", "releases"]) == 1
    err = capsys.readouterr().err
    assert "nothing was written" in err and "bad.csv:2: column 'documentation': 'wrong' is not one of" in err
    assert ingest.main([str(tmp_path / "missing.csv")]) == 2


@pytest.fixture
def import_page(db_url, monkeypatch) -> AppTest:
    """The import page inside app.py's frame, for a curator signed in with the password."""
    # Keep AppTest on app.py's st.navigation frame on reruns (as in tests/test_page_timeline.py).
    monkeypatch.setattr(app_test, "PagesManager", type("PagesManager", (PagesManager,), {}))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("OBSERVATORY_DATA_DIR", str(FIXTURE_DATA))
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.secrets["curator_password"] = "correct horse"
    at.session_state["_curator_signed_in"] = True
    at.run()
    at.switch_page("pages/curate.py").run()
    assert at.title[0].value == "Import data"
    return at


def test_the_import_page_reports_problems_and_writes_nothing(db_url, import_page):
    before = fingerprint(db_url)
    at = import_page
    bad = releases_csv(NEW_RELEASE.replace(",3,", ",8,"))
    at.file_uploader(key="curate_upload").set_value(("releases.csv", bad, "text/csv"))
    at.run()
    at.button(key="curate_import").click().run()
    assert not at.exception
    assert "1 problem(s) found; nothing was written." in at.error[0].value
    assert "releases.csv:2: column 'openness_level'" in at.code[0].value
    assert fingerprint(db_url) == before


def test_the_import_page_imports_a_clean_file(db_url, import_page):
    at = import_page
    at.selectbox(key="curate_table").set_value("releases")
    at.file_uploader(key="curate_upload").set_value(("my upload.csv", releases_csv(NEW_RELEASE), "text/csv"))
    at.run()
    at.button(key="curate_import").click().run()
    assert not at.exception and not at.error
    assert at.success[0].value == "Imported 1 releases row(s): 1 new, 0 updated."
    assert _query(db_url, "SELECT count(*) FROM releases WHERE release_id = 'gpt-3-2021-01'") == [(1,)]


def test_the_import_page_refuses_oversized_files_with_a_message(import_page, monkeypatch):
    at = import_page
    assert at.file_uploader(key="curate_upload").proto.max_upload_size_mb == 10
    monkeypatch.setattr(ingest, "MAX_ROWS", 10)
    at.file_uploader(key="curate_upload").set_value(("releases.csv", _big_releases(11), "text/csv"))
    at.run()
    at.button(key="curate_import").click().run()
    assert "refused" in at.error[0].value
    assert "has 11 rows; the limit is 10" in at.main.text[-1].value


@pytest.mark.postgres
def test_imports_upsert_on_postgresql_too():
    """The same all-or-nothing upserts on PostgreSQL (needs TEST_DATABASE_URL; skipped without it)."""
    server = os.environ.get("TEST_DATABASE_URL")
    if not server:
        pytest.skip("TEST_DATABASE_URL is unset")
    name = f"observatory_import_{uuid.uuid4().hex[:10]}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = make_url(server).set(database=name).render_as_string(hide_password=False)
    try:
        build(FIXTURE_DATA, url)
        data = releases_csv(NEW_RELEASE, CHANGED_RELEASE)
        first = ingest.import_bytes(CURATOR, "releases.csv", data, url=url)
        once = snapshot(url)
        again = ingest.import_bytes(CURATOR, "releases.csv", data, url=url)
        assert (first.inserted, first.updated, again.inserted, again.updated) == (1, 1, 0, 2)
        strip = {k: v for k, v in once.items() if k != "build_info"}
        assert {k: v for k, v in snapshot(url).items() if k != "build_info"} == strip
        with pytest.raises(ValidationError):
            ingest.import_bytes(CURATOR, "releases.csv", releases_csv(NEW_RELEASE.replace(",3,", ",9,")), url=url)
        assert {k: v for k, v in snapshot(url).items() if k != "build_info"} == strip
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_references_are_checked_again_when_the_database_changed_after_validation(db_url):
    engine = write_engine(db_url)
    with engine.connect() as conn:
        checked_at = generation(conn)
    engine.dispose()
    _, records = ingest.validate_upload("releases.csv", releases_csv(NEW_RELEASE), url=db_url)
    conn = sqlite3.connect(sqlite_path(db_url))  # a rebuild in between: s-lic is gone
    conn.execute("DELETE FROM citations WHERE source_id = 's-lic'")
    conn.execute("DELETE FROM sources WHERE source_id = 's-lic'")
    conn.execute("UPDATE build_info SET value = 'later' WHERE key = 'built_at'")
    conn.commit()
    conn.close()
    before = fingerprint(db_url)
    with pytest.raises(ValidationError, match="'s-lic' is not in sources"):
        write_records(CURATOR, ingest.table_for("releases.csv"), records, db_url, checked_at)
    assert fingerprint(db_url) == before


@pytest.mark.parametrize("name", [t.name for t in spec.TABLES])
def test_reference_checks_read_only_keys_and_find_what_the_whole_stored_rows_find(db_url, name):
    """The import reads stored keys (only those the file names); its problems equal a check on whole stored rows."""
    table = spec.BY_NAME[name]
    data = (FIXTURE_DATA / table.file).read_bytes()
    _, records, problems = ingest.read_upload(table.file, data)
    assert records and not problems
    # Break every reference of every other row: a dangling id, and for links a release of another model.
    releases = {
        r.values["release_id"]: r.values["model_id"]
        for r in ingest.read_upload("releases.csv", (FIXTURE_DATA / "releases.csv").read_bytes())[1]
    }
    for rec in records[::2]:
        for col in table.cols:
            value = rec.values.get(col.name)
            if col.kind == "ref" and value:
                rec.values[col.name] = f"{value}-nope"
            elif col.kind in ("reflist", "sources") and value:
                rec.values[col.name] = f"{value};nope"
        if name == "incident_links":
            rec.values["release_id"] = next(r for r, m in releases.items() if m != rec.values["model_id"])
    engine = make_engine(db_url, readonly=True)
    try:
        with engine.connect() as conn:
            names = referenced_tables(table)
            whole = check_references({name: records}, existing_rows(conn, names))
            keys = reference_keys(conn, names, referenced_values(table, records))
            assert check_references({name: records}, keys) == whole
            assert check_references({name: records}, reference_keys(conn, names)) == whole
            stored = sum(len(v) for v in existing_rows(conn, names).values())
            assert sum(len(v) for v in keys.values()) <= stored
    finally:
        engine.dispose()
    has_refs = any(c.kind in ("ref", "reflist", "sources") for c in table.cols)
    assert bool(whole) == has_refs
    if name == "incident_links":
        assert any("belongs to model" in p.reason for p in whole)


def _link_state(url: str, link_id: str) -> tuple:
    return _query(url, "SELECT release_at, level_at, licence_at FROM link_states WHERE link_id = ?", link_id)[0]


def test_imports_keep_the_stored_link_states_current(db_url):
    """A release event before an incident, or an incident moved in time, changes the model's state at that time."""
    link = "andersen-v-stability/stable-diffusion-1"
    assert _link_state(db_url, link) == ("sd-2022-08", 4, "LicenseRef-CreativeML-OpenRAIL-M")
    earlier = "sd-2023-01,stable-diffusion-1,2023-01-02,day,weights,5,none,MIT,open,open,open,open,open,New.,s-sd"
    ingest.import_bytes(CURATOR, "releases.csv", releases_csv(earlier), url=db_url)
    assert _link_state(db_url, link) == ("sd-2023-01", 5, "MIT")

    with (FIXTURE_DATA / "incidents.csv").open(newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh) if r["incident_id"] == "gpt-2-withholding"]
    rows[0]["date"], rows[0]["date_precision"] = "2019-12-01", "day"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    ingest.import_bytes(CURATOR, "incidents.csv", out.getvalue().encode(), url=db_url)
    assert _link_state(db_url, "gpt-2-withholding/gpt-2/gpt-2-2019-02") == ("gpt-2-2019-11", 4, "MIT")
    assert _query(db_url, "SELECT count(*) FROM link_states")[0][0] == count(db_url, "incident_links")


def test_imports_keep_the_stored_model_firsts_current(db_url):
    """An earlier release event becomes the model's first (and first public) event; the table matches the rule."""
    first = "SELECT release_id, date, year, openness_level, public_year, public_level, max_level FROM model_firsts"
    assert _query(db_url, f"{first} WHERE model_id = ?", "stable-diffusion-1")[0][0] == "sd-2022-08"
    earlier = "sd-2021-01,stable-diffusion-1,2021-01-02,day,weights,5,none,MIT,open,open,open,open,open,New.,s-sd"
    ingest.import_bytes(CURATOR, "releases.csv", releases_csv(earlier), url=db_url)
    assert _query(db_url, f"{first} WHERE model_id = ?", "stable-diffusion-1")[0] == (
        "sd-2021-01", "2021-01-02", 2021, 5, 2021, 5, 5
    )  # fmt: skip
    assert _stored_and_fresh_firsts(db_url)[0] == _stored_and_fresh_firsts(db_url)[1]


def _stored_and_fresh_firsts(url: str) -> tuple[list[tuple], list[tuple]]:
    engine = make_engine(url, readonly=True)
    try:
        with engine.connect() as conn:
            stored = sorted(map(tuple, conn.execute(select(schema.model_firsts)).all()))
            fresh = sorted(map(tuple, conn.execute(model_first_rule()).all()))
    finally:
        engine.dispose()
    return stored, fresh


def test_a_release_event_moved_to_another_model_refreshes_both_models(db_url):
    """GPT-2's November weights release re-filed under Stable Diffusion: GPT-2 is left at its staged level."""
    moved = "gpt-2-2019-11,stable-diffusion-1,2019-11-01,month,weights,4,none,MIT,open,open,closed,closed,open,,s-gpt2"
    ingest.import_bytes(CURATOR, "releases.csv", releases_csv(moved), url=db_url)
    stored, fresh = _stored_and_fresh_firsts(db_url)
    assert stored == fresh
    assert next(r for r in stored if r[0] == "gpt-2")[8] == 1
