"""Incidents: a searchable, filterable list, a timeline by type and status, and one incident in full."""

import streamlit as st

from charts.dates import date_label, date_labels
from charts.incidents import MAX_INCIDENTS, incident_timeline
from db import vocab
from ui import data, frame, tables, widgets
from ui.figures import cached

frame.require()

LIST_COLUMNS = ["date", "title", "type", "severity", "status", "jurisdiction", "models", "source", "incident_id"]
SEVERITY_MEANS = (
    "Severity rates the harm (0 context, 1 hazard, 2 harm, 3 severe harm). For a lawsuit it rates the harm "
    "alleged, not the outcome: the status beside it is the outcome so far, so a '3 severe harm' case the "
    "defendant largely won reads as alleged severe harm, dismissed."
)

f = widgets.filters()
st.title("Incidents")
st.write(
    "Lawsuits, leaks, misuse and policy events that bear on how models are released, each linked to the "
    "models involved, with how the model was involved and whether its openness plausibly mattered."
)
st.info(
    "Incident counts reflect media and legal attention, not the true rate of harm: a model with no recorded "
    "incident is not thereby a safe model, and heavily covered models collect more entries.",
    icon=":material/info:",
)
left, right = st.columns([2, 1])
with left:
    q = widgets.url_text("q", "Search titles and summaries", placeholder="e.g. Getty, torrent, copyright")
with right:
    status = widgets.url_choice("status", "Status", ["all", *vocab.INCIDENT_STATUSES], "all", kind="select")

narrow = {"search": q.strip() or None, "statuses": None if status == "all" else [status]}
rows = data.get("incidents", f, limit=MAX_INCIDENTS, newest=True, light=True, **narrow)
matching = data.get("count_incidents", f, **narrow) if len(rows) == MAX_INCIDENTS else len(rows)
if matching > len(rows):
    st.warning(
        f"Showing the newest {len(rows):,} of {matching:,} matching incidents in the chart, the list and the picker; "
        "the downloads hold exactly these rows. Narrow the dates, search or filters to reach older ones.",
        icon=":material/filter_alt:",
    )
clicked = widgets.chart(
    cached(incident_timeline)(rows), key="incidents_chart", on_select="rerun", selection_mode="points"
)
picked = widgets.new_selection("incidents_chart", widgets.first_point_id(clicked))
words = [w for w in (f"search '{q.strip()}'" if q.strip() else "", f"status {status}" if status != "all" else "") if w]
if words:
    st.text("Also narrowed by " + " and ".join(words) + ".")
n_policy = int((rows["type"] == "policy").sum())
st.caption(
    f"Of these, {len(rows) - n_policy:,} are incidents and {n_policy:,} policy events (laws, orders, "
    "definitions, commitments): context, in their own lane, not counted as incidents elsewhere."
)
widgets.footer(rows, len(rows), data.total("incidents"), "incidents and policy events", "incidents_list")
st.caption(SEVERITY_MEANS)
listed = rows.sort_values("date", ascending=False).fillna({"models": "no linked model"}).reset_index(drop=True)
st.caption("Click a point on the chart or a row of the list to open that incident below (and in the URL).")
selected = tables.show(
    listed,
    "incidents_table",
    on_select="rerun",
    selection_mode="single-row",
    order=LIST_COLUMNS,
    config={
        "severity": st.column_config.NumberColumn(
            "Severity", help="The harm (for a lawsuit: alleged, not the outcome)"
        ),
        "status": st.column_config.TextColumn("Status (outcome so far)"),
    },
)

row_pick = selected.selection.rows if selected else []
picked = (
    widgets.new_selection("incidents_table", str(listed["incident_id"].iloc[row_pick[0]]) if row_pick else None)
    or picked
)
if picked:
    st.session_state["url_item"] = picked  # the picker below opens it, and writes it to the URL

st.subheader("Incident details")
if rows.empty:
    st.caption("No incident matches the search and filters.")
    st.stop()
titles = dict(
    zip(rows["incident_id"], date_labels(rows["date"], rows["date_precision"]) + "  " + rows["title"], strict=True)
)
ids = list(rows.sort_values("date", ascending=False)["incident_id"])
linked = st.query_params.get("item")
if linked and linked not in titles and matching > len(rows):  # a deep link to an older one stays openable
    older = data.get("incident_detail", incident_id=linked)["row"]
    if not older.empty:
        ids.append(linked)
        titles[linked] = (
            date_label(older["date"].iloc[0], older["date_precision"].iloc[0]) + "  " + str(older["title"].iloc[0])
        )
chosen = widgets.url_choice("item", "Incident", ids, ids[0], format_func=titles.get, kind="select")
detail = data.get("incident_detail", incident_id=chosen)
record = detail["row"].iloc[0]
st.text(record["title"])
st.text(record["summary"])
if isinstance(record["notes"], str) and record["notes"]:
    st.text("Notes: " + str(record["notes"]))
facts = record.drop(["title", "summary", "notes", "source_ids"])
if not isinstance(record["court"], str) and not isinstance(record["docket"], str):
    facts = facts.drop(["court", "docket"])  # not a lawsuit: the fields do not apply
severity = f"{record['severity']} {vocab.SEVERITY.get(int(record['severity']), vocab.UNKNOWN)}"
lawsuit = isinstance(record["court"], str) or isinstance(record["docket"], str)
facts["severity"] = f"{severity} (harm alleged, not the outcome)" if lawsuit else severity
facts["outcome (status)"] = record["status"]
widgets.facts(facts, "incident_facts")

st.caption("Linked models: how each model is involved, and whether its openness plausibly mattered")
widgets.table(detail["links"], "incident_links", empty="No model is linked to this incident.")
st.caption("Status history")
widgets.table(
    detail["steps"],
    "incident_steps",
    empty="No dated steps recorded; the current status is " + str(record["status"]) + ".",
)
st.caption("Sources")
tables.source_list(detail["sources"])
