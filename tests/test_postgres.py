"""The PostgreSQL path: the real build and every query against a real server, compared with SQLite.

Needs TEST_DATABASE_URL (a PostgreSQL URL whose user may create databases);
each test gets a fresh database on that server. Skipped locally without it,
a failure in CI (CI=true), where .ci/run starts a throwaway server.
"""

import inspect
import math
import os
import shutil
import uuid
from concurrent.futures import ThreadPoolExecutor

import pandas as pd
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import make_url

from db import queries, schema
from db.build import build, stored_hash, write_dataset
from db.engine import make_engine
from db.validate import ValidationError
from tests.conftest import FIXTURE_DATA

pytestmark = pytest.mark.postgres

# Columns built with string aggregation: PostgreSQL and SQLite may join the parts in another order.
AGGREGATED = {"source_urls", "models"}
FILTER_CASES = {
    "none": {},
    "years": {"start": "2020-01-01", "end": "2023-12-31"},
    "levels": {"openness_levels": [4]},
    "family with unknown": {"licence_families": ["non-commercial", "unknown"]},
    "licence": {"licence_ids": ["MIT"]},
    "organisation": {"organizations": ["meta"]},
    "modality and type": {"modalities": ["image"], "incident_types": ["copyright"]},
}
# Arguments for query functions that need more than the engine and filters.
EXTRA_ARGS = {
    "model_profile": [{"model_id": "llama"}, {"model_id": "stable-diffusion-1"}],
    "releases_for_model": [{"model_id": "gpt-2"}, {"model_id": "no-such-model"}],
    "model_exists": [{"model_id": "gpt-2"}, {"model_id": "no-such-model"}],
    "table": [{"name": name} for name in schema.TABLES],
    "incidents": [{"search": "stability"}, {"statuses": ["pending"]}, {"limit": 2}],
    "releases": [{"limit": 3}],
    "incident_steps": [{"incident_ids": ["andersen-v-stability"]}],
    "sources": [{"source_ids": ["s-sd", "s-lic"]}],
    "events_by_id": [{"release_ids": ["gpt-2-2019-02", "missing"], "incident_ids": ["llama-weights-leak"]}],
}


@pytest.fixture(scope="module")
def server_url() -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
            pytest.fail("CI=true but TEST_DATABASE_URL is unset: the PostgreSQL tests must run in CI (see .ci/run)")
        pytest.skip("TEST_DATABASE_URL is unset; set it to a PostgreSQL URL to run the PostgreSQL tests")
    if make_url(url).get_backend_name() != "postgresql":
        pytest.fail(f"TEST_DATABASE_URL must point at PostgreSQL, got {make_url(url).get_backend_name()}")
    return url


@pytest.fixture
def pg_url(server_url):
    """A fresh, empty database on the test server, dropped afterwards."""
    name = f"observatory_{uuid.uuid4().hex[:12]}"
    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    yield make_url(server_url).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_engine(pg_url):
    build(FIXTURE_DATA, pg_url)
    engine = make_engine(pg_url, readonly=True)
    yield engine
    engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple]]:
    """Every row of every table (build_info included), sorted, for before/after comparisons."""
    engine = make_engine(url, readonly=True)
    with engine.connect() as conn:
        out = {
            t.name: sorted(map(tuple, conn.execute(t.select()).all()), key=repr) for t in schema.metadata.sorted_tables
        }
    engine.dispose()
    return out


def normalise(value):
    """One cell in a backend-neutral form: None for nulls, plain ints and rounded floats."""
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float):
        return int(value) if value.is_integer() else round(value, 9)
    return value


def rows(df: pd.DataFrame) -> tuple[list[str], list[tuple]]:
    """Columns and rows of a query result, with aggregated text compared as sets of parts."""
    out = []
    for rec in df.itertuples(index=False):
        row = []
        for col, value in zip(df.columns, rec, strict=True):
            value = normalise(value)
            if col in AGGREGATED and isinstance(value, str):
                value = tuple(sorted(value.replace("; ", " ").split()))
            row.append(value)
        out.append(tuple(row))
    return list(df.columns), out


