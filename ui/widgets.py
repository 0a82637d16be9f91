"""Widgets shared by the pages: URL-bound page choices, chart rendering and the chart footer."""

import datetime as dt
from collections.abc import Callable
from urllib.parse import urlencode

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from charts.phone import compact
from db import queries
from ui import data, export, figures, tables
from ui.state import Filters
from ui.text import plain

PLOTLY_CONFIG = {
    "displaylogo": False,
    "toImageButtonOptions": {"format": "png", "scale": 2},
    "modeBarButtonsToRemove": ["lasso2d", "select2d"],
}
PICKER_SEARCH_ABOVE = 500  # a record picker with more options than this gets a search box
PICKER_LISTED = 200  # and lists at most this many matches


def filters() -> Filters:
    """The shared filters set by the sidebar in app.py."""
    return st.session_state.get("filters", Filters())


def url_choice(
    param: str,
    label: str,
    options: list,
    default,
    *,
    format_func: Callable = str,
    kind: str = "radio",
    reason: str | None = None,
):
    """A page choice (radio, select box or slider) bound to a URL parameter: read once from the URL, written back.

    An invalid value in the URL is ignored with a visible note saying why (`reason`, by default: not a choice).
    A slider with a single option is not drawn: its one value is the choice.
    """
    key = f"url_{param}"
    if key not in st.session_state:
        raw = st.query_params.get(param)
        value = default
        if raw is not None:
            match = next((o for o in options if str(o) == raw), None)
            if match is None:
                why = reason or f"not one of the choices for '{label}'."
                st.info(f"Ignored {param}={plain(raw[:40])}: {why}", icon=":material/link_off:")
            else:
                value = match
        st.session_state[key] = value
    if st.session_state[key] not in options:
        st.session_state[key] = default
    if kind == "slider" and len(options) < 2:
        value = default
    else:
        widget = {"radio": st.radio, "select": st.selectbox, "slider": st.select_slider}[kind]
        extra = {"horizontal": True} if kind == "radio" else {}
        value = widget(label, options, key=key, format_func=format_func, **extra)
    set_param(param, None if value == default else str(value))
    return value


def new_selection(key: str, picked: str | None) -> str | None:
    """`picked` when it is a new selection on the element `key` (a point or row clicked since the last run).

    A chart or table keeps reporting its selection on every rerun; only a change opens something, so choosing
    another item in a picker afterwards is not overridden by the old selection.
    """
    memo = f"_selected_{key}"
    if picked is None or st.session_state.get(memo) == picked:
        st.session_state[memo] = picked
        return None
    st.session_state[memo] = picked
    return picked


def first_point_id(event) -> str | None:
    """The id (customdata[0]) of the first selected chart point, if any."""
    points = event.selection.points if event else []
    return next((str(p["customdata"][0]) for p in points if p.get("customdata")), None)


def url_text(param: str, label: str, max_chars: int = 200, **kwargs) -> str:
    """A free-text input bound to a URL parameter."""
    key = f"url_{param}"
    if key not in st.session_state:
        st.session_state[key] = (st.query_params.get(param) or "")[:max_chars]
    value = st.text_input(label, key=key, max_chars=max_chars, **kwargs)
    set_param(param, value or None)
    return value


def set_param(param: str, value: str | None) -> None:
    """Write one URL parameter, or remove it when the value is None (the default)."""
    if value is None:
        if param in st.query_params:
            del st.query_params[param]
    elif st.query_params.get(param) != value:
        st.query_params[param] = value


def set_params(filter_params: dict[str, str], page_params: set[str]) -> None:
    """Make the URL hold exactly the filters plus the current page's own parameters."""
    for key in list(st.query_params):
        if key not in page_params and key not in filter_params:
            del st.query_params[key]
    for key, value in filter_params.items():
        if st.query_params.get(key) != value:
            st.query_params[key] = value


def go_to(url_path: str, params: dict[str, str]) -> None:
    """Open another page with the given URL parameters as a fresh view (used by presets and links)."""
    from ui.pages import page_file
    from ui.sidebar import KEYS

    for key in [k for k in st.session_state if k in KEYS or str(k).startswith("url_")]:
        del st.session_state[key]
    st.switch_page(page_file(url_path), query_params=params)


def preset_buttons(presets) -> None:
    """One button per preset, with the preset's URL shown so it can be copied."""
    for i, (label, path, params) in enumerate(presets):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        if st.button(label, key=f"preset_{i}", help=f"/{path}?{query}"):
            go_to(path, params)


PENDING_CHART = "_chart_for_footer"  # the figure drawn last in this run, for the next footer's picture downloads


# The toolbar stays out of the way on a phone, where touch would keep it over the title (pictures are in the footer).
PHONE_CONFIG = {**PLOTLY_CONFIG, "displayModeBar": False}


def is_phone() -> bool:
    """Whether the browser says it is a phone ("Mobi" in its user agent, as browsers on phones send)."""
    try:
        agent = str(st.context.headers.get("User-Agent") or "")
    except AttributeError:
        return False
    return "Mobi" in agent


