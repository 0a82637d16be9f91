"""Openness and risk: models by openness level against their linked incidents, and openness against scale."""

import dataclasses

import streamlit as st

from charts.risk import MEASURES, WEIGHTS, incidents_by_level, lag_by_level, largest_by_level, scale_over_time
from ui import data, frame, widgets

frame.require()

VIEWS = {"risk": "Openness and incidents", "scale": "Openness and scale"}
CAVEAT = (
    "Incident counts reflect media and legal attention, not the true risk of a release: open models are easier "
    "to study and to name in a lawsuit, and harms from closed systems are less often traced to a model."
)


f = widgets.filters()
st.title("Openness and risk")
view = widgets.url_choice("view", "View", list(VIEWS), "risk", format_func=VIEWS.get)

if view == "risk":
    st.warning(CAVEAT, icon=":material/warning:")
    opts = data.get("filter_options")
    first = int((f.start or str(opts["first_date"] or "2017"))[:4])
    last = int((f.end or str(opts["last_date"] or first))[:4])
    first, last = min(first, last), max(first, last)
    left, right = st.columns([1, 2])
    with left:
        weight = widgets.url_choice("weight", "Weight", list(WEIGHTS), "count", format_func=lambda w: f"by {w}")
    with right:
        year = widgets.url_choice(
            "year",
            "Cumulative up to year",
            list(range(first, last + 1)),
            last,
            kind="slider",
            reason=f"not a year between {first} and {last}.",
        )
    upto = f if year == last else dataclasses.replace(f, end=f"{year}-12-31")
    links = data.get("incident_links", upto)
    models = data.get("models", upto)
    widgets.chart(incidents_by_level(links, models, weight, year), key="risk_levels")
    st.caption(
        "Each bar counts model-incident links (an incident naming two models counts once for each), placed at the "
        "model's highest openness level; 'models' under each level counts the models released at it by then. "
        "Severity: 0 context, 1 hazard, 2 harm, 3 severe harm."
    )
    widgets.footer(links, len(links), data.total("incident_links"), "incident links", "risk_incident_links", upto)

    lag = data.get("release_to_incident_lag", upto)
    widgets.chart(lag_by_level(lag), key="risk_lag")
    st.caption("Models with no linked incident after their first release are not drawn; they are counted below.")
    widgets.footer(lag, len(lag), len(models), "models with a linked incident", "risk_lag", upto)
else:
    models = data.get("models", f)
    st.write(
        "Model size against openness over time. Sizes are the developers' published figures; "
        "undisclosed sizes are shown in their own strip under each chart, never estimated."
    )
    for measure, label in MEASURES.items():
        widgets.chart(scale_over_time(models, measure), key=f"risk_scale_{measure}")
        st.caption(f"The largest disclosed model at each openness level ({label.lower()}):")
        st.dataframe(
            largest_by_level(models, measure),
            hide_index=True,
            key=f"risk_largest_{measure}",
            column_config={measure: st.column_config.NumberColumn(label, format="compact")},
        )
        columns = ["model_id", "model", "organization", "openness_level", "openness", "first_release", measure]
        widgets.footer(models[columns], len(models), data.total("models"), "models", f"risk_scale_{measure}")
