"""Cached access to db.queries for the pages: the engine is a resource, results are cached data."""

import importlib
from collections.abc import Callable
from functools import wraps

import pandas as pd
import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from db import queries
from db.build import ensure_database
from db.engine import QueryTimeout, make_engine
from ui.state import Filters

DATABASE_BROKEN = (
    "The database cannot be read: it is missing tables or is not an Observatory database (for example after "
    "restoring the wrong file). Nothing is shown rather than something wrong. An operator can rebuild it from "
    "data/ with `python -m db.build --force`, or restore a good backup with `python -m db.backup --restore FILE`."
)
CACHE_TTL_S = 3600
CACHE_ENTRIES = 256
# The db.queries functions pages may run by name (names come from code, never from the URL).
QUERIES = {
    "releases",
    "count_releases",
    "releases_by_year_level",
    "release_cohorts",
    "licence_families_by_year",
    "incidents",
    "count_incidents",
    "count_models",
    "incidents_by_year_type",
    "incident_links",
    "release_to_incident_lag",
    "risk_by_level",
    "models_by_level",
    "incident_lag",
    "models",
    "model_catalogue",
    "model_list",
    "model_choices",
    "model_profile",
    "releases_for_model",
    "licences",
    "incident_steps",
    "context_events",
    "sources",
    "filter_options",
    "table",
    "row_counts",
    "build_info",
    "events_by_id",
    "date_precision_by_year",
    "coverage_by_year_level",
    "models_by_clause_year",
    "licence_answers",
    "licence_comparison",
    "table_rows",
    "release_detail",
    "incident_detail",
    "crosswalk_rows",
    "crosswalk_agreement",
    "crosswalk_patterns",
    "crosscheck",
    "open_washing",
    "osaid",
    "trackers",
    "benchmarks",
    "evaluation_points",
    "compute_points",
    "compute_estimates",
}


@st.cache_resource(show_spinner="Building the database from data/ (first run only)...")
def engine():
    """The read-only engine, after building the database if it is missing or stale."""
    ensure_database()
    return make_engine(readonly=True)


@st.cache_data(ttl=CACHE_TTL_S, max_entries=CACHE_ENTRIES, show_spinner=False)
def _cached(name: str, filters: Filters | None, args: tuple) -> object:
    kwargs = dict(args)
    if filters is not None:
        kwargs.update(filters.kwargs())
    return getattr(queries, name)(engine(), **kwargs)


def get(name: str, filters: Filters | None = None, **kwargs) -> pd.DataFrame:
    """Run a named query (cached); a query cut off for time stops the page with a message."""
    if name not in QUERIES:
        raise ValueError(f"unknown query '{name}'")
    args = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in kwargs.items()))
    try:
        return _cached(name, filters, args)
    except QueryTimeout as exc:
        st.warning(str(exc))
        st.stop()
    except (SQLAlchemyError, pd.errors.DatabaseError):
        # A missing table or an unreadable file (SQLAlchemy's error, or pandas' own when it reads through the
        # sqlite3 connection): say what to do, never show the SQL (showErrorDetails is off too).
        st.error(DATABASE_BROKEN, icon=":material/database:")
        st.stop()


def total(kind: str) -> int:
    """Unfiltered row count of a table, the N in 'n shown of N'."""
    return get("row_counts")[kind]


@st.cache_data(ttl=CACHE_TTL_S, max_entries=CACHE_ENTRIES, show_spinner=False)
def _derived(module: str, name: str, args: tuple, kwargs: dict) -> object:
    return getattr(importlib.import_module(module), name)(*args, **kwargs)


def derived(compute: Callable) -> Callable:
    """A pure computation over query results (a module-level function of db.queries), cached on its arguments
    like the queries themselves, so a warm rerun does not redo it."""

    @wraps(compute)
    def run(*args, **kwargs):
        return _derived(compute.__module__, compute.__name__, args, kwargs)

    return run
