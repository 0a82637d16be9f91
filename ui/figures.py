"""Chart builders with their figures cached on their arguments, at the UI boundary (charts/ stays pure).

A warm rerun otherwise rebuilds every figure from the cached DataFrames, and building is most of a rerun's
time. st.cache_data keys the figure on the builder and its arguments (DataFrames hash by content) and keeps
the figure as its dict; every call, first or cached, gets a new copy of that dict as a `Prebuilt` figure. So a page may change
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


class Prebuilt(go.Figure):
    """A cached figure that is drawn from the dict it was cached as, without being rebuilt.

    Streamlit asks a figure only for `to_dict()` and writes that dict as JSON, so building a go.Figure from the
    cached dict (Plotly validates every property on the way in) spent a third of a warm page run re-checking a
    figure that was checked when it was first built. `widgets.chart` hands Streamlit `streamlit_view(fig)`, which
    gives the cached dict as it is; the go.Figure behind a Prebuilt is made on first use of anything else (a
    picture download, the phone form, a test reading its traces), and from then on it is an ordinary go.Figure.
    """

    def __init__(self, spec: dict):  # go.Figure.__init__ runs later, in _build, only if it is needed
        object.__setattr__(self, "_spec", spec)

    def _build(self) -> None:
        spec = object.__getattribute__(self, "_spec")
        object.__setattr__(self, "_spec", None)
        go.Figure.__init__(self, spec)

    def __getattr__(self, name: str):
        # Reached only when normal lookup fails: before _build, every attribute go.Figure.__init__ sets is missing
        # (so are the ones a property such as .data reads).
        if object.__getattribute__(self, "_spec") is None:
            raise AttributeError(name)
        self._build()
        return object.__getattribute__(self, name)

    def __setattr__(self, name: str, value) -> None:
        if object.__getattribute__(self, "_spec") is not None:
            self._build()
        super().__setattr__(name, value)

    def to_dict(self) -> dict:
        if object.__getattribute__(self, "_spec") is not None:
            self._build()
        return super().to_dict()


class _StreamlitView(go.Figure):
    """What st.plotly_chart reads of a Prebuilt: the cached dict, as it is (Streamlit only serialises it)."""

    def __init__(self, spec: dict):
        object.__setattr__(self, "_spec", spec)

    def to_dict(self) -> dict:
        return object.__getattribute__(self, "_spec")


def streamlit_view(fig: go.Figure) -> go.Figure:
    """The figure to pass to st.plotly_chart: a Prebuilt not built yet goes as its cached dict, anything else as it
    is (the dict is Streamlit's alone: it is a fresh copy from the cache and nothing else holds it)."""
    if isinstance(fig, Prebuilt):
        spec = object.__getattribute__(fig, "_spec")
        if spec is not None:
            return _StreamlitView(spec)
    return fig


def title(fig: go.Figure) -> str | None:
    """The figure's title text, read from the cached dict when the figure has not been built."""
    if isinstance(fig, Prebuilt):
        spec = object.__getattribute__(fig, "_spec")
        if spec is not None:
            heading = spec.get("layout", {}).get("title")
            return (heading.get("text") if isinstance(heading, dict) else heading) or None
    return fig.layout.title.text


def cached(builder: Callable[..., go.Figure]) -> Callable[..., go.Figure]:
    """The chart builder `builder` (a module-level function), its figure built once per distinct set of arguments
    and a new copy of it returned on every call (the cache unpickles a fresh dict each time)."""

    @wraps(builder)
    def build(*args, **kwargs) -> go.Figure:
        return Prebuilt(_figure(builder.__module__, builder.__name__, args, kwargs))

    return build