def chart(fig: go.Figure, key: str, **kwargs):
    """Render a Plotly figure with the shared toolbar settings, in its phone form on a phone; the footer that
    follows offers it as PNG and SVG (always the full form)."""
    st.session_state[PENDING_CHART] = fig
    if is_phone():
        return st.plotly_chart(compact(fig), key=key, config=PHONE_CONFIG, width="stretch", **kwargs)
    return st.plotly_chart(figures.streamlit_view(fig), key=key, config=PLOTLY_CONFIG, width="stretch", **kwargs)


def view_url() -> str:
    """This view's address as a reader would share it: the page's URL with its current query parameters."""
    try:
        base = str(st.context.url or "").split("?", 1)[0]
    except AttributeError:
        base = ""
    query = urlencode(st.query_params.to_dict(), safe=",")  # lists stay comma-separated, as the app writes them
    return (base or "/") + (f"?{query}" if query else "")


@st.cache_data(ttl=data.CACHE_TTL_S, max_entries=4, show_spinner=False)
def _names(data_version: str) -> tuple[dict[str, str], dict[str, str]]:
    """Licence and organisation names by id, built once per data version (every footer and citation reads them)."""
    opts = data.get("filter_options")
    licence_names = dict(zip(opts["licences"]["licence_id"], opts["licences"]["name"], strict=True))
    return licence_names, dict(
        zip(opts["organizations"]["organization_id"], opts["organizations"]["name"], strict=True)
    )


def about(title: str, rows: str, f: Filters | None = None) -> export.About:
    """Provenance of a download from this view: URL, filters in words, n, data version and cut-off."""
    f = f if f is not None else filters()
    info = data.get("build_info")
    licence_names, org_names = _names(str(info.get("data_hash", "")))
    return export.About(
        title=title,
        url=view_url(),
        filters=f.describe(licence_names, org_names),
        rows=rows,
        data_version=str(info.get("data_hash", ""))[:12] or "unknown",
        data_as_of=str(info.get("cutoff") or "unknown"),
        accessed=dt.datetime.now(dt.UTC).date().isoformat(),
    )


def footer(
    rows: pd.DataFrame | Callable[[], pd.DataFrame],
    shown: int,
    total: int,
    noun: str,
    key: str,
    f: Filters | None = None,
) -> None:
    """'n shown of N', the active filters in words, and downloads of exactly the rows behind the chart.

    `rows` may be a function returning them, for rows the page does not load itself. The CSV and JSON are
    built only when a download button is clicked, never on a rerun.
    """
    fig = st.session_state.pop(PENDING_CHART, None)
    title = (figures.title(fig) if fig is not None else None) or st.session_state.get(PAGE_TITLE, PUBLISHER_TITLE)
    meta = about(str(title), f"{shown:,} {noun} shown of {total:,}", f)
    st.caption(f"{meta.rows}. {plain(meta.filters)}.")
    load = rows if callable(rows) else lambda: rows
    # one row of buttons in a horizontal container: one block on the wire instead of five columns and their row
    row = st.container(horizontal=True, gap="small")
    row.download_button(
        "Download CSV",
        lambda: export.to_csv(load(), meta),
        file_name=f"{key}.csv",
        mime="text/csv",
        key=f"dl_csv_{key}",
        on_click="ignore",
    )
    row.download_button(
        "Download JSON",
        lambda: export.to_json(load(), meta),
        file_name=f"{key}.json",
        mime="application/json",
        key=f"dl_json_{key}",
        on_click="ignore",
    )
    if fig is None:
        return
    if export.chromium() is None:
        row.caption("Picture downloads need Chromium on the server.")
        return
    for fmt, mime in (("png", "image/png"), ("svg", "image/svg+xml")):
        row.download_button(
            f"Download {fmt.upper()}",
            lambda fmt=fmt: export.to_image(fig, meta, fmt),
            file_name=f"{key}.{fmt}",
            mime=mime,
            key=f"dl_{fmt}_{key}",
            on_click="ignore",
            help="The chart with its title, filters, n and source line, drawn on the server",
        )


PAGE_TITLE = "_page_title"  # set by the frame on every run
PUBLISHER_TITLE = export.PUBLISHER


def citation(title: str) -> None:
    """'Cite this view': a plain reference and BibTeX with this view's URL, the access date and the data version.

    The box is filled only once a reader opens it (opening reruns the page): BibTeX in st.code brings its copy
    button, and st.code loads Streamlit's 1.5 MB syntax highlighter into the browser, which no page should pay
    for on every visit.
    """
    box = st.expander("Cite this view", icon=":material/format_quote:", key="cite_view", on_change="rerun")
    if not box.open:
        return
    meta = about(title, "")
    with box:
        st.text(meta.citation())
        st.code(meta.bibtex(), language=None)


def query_on_click(name: str, **kwargs) -> Callable[[], pd.DataFrame]:
    """A named query that runs only when called (by a download click), on the app's engine.

    The click is served outside the script run, so the query bypasses st.cache_data and makes no Streamlit calls.
    """
    if name not in data.QUERIES:
        raise ValueError(f"unknown query '{name}'")
    engine = data.engine()
    return lambda: getattr(queries, name)(engine, **kwargs)


def table(rows: pd.DataFrame, key: str, empty: str | None = None) -> None:
    """Rows as a full-width table for people (ui/tables.py), or the `empty` text instead when there are none."""
    tables.show(rows, key, empty)


def facts(record: pd.Series, key: str) -> None:
    """One record as a field/value table, its dates as precisely as known (ui/tables.py)."""
    tables.facts(record, key)
