"""Model profile: one model's openness path across its release events, with licences, incidents and sources."""

import pandas as pd
import streamlit as st

from charts.crosswalk import side_by_side
from charts.model import component_table, openness_path, parameters_label, sources_table
from ui import data, frame, tables, widgets
from ui.figures import cached
from ui.state import Filters
from ui.text import plain

frame.require()

DEFAULT = "gpt-2"

f = widgets.filters()
st.title("Model profile")
n_matching = data.get("count_models", f)
if not n_matching:
    st.info("No model matches the sidebar filters, so every model is listed.", icon=":material/filter_alt_off:")
scope = f if n_matching else None
capped = (n_matching or data.total("models")) > widgets.PICKER_SEARCH_ABOVE
search = widgets.url_text("q", "Search models by name or id", max_chars=80).strip() if capped else ""
previous = st.session_state.get("url_model")
picker = data.get(
    "model_choices",
    scope,
    search=search or None,
    limit=widgets.PICKER_LISTED if capped else None,
    keep=[previous or st.query_params.get("model") or DEFAULT, DEFAULT],
)
choices, kept = picker["choices"], picker["kept"]
names = dict(zip(kept["model_id"], kept["name"], strict=True)) | dict(
    zip(choices["model_id"], choices["name"], strict=True)
)
passing = set(kept.loc[kept["passes"], "model_id"])
# the default depends only on the URL (filters and search), so a shared link reopens the same view
listed = sorted(set(choices["model_id"]) | (passing & {DEFAULT}), key=lambda i: names[i].lower())
ids = sorted(set(listed) | passing, key=lambda i: names[i].lower())
if not ids:
    st.info(f"No model's name or id contains '{plain(search)}'.", icon=":material/search_off:")
    st.stop()
if picker["matches"] > len(choices):
    st.caption(
        f"{len(choices):,} of {picker['matches']:,} models are listed (by name), plus the model on display; "
        "type in the search box to narrow the list."
    )
default = DEFAULT if DEFAULT in passing else (listed or ids)[0]
model_id = widgets.url_choice("model", "Model", ids, default, format_func=names.get, kind="select")
if previous and previous != model_id:
    st.info(
        f"{plain(names.get(previous, previous))} does not match the sidebar filters, so {plain(names[model_id])} is shown.",
        icon=":material/filter_alt:",
    )
st.caption("The sidebar filters choose which models are listed; a profile always shows all of a model's events.")

profile = data.get("model_profile", model_id=model_id)
model = profile["model"].iloc[0]
rel, links = profile["releases"], profile["incidents"]
st.text(model["description"])
if isinstance(model["notes"], str) and model["notes"]:
    st.text("Notes: " + str(model["notes"]))
chosen = widgets.chart(
    cached(openness_path)(rel, model["name"], links), key="model_path_chart", on_select="rerun", selection_mode="points"
)
# A clicked point opens its record here and goes into the URL as item=, so the view can be shared.
clicked = widgets.new_selection("model_path_chart", widgets.first_point_id(chosen))
changed_model = st.session_state.get("_item_model") not in (None, model_id)
st.session_state["_item_model"] = model_id
if clicked:
    widgets.set_param("item", clicked)
elif changed_model:
    widgets.set_param("item", None)  # another model was chosen: its events, not the last one's
picked = clicked or st.query_params.get("item")
record = pd.concat([rel[rel["release_id"] == picked], links[links["incident_id"] == picked]]).head(1)
if picked and record.empty:
    st.info(
        f"Ignored item={plain(str(picked)[:60])}: not an event or incident of this model.", icon=":material/link_off:"
    )
    widgets.set_param("item", None)
if record.empty:
    st.caption("Click a point to see every field of that release event or incident here.")
else:
    widgets.facts(record.iloc[0].dropna(), "model_point_detail")
widgets.footer(rel, len(rel), len(rel), "release events of this model", f"model_{model_id}_releases", Filters())

facts = pd.Series(
    {
        "developers": "; ".join(profile["developers"]["name"]),
        "modality": model["modality"],
        "parameters": parameters_label(model["parameters"]),
        "training compute (FLOP)": "undisclosed"
        if pd.isna(model["training_compute_flop"])
        else f"{model['training_compute_flop']:.3g}",
        "family": model["family"],
    }
)
if isinstance(model["base_model_id"], str):  # said only of a derivative: no base recorded is not "based on unknown"
    facts["based on"] = names.get(model["base_model_id"], model["base_model_id"])
st.subheader("Facts")
widgets.facts(facts, "model_facts")
widgets.table(profile["developers"], "model_developers")

st.subheader("Licences")
licensed = rel["licence_id"].notna()
widgets.table(
    rel.loc[licensed, ["licence", "licence_family", "licence_id"]].drop_duplicates(),
    "model_licences",
    empty="No release event of this model names a licence.",
)
if 0 < (~licensed).sum() < len(rel):
    st.caption(f"{(~licensed).sum()} of {len(rel)} release events name no licence.")

st.subheader("Component openness per release event")
widgets.table(component_table(rel), "model_components")

st.subheader("Linked incidents")
widgets.table(
    links,
    "model_incidents",
    empty="No incident is linked to this model. Incident records reflect attention, not true risk.",
)

st.subheader("Sources")
tables.source_list(sources_table(profile["sources"]))

st.subheader("How other trackers rate it")
verdict = data.get("osaid", model_id=model_id).iloc[0]
st.text(f"Open Source AI Definition: {verdict['osaid']}. {verdict['reason']}")
rated = data.get("crosswalk_rows", model_id=model_id)
widgets.table(side_by_side(rated), "model_crosswalk", empty="None of the trackers we import rates this model.")
widgets.footer(rated, len(rated), len(rated), "assessments of this model", f"model_{model_id}_crosswalk", Filters())
