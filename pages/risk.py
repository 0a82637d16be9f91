"""Openness and risk: models by openness level against their linked incidents, and openness against scale."""

import dataclasses

import streamlit as st

from charts.risk import (
    LAG_POINTS,
    MEASURES,
    MIN_N,
    WEIGHTS,
    incidents_by_level,
    lag_by_level,
    lag_capped,
    largest_by_level,
    scale_capped,
    scale_over_time,
    strip_binned,
)
from ui import data, frame, tables, widgets
from ui.figures import cached

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
        weight = widgets.url_choice("weight", "Measure", list(WEIGHTS), "rate", format_func=WEIGHTS.get)
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
    table = data.get("risk_by_level", upto)
    widgets.chart(cached(incidents_by_level)(table, data.get("models_by_level", upto), weight, year), key="risk_levels")
    st.caption(
        "The rule: each incident is counted against the openness level its model had when the incident began, "
        "that is the level of the model's latest release event on or before the incident's date (the same day "
        "counts). An incident naming two models counts once for each (a link). 'Models' under each level counts "
        "the models with a release event at that level by then; a model that moved along the scale counts at each "
        "level it reached. Incidents per model = links at the level / models at the level. Policy events (laws, "
        "orders, definitions) are context, not incidents, and are not counted. Severity: 0 context, 1 hazard, "
        "2 harm, 3 severe harm (for a lawsuit, the harm alleged, not the outcome). The downloads hold every link."
    )
    n_links = int(table.loc[table["split"] == "pathway", "links"].sum())
    links = lambda: data.get("incident_links", upto, include_policy=False)  # noqa: E731 - loaded only when a download is clicked
    widgets.footer(links, n_links, data.total("incident_links"), "incident links", "risk_incident_links", upto)

    lag = data.get("incident_lag", upto)
    widgets.chart(cached(lag_by_level)(lag), key="risk_lag")
    st.caption(
        f"Models with no linked incident after their first release are not drawn; they are counted below. A level "
        f"with fewer than {MIN_N} models shows its points only, without a box: quartiles of so few would mislead."
    )
    if lag_capped(lag):
        st.caption(
            f"Boxes only: {len(lag):,} models are more than the {LAG_POINTS:,} drawn as points, so each box is "
            "computed from all of them. The downloads hold every model behind the boxes."
        )
    n_models = int(data.get("count_models", upto))  # distinct models: one that moved levels counts once
    widgets.footer(lag, len(lag), n_models, "models with a linked incident", "risk_lag", upto)
else:
    models = data.get("models", f)
    st.write(
        "Model size against openness over time. Sizes are the developers' published figures; "
        "undisclosed sizes are shown in their own strip under each chart, never estimated."
    )
    for measure, label in MEASURES.items():
        widgets.chart(cached(scale_over_time)(models, measure), key=f"risk_scale_{measure}")
        capped = scale_capped(models, measure)
        if capped or strip_binned(models, measure):
            drawn = f"the {capped[0]:,} largest of {capped[1]:,} disclosed models are drawn" if capped else ""
            strip = "the undisclosed strip shows one mark per level and month" if strip_binned(models, measure) else ""
            st.caption(
                f"Capped: {'; '.join(x for x in (drawn, strip) if x)}. Every model is counted in the title, and the "
                "downloads hold all the models behind the chart."
            )
        st.caption(f"The largest disclosed model at each openness level ({label.lower()}):")
        tables.show(
            largest_by_level(models, measure),
            f"risk_largest_{measure}",
            config={measure: st.column_config.TextColumn(label)},
            width="content",
        )
        columns = ["model_id", "model", "organization", "openness_level", "openness", "first_release", measure]
        widgets.footer(models[columns], len(models), data.total("models"), "models", f"risk_scale_{measure}")
