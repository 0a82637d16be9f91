"""How others rate the same model: each tracker's rating beside our level and components, and open-washing."""

import streamlit as st

from charts.crosswalk import agreement, highlight, patterns, side_by_side
from ui import data, frame, tables, widgets
from ui.figures import cached

frame.require()

VIEWS = {"agreement": "Agreement", "models": "Model by model", "openwashing": "Open-washing and OSAID"}
SHOW = {"all": "Every assessment", "disagreements": "Only disagreements"}
ALL = "all"

f = widgets.filters()
st.title("How others rate the same model")
st.write(
    "Four trackers rate the openness of AI models, each on its own scale. Here each of their ratings sits beside "
    "our level and component openness on the tracker's snapshot date, with the evidence on both sides. How each "
    "scale maps to our levels is defined once, in the data documentation (Data and method page)."
)
st.caption(
    "The sidebar's model filters (developer, modality, licence, level) choose the models; its date range does "
    "not apply here, because each tracker is compared on the date of its snapshot."
)
view = widgets.url_choice("view", "View", list(VIEWS), "agreement", format_func=VIEWS.get)
trackers = data.get("trackers")
names = dict(zip(trackers["tracker_id"], trackers["name"], strict=True))
tracker = widgets.url_choice(
    "tracker",
    "Tracker",
    [ALL, *names],
    ALL,
    format_func=lambda t: "All trackers" if t == ALL else names[t],
    kind="select",
)
ids = None if tracker == ALL else [tracker]

if view == "agreement":
    rows = data.get("crosswalk_agreement", f, tracker_ids=ids)
    widgets.chart(cached(agreement)(rows), key="crosswalk_agreement_chart")
    widgets.footer(
        rows, int(rows["assessments"].sum()), data.total("assessments"), "assessments", "crosswalk_agreement"
    )
    found = data.get("crosswalk_patterns", f, tracker_ids=ids)
    st.write(
        "A level disagreement is labelled with its systematic reason where one applies (gated weights, a RAIL or "
        "restricted licence, a leak); a component disagreement names the component and which side rates it more open."
    )
    widgets.chart(cached(patterns)(found), key="crosswalk_patterns_chart")
    every = data.get("crosswalk_patterns")
    widgets.footer(
        found,
        int(found["disagreements"].sum()),
        int(every["disagreements"].sum()),
        "disagreements",
        "crosswalk_patterns",
    )

elif view == "models":
    show = widgets.url_choice("show", "Show", list(SHOW), "all", format_func=SHOW.get)
    rows = data.get("crosswalk_rows", f, tracker_ids=ids, disagreements_only=show == "disagreements")
    st.write("Disagreeing rows come first and are tinted; the verdict column says it in words.")
    table = side_by_side(rows)
    if table.empty:
        st.text("No assessment matches these filters.")
    else:
        tables.show(highlight(table), "crosswalk_table")
    widgets.footer(rows, len(rows), data.total("assessments"), "assessments", f"crosswalk_models_{tracker}_{show}")

else:
    claims = data.get("open_washing", f)
    st.subheader("Open-washing")
    st.write(
        "A developer calls the model open (its words, from the cited source) while our record or the European Open "
        "Source AI Index rates its training data or training code closed or partial."
    )
    widgets.table(claims, "crosswalk_openwashing", empty="No developer claim matches these filters.")
    widgets.footer(claims, len(claims), data.total("openness_claims"), "claims", "crosswalk_openwashing")
    verdicts = data.get("osaid", f)
    st.subheader("Open Source AI Definition (OSAID)")
    counts = verdicts["osaid"].value_counts()
    st.text(", ".join(f"{counts.get(v, 0)} {v}" for v in ("yes", "no", "not assessed")) + ".")
    st.write(
        "'no' only where a stored, cited fact rules it out (no weights, or a licence that is not OSI-approved and "
        "restricts use); 'yes' needs a source that assesses the model, so every other model is 'not assessed'."
    )
    widgets.table(verdicts, "crosswalk_osaid")
    widgets.footer(verdicts, len(verdicts), data.total("models"), "models", "crosswalk_osaid")

st.subheader("The trackers and their terms")
widgets.table(trackers, "crosswalk_trackers")
