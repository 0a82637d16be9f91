"""Overview: the headline story of openness and incidents over time."""

import streamlit as st

from charts.overview import MIN_N, SERIES, UNITS, key_event_labels, openness_and_incidents, year_table
from db.vocab import OPENNESS_LEVELS, OPENNESS_MEANINGS
from ui import data, frame, widgets
from ui.figures import cached
from ui.pages import KEY_INCIDENTS, KEY_RELEASES, PRESETS
from ui.text import plain

frame.require()

f = widgets.filters()
info = data.get("build_info")
cutoff = str(info.get("cutoff", ""))
st.title("Openness Observatory")
levels = "; ".join(f"**{k} {name}**, {OPENNESS_MEANINGS[k]}" for k, name in OPENNESS_LEVELS.items())
st.markdown(
    "AI model releases, their licences and the incidents around them on one time axis.\n\n"
    f"**Six levels of openness** (Solaiman's gradient of release; a model moves along it as access changes): "
    f"{levels}.\n\n"
    "**This page** counts, per year, models by the level of their first release (or all release events) with "
    "the share that had open weights, marks key events, and counts incidents by type; the sidebar filters "
    "apply to every chart.\n\n"
    f"**Data as of {plain(cutoff or 'unknown')}**: records after the cut-off are not included (data version "
    f"{plain(str(info.get('data_hash', 'unknown'))[:12])}; sources and method on *Data and method*)."
)
left, right = st.columns(2)
with left:
    unit = widgets.url_choice("unit", "Count", list(UNITS), "models", format_func=UNITS.get)
with right:
    series = widgets.url_choice("series", "Show", list(SERIES), "both", format_func=SERIES.get)

cohorts = data.get("release_cohorts", f, unit=unit)
by_type = data.get("incidents_by_year_type", f)
years = year_table(cohorts, cutoff)
policy = by_type["type"] == "policy"
n_counted, n_incidents = int(years["n"].sum()), int(by_type.loc[~policy, "incidents"].sum())
n_policy = int(by_type.loc[policy, "incidents"].sum())
n_open = int(years["open"].sum())

c1, c2, c3, c4 = st.columns(4)
c1.metric("Models" if unit == "models" else "Release events", f"{n_counted:,}")
c2.metric(
    "Open weights at first release" if unit == "models" else "With open weights",
    f"{n_open / n_counted:.0%}" if n_counted else "n/a",
)
c3.metric("Incidents", f"{n_incidents:,}")
c4.metric("Policy events (context)", f"{n_policy:,}")

labels = dict(KEY_RELEASES + KEY_INCIDENTS)
events = data.get(
    "events_by_id", f, release_ids=[i for i, _ in KEY_RELEASES], incident_ids=[i for i, _ in KEY_INCIDENTS]
)
events = events.assign(label=key_event_labels(events, labels)) if not events.empty else events
figure = cached(openness_and_incidents)(
    cohorts, by_type, events, levels=list(f.openness_levels), unit=unit, series=series, cutoff=cutoff
)
widgets.chart(figure, key="overview_chart")
RULE = {
    "models": "Each model counts once, in the year of its first release event, at the level it reached that day.",
    "events": "Each release event counts once: a model with five events counts five times.",
}
st.caption(
    f"{RULE[unit]} "
    "Shares are of each year's n over all levels (the level filter picks the levels drawn); the open-weight share "
    f"is levels 4 and 5 over all. Years with n under {MIN_N} are faded and marked thin; the hatched year is "
    f"partial, up to the cut-off ({cutoff}). Incidents count against their model's level and licence when they "
    "began. Incident counts reflect media and legal attention, not the true rate of harm; policy events (laws, "
    "orders, definitions, commitments) are context and drawn apart."
)
noun = "models" if unit == "models" else "release events"
widgets.footer(cohorts, n_counted, data.total("models" if unit == "models" else "releases"), noun, "overview_releases")
widgets.footer(
    by_type,
    n_incidents + n_policy,
    data.total("incidents"),
    "incidents and policy events",
    "overview_incidents_by_year_type",
)

st.subheader("Story presets")
st.write("One-click views for discussion. Each is simply a link, so it can be shared as it is.")
widgets.preset_buttons(PRESETS)
