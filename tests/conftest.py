"""Shared fixtures: small real databases built through the real build, and a clean Streamlit cache."""

import shutil
from pathlib import Path

import pytest
import streamlit as st
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import app_test

from db.build import build
from db.engine import make_engine

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DATA = ROOT / "tests" / "fixtures" / "data"
SHIPPED_DATA = ROOT / "data"


@pytest.fixture
def fixture_data(tmp_path) -> Path:
    """A writable copy of the small fixture dataset."""
    target = tmp_path / "data"
    shutil.copytree(FIXTURE_DATA, target)
    return target


@pytest.fixture(scope="session")
def fixture_db(tmp_path_factory) -> str:
    """URL of a SQLite database built from tests/fixtures/data by the real build."""
    path = tmp_path_factory.mktemp("fixture") / "fixture.db"
    url = f"sqlite:///{path}"
    build(FIXTURE_DATA, url)
    return url


@pytest.fixture(scope="session")
def shipped_db(tmp_path_factory) -> str:
    """URL of a SQLite database built from the shipped data/ by the real build."""
    path = tmp_path_factory.mktemp("shipped") / "shipped.db"
    url = f"sqlite:///{path}"
    build(SHIPPED_DATA, url)
    return url


@pytest.fixture
def fixture_engine(fixture_db):
    engine = make_engine(fixture_db, readonly=True)
    yield engine
    engine.dispose()


@pytest.fixture
def shipped_engine(shipped_db):
    engine = make_engine(shipped_db, readonly=True)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True)
def _clear_streamlit_caches():
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture(autouse=True)
def _navigation_frame(monkeypatch):
    """Keep AppTest on app.py's st.navigation frame on reruns.

    AppTest 1.67 resets PagesManager.uses_pages_directory before every run, and because pages/ exists every
    run then executes the page file alone (the old pages/ mode), skipping app.py, its page list and its sidebar
    filters. Give AppTest its own subclass to reset, and keep the real flag False as st.navigation sets it.
    """
    monkeypatch.setattr(app_test, "PagesManager", type("PagesManager", (PagesManager,), {}))
    monkeypatch.setattr(PagesManager, "uses_pages_directory", False)


@pytest.fixture
def app_on_fixture(fixture_db, monkeypatch):
    """Point the app at the fixture database (AppTest runs in this process)."""
    monkeypatch.setenv("DATABASE_URL", fixture_db)
    monkeypatch.setenv("OBSERVATORY_DATA_DIR", str(FIXTURE_DATA))
    return fixture_db


@pytest.fixture
def app_on_shipped(shipped_db, monkeypatch):
    """Point the app at a database built from the shipped data."""
    monkeypatch.setenv("DATABASE_URL", shipped_db)
    monkeypatch.setenv("OBSERVATORY_DATA_DIR", str(SHIPPED_DATA))
    return shipped_db


@pytest.fixture
def downloads(monkeypatch):
    """File name -> the callable each download button registered, to run it as a click would."""
    registered = {}
    original = MediaFileManager.add_deferred

    def record(self, data_callable, mimetype, coordinates, file_name=None, **kwargs):
        registered[file_name] = data_callable
        return original(self, data_callable, mimetype, coordinates, file_name=file_name, **kwargs)

    monkeypatch.setattr(MediaFileManager, "add_deferred", record)
    return registered
