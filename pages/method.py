"""Data and method in sections: scales and rubrics; sources, coverage and caveats; the data dictionary with full
downloads; colours; citation."""

import pandas as pd
import streamlit as st

from charts.coverage import coverage
from charts.method import date_precision, palette_swatches
from charts.palettes import MIN_DELTA_E, PALETTES
from db import docs, spec, vocab
from ui import data, frame, tables, widgets
from ui.figures import cached
from ui.state import Filters
from ui.text import plain

frame.require()

TABLES = [t.name for t in spec.TABLES]
PREVIEW_ROWS = 50
SECTIONS = ("Scales and rubric", "Sources and coverage", "Data dictionary", "Colours", "Cite")

st.title("Data and method")
info = data.get("build_info")
counts = data.get("row_counts")
built = str(info.get("built_at", "unknown"))
cutoff = info.get("cutoff")
c0, c1, c2, c3 = st.columns(4)
c0.metric("Data as of", cutoff or "unknown")
c1.metric("Database built (UTC)", built[:10], help=built[:16].replace("T", " "))
c2.metric("Rows in all tables", f"{sum(counts[t] for t in TABLES):,}")
c3.metric("Data version", str(info.get("data_hash", "unknown"))[:12])

# A deep link to one table (?table=...) opens its dictionary; the open section is itself in the URL.
asked = st.query_params.get("section")
if asked is not None and asked not in SECTIONS:
    st.info(f"Ignored section={plain(asked[:40])}: not one of the sections of this page.", icon=":material/link_off:")
scales, coverage_tab, dictionary_tab, colours, cite = st.tabs(
    SECTIONS,
    default=SECTIONS[2] if "table" in st.query_params else SECTIONS[0],
    key="section",
    bind="query-params",
    on_change="rerun",  # only the open section is run and sent: the others hold 60 elements a visit never sees
)

if scales.open:
    with scales:
        st.header("The openness scale")
        st.write(
            "Every release event is placed on Irene Solaiman's gradient of generative AI release (FAccT 2023): "
            "the level is the state of access after the event, so one model can move along the scale over time."
        )
        tables.show(docs.openness_scale(), "method_levels")
        tables.show(docs.event_types(), "method_event_types")
        st.markdown(docs.section("How the scales are applied"))
        st.header("Severity rubric")
        tables.show(docs.severity_rubric(), "method_severity")
        st.header("Pathways and whether openness mattered")
        st.write(
            "Each link between an incident and a model says how the model was involved (the pathway) and whether the "
            "openness of its release plausibly mattered, with a one-sentence reason."
        )
        tables.show(pd.DataFrame({"pathway": list(vocab.PATHWAYS)}), "method_pathways", width="content")
        st.caption("Openness mattered: " + ", ".join(vocab.OPENNESS_MATTERED) + ".")

if coverage_tab.open:
    with coverage_tab:
        st.header("Coverage: which models belong")
        st.markdown(docs.section("Which models belong: the inclusion rule"))
        held = data.get("coverage_by_year_level")
        widgets.chart(cached(coverage)(held, cutoff), key="method_coverage_chart")
        widgets.footer(
            held,
            int(held["records"].sum()),
            counts["releases"] + counts["models"],
            "models and release events",
            "coverage",
            Filters(),
        )
        by_clause = data.get("models_by_clause_year")
        st.dataframe(
            by_clause.pivot_table(index="clause", columns="year", values="models", fill_value=0, sort=False),
            key="method_clause_years",
        )
        st.caption(
            "Models per inclusion clause and year of their earliest release event; a model admitted by two clauses "
            "counts under both."
        )
        st.header("Caveats")
        st.warning(
            "Incident counts reflect media and legal attention, not the true rate of harm. "
            "Unknown values are shown as their own category and never filled in by guess.",
            icon=":material/warning:",
        )
        st.markdown(docs.section("Known limits"))
        precision = data.get("date_precision_by_year")
        widgets.chart(cached(date_precision)(precision), key="method_precision_chart")
        n_records = int(precision["records"].sum())
        widgets.footer(
            precision,
            n_records,
            data.total("releases") + data.total("incidents"),
            "dated records",
            "date_precision",
            Filters(),
        )
        st.subheader("Provenance")
        st.markdown(docs.section("Provenance"))
        st.subheader("Conventions")
        st.markdown(docs.section("introduction"))

if dictionary_tab.open:
    with dictionary_tab:
        st.header("Data dictionary and full downloads")
        table = widgets.url_choice("table", "Table", TABLES, "models", kind="select")
        dictionary = docs.data_dictionary()
        st.markdown(docs.dictionary_markdown(dictionary, table))
        st.download_button(
            "Download the data dictionary (CSV)",
            dictionary.to_csv(index=False).encode("utf-8"),
            file_name="observatory_data_dictionary.csv",
            mime="text/csv",
            key="dl_dictionary",
        )
        preview = data.get("table_rows", table_name=table, limit=PREVIEW_ROWS)
        st.dataframe(preview, hide_index=True, width="stretch", key="method_preview")
        st.caption(f"The first {len(preview)} rows are previewed; the downloads hold the whole table.")
        widgets.footer(
            widgets.query_on_click("table_rows", table_name=table),
            counts[table],
            counts[table],
            f"rows of {table}",
            f"observatory_{table}",
            Filters(),
        )
        st.subheader("Rows per table")
        tables.show(
            pd.DataFrame({"table": TABLES, "rows": [counts[t] for t in TABLES]}), "method_row_counts", width="content"
        )

if colours.open:
    with colours:
        st.header("Colours")
        st.write(
            "Openness colours mean openness levels only, on every page. Each other kind of category has its own "
            "palette, and no two categories in one figure are hard to tell apart: checked in the tests with the "
            f"CIEDE2000 colour difference (at least {MIN_DELTA_E['normal']:g} for normal vision, "
            f"{MIN_DELTA_E['deuteranopia']:g} under simulated protanopia, deuteranopia and tritanopia). Incident "
            "statuses are marker shapes, not colours."
        )
        widgets.chart(cached(palette_swatches)(PALETTES), key="method_palettes")

if cite.open:
    with cite:
        st.header("How to cite")
        st.write(
            "Cite the dataset with the date you used it and the data version above; when you quote a single fact, "
            "cite its own source too (every row lists its sources in the downloads)."
        )
        st.code(docs.bibtex(info), language="bibtex")
