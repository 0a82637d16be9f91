"""Models: every model the sidebar filters admit, one row each, sortable, each linked to its profile."""

import pandas as pd
import streamlit as st

from db.queries.core import CATALOGUE_LIMIT
from ui import data, frame, widgets

frame.require()

f = widgets.filters()
st.title("Models")
st.write(
    "Every model with at least one release event that passes the sidebar filters (so the licence filter lists "
    "the models with an event under that licence). A model is in the dataset because a clause of the "
    "inclusion rule admits it (seed, frontier, notable, ecosystem, adoption or incident; see Data and method), "
    "not because it was easy to find. First release and current level are read over all of a model's events: "
    "the current level is the one after its latest event, a withdrawal included. Click a column to sort it."
)
n_models = data.get("count_models", f)
rows = data.get("model_catalogue", f, limit=CATALOGUE_LIMIT)
if len(rows) < n_models:
    st.warning(
        f"Showing the {len(rows):,} models whose first release is newest, of the {n_models:,} the filters admit. "
        "The download holds exactly these rows. Narrow the years or filters in the sidebar to list older models.",
        icon=":material/filter_alt:",
    )
# ISO dates cut to their precision (2019-02-14, 2019-02, 2019): as precise as known, and they sort in time order
CUT = {"day": 10, "month": 7, "year": 4}
first = [
    str(d)[: CUT.get(p, 10)] if pd.notna(d) else ""
    for d, p in zip(rows["first_release"], rows["first_precision"], strict=True)
]

shown = pd.DataFrame(
    {
        "Model": rows["model"],
        "Developer": rows["organization"].fillna("—"),
        "Modality": rows["modality"].fillna("—"),
        "First release": first,
        "First level": rows["first_level"],
        "Current level": rows["current_level"],
        "Current": rows["current"],
        "Licence": rows["licence"].fillna("not recorded"),
        "Size": rows["parameters"],
        "Events": rows["events"],
        "Profile": "model?model=" + rows["model_id"],
    }
)
st.dataframe(
    shown,
    hide_index=True,
    width="stretch",
    height=min(38 + 35 * max(len(shown), 1), 720),
    key="models_table",
    column_order=[
        "Model",
        "Developer",
        "First release",
        "First level",
        "Current level",
        "Current",
        "Licence",
        "Size",
        "Modality",
        "Events",
        "Profile",
    ],  # fmt: skip
    column_config={
        "First level": st.column_config.NumberColumn(help="Openness level (0-5) of the model's first release event"),
        "Current level": st.column_config.NumberColumn(help="Openness level (0-5) after its latest release event"),
        "Current": st.column_config.TextColumn(help="The name of the current level"),
        "Licence": st.column_config.TextColumn(help="The licence of its latest release event that names one"),
        "Size": st.column_config.NumberColumn(
            format="compact", help="Parameters, where disclosed (empty: undisclosed)"
        ),
        "Events": st.column_config.NumberColumn(help="Release events recorded for the model"),
        "Profile": st.column_config.LinkColumn(display_text="profile", help="Open the model's profile"),
    },
)
widgets.footer(rows, len(rows), data.total("models"), "models", "models_list")
