"""Licences: the catalogue as a term matrix, "Can I...?" answers, families over time, two licences side by side."""

import streamlit as st

from charts.licences import (
    MAX_WORDED_LICENCES,
    cell_words_shown,
    comparison_style,
    families_over_time,
    licence_label,
    term_matrix,
    term_table,
)
from ui import data, frame, tables, widgets
from ui.figures import cached

frame.require()

VIEWS = {
    "catalogue": "Term matrix",
    "ask": "Can I...?",
    "families": "Families over time",
    "compare": "Compare two",
}
BADGE = {"yes": "green", "no": "red", "conditional": "orange", "unknown": "gray"}

f = widgets.filters()
st.title("Licences")
view = widgets.url_choice("view", "View", list(VIEWS), "catalogue", format_func=VIEWS.get)
catalogue = data.get("licences")
ids = list(catalogue["licence_id"])
labels = {row["licence_id"]: licence_label(row) for _, row in catalogue.iterrows()}

if view == "catalogue":
    shown = data.get("licences", f)
    st.write(
        "Each row is one licence version, grouped by licence type; each column one term. A colour and its word "
        "mean the same in every column: yes or none is permissive, terms (or a user or revenue cap) conditional, "
        "no restrictive, ? not verified. Hover a cell for the stored value and the clause it rests on. The "
        "sidebar's licence type and licence filters apply."
    )
    if widgets.is_phone():
        # a phone's width cannot hold ten columns of words: the same terms as a table that scrolls sideways
        st.caption(
            "The terms scroll sideways beside the licence names, coloured by meaning as in the matrix: blue "
            "permissive, yellow conditional, orange restrictive, grey not verified."
        )
        tables.show(
            term_table(shown),
            "licences_terms_table",
            config={"licence": st.column_config.TextColumn("Licence", width="medium", pinned=True)},
        )
    else:
        if not cell_words_shown(len(shown)):
            st.caption(
                f"More than {MAX_WORDED_LICENCES} licences: the cells show their colour only. Hover a cell for its "
                "value, or narrow the licence types in the sidebar to see the words."
            )
        widgets.chart(cached(term_matrix)(shown), key="licences_matrix")
    widgets.footer(shown, len(shown), data.total("licences"), "licences", "licences_catalogue")

elif view == "ask" and ids:
    q = widgets.url_choice("q", "Licence", ids, ids[0], format_func=labels.get, kind="select")
    answers = data.get("licence_answers", licence_id=q)
    st.caption(
        "Answers come from the stored terms of this licence, each with the clause it rests on. Not legal advice."
    )
    for _, row in answers.iterrows():
        st.subheader(row["question"])
        st.badge(row["answer"], color=BADGE.get(row["answer"], "gray"))
        st.text(row["explanation"])
        st.text("Clause: " + row["clause"])
    url = catalogue.loc[catalogue["licence_id"] == q, "url"].iloc[0]
    if isinstance(url, str) and url.startswith(("https://", "http://")):
        st.link_button("Read the licence text", url)
    widgets.footer(answers, len(answers), len(answers), "answers", f"licences_ask_{q}")

elif view == "families":
    by_year = data.get("licence_families_by_year", f)
    st.write(
        "Release events per year by the family of the licence they came under; 'unknown' where no licence "
        "is recorded (hosted products without published terms, leaks)."
    )
    widgets.chart(cached(families_over_time)(by_year), key="licences_families")
    widgets.footer(
        by_year, int(by_year["releases"].sum()), data.total("releases"), "release events", "licences_families"
    )

elif view == "compare" and len(ids) > 1:
    left, right = st.columns(2)
    with left:
        a = widgets.url_choice("a", "Licence A", ids, ids[0], format_func=labels.get, kind="select")
    with right:
        b = widgets.url_choice("b", "Licence B", ids, ids[1], format_func=labels.get, kind="select")
    comparison = data.get("licence_comparison", a=a, b=b)
    n_diff = int(comparison["differs"].sum())
    st.text(f"{n_diff} of {len(comparison)} terms differ in value between {labels[a]} and {labels[b]} (highlighted).")
    tables.show(comparison_style(comparison, labels[a], labels[b]), "licences_compare", width="content")
    widgets.footer(comparison, len(comparison), len(comparison), "terms", f"licences_compare_{a}_{b}")

else:
    st.info("The catalogue has too few licences for this view.")
