"""Timeline: every release event and incident on one zoomable time axis; click a point for its details."""

import pandas as pd
import streamlit as st

from charts.dates import date_label
from charts.timeline import (
    LANES,
    MAX_POINTS,
    WEBGL_ABOVE,
    clicked_item,
    parse_item,
    plotted_rows,
    point_budget,
    timeline,
)
from ui import data, frame, tables, widgets
from ui.figures import cached
from ui.text import plain

frame.require()

SHOW = {"both": "release events and incidents", "releases": "release events only", "incidents": "incidents only"}

f = widgets.filters()
st.title("Timeline")
st.write(
    "Each dot is a dated release event, coloured by licence type; each diamond is an incident or policy event; "
    "an open marker is dated to the month or year only. "
    "Drag to zoom, double-click to reset, click a point to open its details below the chart."
)
left, right = st.columns(2)
with left:
    lanes = widgets.url_choice("lanes", "Lanes", list(LANES), "level", format_func=lambda v: f"by {LANES[v]}")
with right:
    show = widgets.url_choice("show", "Show", list(SHOW), "both", format_func=SHOW.get)

n_rel = data.get("count_releases", f) if show != "incidents" else 0
n_inc = data.get("count_incidents", f) if show != "releases" else 0
cap_rel, cap_inc = point_budget(n_rel, n_inc, MAX_POINTS)
rel = data.get("releases", f, limit=cap_rel, newest=True, light=True) if cap_rel else pd.DataFrame()
inc = data.get("incidents", f, limit=cap_inc, newest=True, light=True) if cap_inc else pd.DataFrame()
if n_rel > len(rel) or n_inc > len(inc):
    st.warning(
        f"Too many points to draw at once: showing the newest {len(rel):,} of {n_rel:,} release events and "
        f"the newest {len(inc):,} of {n_inc:,} incidents ({len(rel) + len(inc):,} points"
        f"{', drawn with WebGL' if len(rel) + len(inc) > WEBGL_ABOVE else ''}). The downloads hold exactly the "
        "drawn rows. Narrow the date range or filters to see older ones.",
        icon=":material/filter_alt:",
    )
elif len(rel) + len(inc) > WEBGL_ABOVE:
    st.caption(f"{len(rel) + len(inc):,} points, drawn with WebGL for speed.")

event = widgets.chart(
    cached(timeline)(rel, inc, lanes), key="timeline_chart", on_select="rerun", selection_mode="points"
)
rows = plotted_rows(rel, inc)
total = (data.total("releases") if show != "incidents" else 0) + (data.total("incidents") if show != "releases" else 0)
noun = {"both": "release events and incidents", "releases": "release events", "incidents": "incidents"}[show]
widgets.footer(rows, len(rows), total, noun, "timeline_points")

raw = st.query_params.get("item")
clicked = clicked_item(rel, inc, widgets.first_point_id(event))
if clicked:
    raw = clicked
    widgets.set_param("item", raw)

st.subheader("Details")
item = parse_item(raw)
detail = None
if item and item[0] == "release":
    detail = data.get("release_detail", release_id=item[1])
elif item:
    detail = data.get("incident_detail", incident_id=item[1])
if raw and (detail is None or detail["row"].empty):
    st.info(f"Ignored item={plain(raw[:60])}: not a known release event or incident.", icon=":material/link_off:")
    widgets.set_param("item", None)
    detail = None
if detail is None:
    st.caption("Click a point on the chart to see every field of that release event or incident and its sources.")
else:
    record = detail["row"].iloc[0]
    st.text(
        f"{item[0]}: {record.get('model', record.get('title'))} ({date_label(record['date'], record['date_precision'])})"
    )
    for name in ("summary", "notes"):
        if pd.notna(record.get(name)):
            st.text(f"{name.capitalize()}: {record[name]}")
    widgets.facts(record, "timeline_detail_fields")
    for name in ("links", "steps"):
        if name in detail and not detail[name].empty:
            st.caption({"links": "Linked models", "steps": "Status history"}[name])
            widgets.table(detail[name], f"timeline_detail_{name}")
    st.caption("Sources")
    tables.source_list(detail["sources"])
