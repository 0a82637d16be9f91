"""The shared sidebar filters, read once from the URL and written back to it on every run."""

import datetime as dt

import streamlit as st

from charts import FAMILY_LABELS, LEVEL_LABELS
from db import vocab
from ui import data
from ui.state import Filters, filters_to_params, parse_filters, unknown_params
from ui.widgets import set_params

KEYS = ("f_years", "f_levels", "f_families", "f_licences", "f_orgs", "f_modalities", "f_itypes")


def _year_bounds(opts: dict) -> tuple[int, int]:
    first = int(str(opts["first_date"])[:4]) if opts["first_date"] else 2017
    return min(first, 2017), dt.date.today().year


def _init_from_url(opts: dict, page_params: set[str]) -> list[str]:
    """Seed the widgets from the URL on a session's first run; returns notes on what was ignored."""
    params = st.query_params.to_dict()
    parsed = parse_filters(params, opts["licences"]["licence_id"], opts["organizations"]["organization_id"])
    f = parsed.filters
    lo, hi = _year_bounds(opts)
    start_year = max(lo, int(f.start[:4])) if f.start else lo
    end_year = min(hi, int(f.end[:4])) if f.end else hi
    st.session_state.update(
        f_years=(start_year, max(start_year, end_year)),
        f_levels=list(f.openness_levels),
        f_families=list(f.licence_families),
        f_licences=list(f.licence_ids),
        f_orgs=list(f.organizations),
        f_modalities=list(f.modalities),
        f_itypes=list(f.incident_types),
    )
    return parsed.notes + unknown_params(params, page_params)


def _reset() -> None:
    for key in KEYS:
        st.session_state.pop(key, None)
    st.session_state["f_reset"] = True


def render(page_params: set[str]) -> tuple[Filters, list[str]]:
    """Draw the sidebar; returns the filters and notes about ignored URL parameters."""
    opts = data.get("filter_options")
    notes: list[str] = []
    if st.session_state.pop("f_reset", False):
        st.query_params.clear()
    if "f_years" not in st.session_state:
        notes = _init_from_url(opts, page_params)
    lo, hi = _year_bounds(opts)
    licences = opts["licences"]
    licence_name = dict(zip(licences["licence_id"], licences["name"], strict=True))
    org_name = dict(zip(opts["organizations"]["organization_id"], opts["organizations"]["name"], strict=True))
    with st.sidebar:
        st.header("Filters")
        years = st.slider("Years", lo, hi, key="f_years")
        levels = st.multiselect(
            "Openness level", list(LEVEL_LABELS), key="f_levels", format_func=LEVEL_LABELS.get, placeholder="All levels"
        )
        families = st.multiselect(
            "Licence type",
            [*vocab.LICENCE_FAMILIES, vocab.UNKNOWN],
            key="f_families",
            format_func=FAMILY_LABELS.get,
            placeholder="All licence types",
        )
        chosen_licences = st.multiselect(
            "Licence",
            list(licences["licence_id"]),
            key="f_licences",
            format_func=lambda i: licence_name.get(i, i),
            placeholder="All licences",
        )
        orgs = st.multiselect(
            "Organisation",
            list(org_name),
            key="f_orgs",
            format_func=lambda i: org_name.get(i, i),
            placeholder="All organisations",
        )
        modalities = st.multiselect(
            "Modality", list(vocab.MODALITIES), key="f_modalities", placeholder="All modalities"
        )
        itypes = st.multiselect(
            "Incident type", list(vocab.INCIDENT_TYPES), key="f_itypes", placeholder="All incident types"
        )
        st.button("Reset filters", on_click=_reset, key="f_reset_button")
    f = Filters(
        start=None if years[0] == lo else f"{years[0]}-01-01",
        end=None if years[1] == hi else f"{years[1]}-12-31",
        openness_levels=tuple(sorted(levels)),
        licence_families=tuple(families),
        licence_ids=tuple(chosen_licences),
        organizations=tuple(orgs),
        modalities=tuple(modalities),
        incident_types=tuple(itypes),
    )
    set_params(filters_to_params(f), page_params)
    return f, notes