def comparable(result):
    """Any query result (DataFrame, dict of them, scalar) in a form == can compare across backends."""
    if isinstance(result, pd.DataFrame):
        return rows(result)
    if isinstance(result, dict):
        return {k: comparable(v) for k, v in result.items()}
    return normalise(result)


def query_functions() -> dict:
    """Every public query function re-exported by db.queries (engine first)."""
    out = {}
    for name, fn in vars(queries).items():
        if name.startswith("_") or not inspect.isfunction(fn) or not fn.__module__.startswith("db.queries"):
            continue
        params = list(inspect.signature(fn).parameters.values())
        if params and params[0].name == "engine":
            out[name] = fn
    return out


def calls(name: str, fn) -> list[dict]:
    """The keyword arguments to try for one query: the filter cases it accepts, plus its own extras."""
    params = inspect.signature(fn).parameters
    takes_filters = any(p.kind is p.VAR_KEYWORD for p in params.values())
    required = [p for p in list(params.values())[1:] if p.default is p.empty and p.kind is p.POSITIONAL_OR_KEYWORD]
    out = [] if required else [{}]
    if takes_filters and not required:
        out += list(FILTER_CASES.values())[1:]
    out += EXTRA_ARGS.get(name, [])
    if takes_filters and name in EXTRA_ARGS:
        out += [{**extra, **FILTER_CASES["years"]} for extra in EXTRA_ARGS[name]]
    return out


def test_build_gives_same_row_counts_as_sqlite(pg_url, fixture_db):
    counts = build(FIXTURE_DATA, pg_url)
    sqlite_counts = build(FIXTURE_DATA, fixture_db, force=True)
    assert counts == sqlite_counts
    pg, lite = make_engine(pg_url, readonly=True), make_engine(fixture_db, readonly=True)
    assert queries.row_counts(pg) == queries.row_counts(lite)
    assert set(sa_inspect(pg).get_table_names()) == set(schema.metadata.tables)
    pg.dispose()
    lite.dispose()


def test_every_query_matches_sqlite(pg_engine, fixture_engine):
    functions = query_functions()
    assert {"releases", "incidents", "models", "licences", "filter_options", "model_profile"} <= set(functions)
    checked, differ = 0, []
    for name, fn in sorted(functions.items()):
        for kwargs in calls(name, fn):
            expected = comparable(fn(fixture_engine, **kwargs))
            got = comparable(fn(pg_engine, **kwargs))
            if name == "build_info":
                assert got.pop("built_at") and expected.pop("built_at")
            if got != expected:
                differ.append(f"{name}({kwargs}):\n  postgres {got}\n  sqlite   {expected}")
            checked += 1
    assert not differ, "\n".join(differ)
    assert checked >= 60


def test_filters_select_rows_on_postgres(pg_engine):
    assert queries.count_releases(pg_engine) == 6
    assert set(queries.releases(pg_engine, openness_levels=[4])["release_id"]) == {
        "gpt-2-2019-11",
        "llama-2023-02",
        "llama-2023-03-leak",
        "sd-2022-08",
    }
    unknown = queries.releases(pg_engine, licence_families=["unknown"])
    assert list(unknown["release_id"]) == ["llama-2023-03-leak"]
    assert list(unknown["licence"]) == ["unknown"]
    meta = queries.releases(pg_engine, organizations=["meta"])
    assert set(meta["model_id"]) == {"llama", "stable-diffusion-1"}
    assert list(queries.incidents(pg_engine, search="STABILITY")["incident_id"]) == ["andersen-v-stability"]


def test_second_build_changes_nothing(pg_url):
    assert build(FIXTURE_DATA, pg_url) is not None
    before = snapshot(pg_url)
    assert build(FIXTURE_DATA, pg_url) is None
    assert snapshot(pg_url) == before


