"""Import data: a signed-in curator uploads a CSV or JSON file for one table (listed only for curators)."""

import logging

import streamlit as st
from sqlalchemy.exc import SQLAlchemyError

from db import ingest, spec
from db.service import NotAuthorised
from db.validate import ValidationError
from ui import auth, frame

frame.require()

st.title("Import data")
actor = auth.current_actor()
if actor.is_anonymous:
    st.warning("Only a signed-in curator can import data. Everyone else sees the read-only dashboard.")
    if auth.mode() is None:
        st.caption(auth.HOW_TO_CONFIGURE)
    st.stop()

st.text(f"Signed in as {actor.name}.")
st.write(
    "Upload a CSV file, or a JSON list of objects, with the columns of one table as described in data/README.md. "
    "The whole file is checked exactly as the build checks data/; if anything is wrong nothing is written and "
    "every problem is listed by line, column and reason (for JSON, the line is the record's position in the list). "
    "Rows whose key already exists are updated, so importing the same file twice changes nothing."
)
st.info(
    "Imported rows live in the database only. The curated files in data/ remain the source of truth: a rebuild "
    "from data/ drops these rows unless they are also added to data/ (python -m db.ingest FILE --also-data on the "
    "server merges them in for review).",
    icon=":material/info:",
)
st.caption(f"Limits: {ingest.MAX_BYTES // 1_048_576} MB and {ingest.MAX_ROWS:,} rows per file.")

choice = st.selectbox("Table", ["(from the file name)", *spec.BY_NAME], key="curate_table")
uploaded = st.file_uploader(
    "CSV or JSON file",
    type=["csv", "json"],
    key="curate_upload",
    max_upload_size=ingest.MAX_BYTES // 1_048_576,
)
if uploaded is not None and st.button("Validate and import", key="curate_import", type="primary"):
    table = None if choice not in spec.BY_NAME else choice
    try:
        result = ingest.import_bytes(actor, uploaded.name, uploaded.getvalue(), table)
    except ingest.UploadRejected as exc:
        st.error("The file was refused before validation:")
        st.text(str(exc))
    except ValidationError as exc:
        st.error(f"{len(exc.problems):,} problem(s) found; nothing was written.")
        st.code(exc.report(), language=None)
    except NotAuthorised as exc:
        st.error(str(exc))
    except SQLAlchemyError:
        st.error(
            "The database refused the write and nothing was written. Validation passed, so the cause is on the "
            "server (a locked or read-only database): the server log has the details."
        )
        logging.getLogger("observatory.import").exception("import of %s failed in the database", uploaded.name)
    else:
        st.cache_data.clear()
        st.success(
            f"Imported {result.rows:,} {result.table} row(s): {result.inserted:,} new, {result.updated:,} updated."
        )
