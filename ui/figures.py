"""Chart builders with their figures cached on their arguments, at the UI boundary (charts/ stays pure).

A warm rerun otherwise rebuilds every figure from the cached DataFrames, and building is most of a rerun's
time. st.cache_data keys the figure on the builder and its arguments (DataFrames hash by content) and keeps
the figure as its dict; every call, first or cached, makes a new go.Figure of that dict. So a page may change
its figure without touching the cache, and a figure is the same JSON, key for key, whether it was just built
or came from the cache (a freshly built figure lists its layout keys in another order than a rebuilt one):
Streamlit names a chart element by a hash of that JSON, and a click on a chart is only kept while its name
stays the same.
"""

import importlib
from collections.abc import Callable
from functools import wraps

import plotly.graph_objects as go
import streamlit as st

CACHE_TTL_S = 3600
CACHE_ENTRIES = 128  # figures of every page and view together; the largest (the timeline) pickles to ~200 KB


@st.cache_data(ttl=CACHE_TTL_S, max_entries=CACHE_ENTRIES, show_spinner=False)
def _figure(module: str, name: str, args: tuple, kwargs: dict) -> dict:
    return getattr(importlib.import_module(module), name)(*args, **kwargs).to_dict()


def cached(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """The chart builder `builder` (a module-level function), its figure built once per distinct set of arguments
    and a new copy of it returned on every call."""

    @wraps(builder)
    def build(*args, **kwargs) -> go.Figure:
        return go.Figure(_figure(builder.__module__, builder.__name__, args, kwargs))

    return build