def test_failed_build_leaves_tables_unchanged(pg_url, fixture_data):
    build(FIXTURE_DATA, pg_url)
    before = snapshot(pg_url)
    releases_csv = fixture_data / "releases.csv"
    releases_csv.write_text(releases_csv.read_text() + "bad-release,no-such-model,2019-13-45,day,weights,9,,,,,,,,,\n")
    with pytest.raises(ValidationError):
        build(fixture_data, pg_url)
    assert snapshot(pg_url) == before
    assert stored_hash(pg_url) is not None


def test_build_failing_mid_write_rolls_back(pg_url, fixture_data, monkeypatch):
    """A failure after the old tables were dropped still leaves them as they were (one transaction)."""
    build(FIXTURE_DATA, pg_url)
    before = snapshot(pg_url)
    shutil.copy(FIXTURE_DATA / "sources.csv", fixture_data / "sources.csv")
    (fixture_data / "organizations.csv").write_text(
        (FIXTURE_DATA / "organizations.csv").read_text() + "new-org,New Org,,US,company\n"
    )

    write_everything = write_dataset

    def broken_write(conn, *args):
        write_everything(conn, *args)
        raise RuntimeError("disk full")

    monkeypatch.setattr("db.build.write_dataset", broken_write)
    with pytest.raises(RuntimeError, match="disk full"):
        build(fixture_data, pg_url)
    assert snapshot(pg_url) == before


def test_replicas_starting_together_build_once(pg_url):
    """Several app replicas on one fresh database: one builds, the others wait and find it current."""
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: build(FIXTURE_DATA, pg_url), range(4)))
    assert sum(r is not None for r in results) == 1
    engine = make_engine(pg_url, readonly=True)
    assert queries.count_releases(engine) == 6
    engine.dispose()


def test_readonly_engine_refuses_writes(pg_engine):
    with pg_engine.connect() as conn, pytest.raises(Exception, match="read-only"):
        conn.execute(schema.sources.delete())


# Deep links that open every page's main views (pages/curate.py is for signed-in curators only).
PAGE_VIEWS = [
    ("pages/overview.py", {}),
    ("pages/timeline.py", {"lanes": "org"}),
    ("pages/risk.py", {}),
    ("pages/risk.py", {"view": "scale"}),
    ("pages/licences.py", {}),
    ("pages/licences.py", {"view": "compare", "a": "MIT", "b": "LicenseRef-LLaMA-1"}),
    ("pages/incidents.py", {"itype": "copyright"}),
    ("pages/model.py", {"model": "llama"}),
    ("pages/method.py", {"table": "releases"}),
]


def _page_on(url: str, page: str, params: dict, monkeypatch) -> dict:
    """Run one page through app.py on the database at `url`; return what it drew and said."""
    import json

    import streamlit as st

    from tests.apptest_helpers import open_page, texts

    st.cache_data.clear()
    st.cache_resource.clear()
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("OBSERVATORY_DATA_DIR", str(FIXTURE_DATA))
    at = open_page(page, params)
    assert not at.exception, f"{page} {params}: {at.exception}"
    figures = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    return {
        "traces": [sorted((t.get("name") or "", t.get("type", "")) for t in fig["data"]) for fig in figures],
        "captions": [c for c in texts(at, "caption") if " shown of " in c],
        "tables": sorted(len(df.value) for df in at.dataframe),
    }


@pytest.mark.parametrize(("page", "params"), PAGE_VIEWS, ids=lambda v: str(v)[:40])
def test_pages_draw_the_same_on_postgres(pg_url, fixture_db, page, params, monkeypatch):
    build(FIXTURE_DATA, pg_url)
    on_postgres = _page_on(pg_url, page, params, monkeypatch)
    on_sqlite = _page_on(fixture_db, page, params, monkeypatch)
    assert on_postgres == on_sqlite
    assert on_postgres["traces"] or on_postgres["tables"]
