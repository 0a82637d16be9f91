"""Overview: the headline story of openness and incidents over time."""

import streamlit as st

from charts.overview import openness_and_incidents
from ui import data, frame, widgets
from ui.pages import KEY_INCIDENTS, KEY_RELEASES, PRESETS

frame.require()

f = widgets.filters()
st.title("Openness Observatory")
st.write(
    "AI model releases, their licences and the incidents around them on one time axis. "
    "Each release event sits on the six-level gradient of release, from fully closed to fully open."
)

by_level = data.get("releases_by_year_level", f)
by_type = data.get("incidents_by_year_type", f)
n_releases, n_incidents = int(by_level["releases"].sum()), int(by_type["incidents"].sum())
downloadable = int(by_level.loc[by_level["openness_level"] >= 4, "releases"].sum())

c1, c2, c3, c4 = st.columns(4)
c1.metric("Release events", f"{n_releases:,}")
c2.metric("Models with release events", f"{data.get('count_models', f):,}")
c3.metric("Incidents and policy events", f"{n_incidents:,}")
c4.metric("Events with downloadable weights", f"{downloadable / n_releases:.0%}" if n_releases else "n/a")

labels = dict(KEY_RELEASES + KEY_INCIDENTS)
events = data.get("events_by_id", release_ids=[i for i, _ in KEY_RELEASES], incident_ids=[i for i, _ in KEY_INCIDENTS])
events = events.assign(label=events["id"].map(labels))
widgets.chart(openness_and_incidents(by_level, by_type, events), key="overview_chart")
st.caption(
    "Incident counts reflect media and legal attention, not the true rate of harm. "
    "Policy events are counted with incidents so that laws and lawsuits share one axis."
)
widgets.footer(by_level, n_releases, data.total("releases"), "release events", "overview_releases_by_year_level")
widgets.footer(by_type, n_incidents, data.total("incidents"), "incidents", "overview_incidents_by_year_type")

st.subheader("Story presets")
st.write("One-click views for discussion. Each is simply a link, so it can be shared as it is.")
widgets.preset_buttons(PRESETS)
