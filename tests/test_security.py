"""Hostile input: record text renders inert on every page, SQL in URLs and filters changes nothing,
CSV downloads neutralise formulas, the dashboard cannot write, and slow queries are cut off."""

import csv
import hashlib
import io
import re
import sqlite3
import time
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import text
from sqlalchemy.exc import OperationalError
from streamlit.testing.v1 import AppTest

from db import queries
from db.build import build
from db.engine import QueryTimeout, make_engine, sqlite_path
from db.queries.core import read
from ui import auth, export
from ui.pages import PAGES
from ui.state import Filters

ROOT = Path(__file__).resolve().parent.parent
HOSTILE_DATA = ROOT / "tests" / "fixtures" / "hostile"
IMG = "<img src=x onerror=alert(1)>"
ANCHOR = '<a href="javascript:alert(1)">x</a>'
MD_LINK = "[x](javascript:alert(1))"
TEX_LINK = r"$\href{javascript:alert(1)}{x}$"
HOSTILE = (IMG, ANCHOR, MD_LINK, TEX_LINK)
# Substrings of the hostile strings that survive protobuf's text escaping.
MARKERS = ("onerror=alert", "javascript:alert", "<script>")
# Markup that would act if it reached Markdown unescaped: an HTML tag, a link, a javascript: URL, a TeX link.
ACTIVE_MARKUP = ("<img", "<a ", "<script", "](", "javascript:", "\\href{")
# The one link form the app writes itself (ui/tables.link): escaped text, then an http(s) URL with no space or
# parenthesis. Only what is left after removing these may not carry markup.
APP_LINK = re.compile(r"\[(?:\\.|[^\]\\\[])*\]\(https?://[^()\s<>]+\)")
SQL_INJECTIONS = ("' OR 1=1 --", "x'); DROP TABLE releases;--")
# Elements that show their content as plain text (or as data the front end escapes); everything else is
# Markdown-rendered, so no record text may reach it.
TEXT_ELEMENTS = {"text", "code", "dataframe", "table", "plotly_chart", "json"}
# Widgets whose options or value are plain text; their label and help are Markdown and are checked separately.
PLAIN_OPTION_WIDGETS = {"selectbox", "multiselect", "text_input", "text_area"}
MODEL_IDS = ("gpt-2", "gpt-3", "llama", "stable-diffusion-1")
INCIDENT_IDS = ("gpt-2-withholding", "llama-weights-leak", "andersen-v-stability", "eu-ai-act-in-force")
LICENCE_IDS = ("MIT", "LicenseRef-LLaMA-1", "LicenseRef-CreativeML-OpenRAIL-M", "LicenseRef-OpenAI-Terms")
TABLES = ("sources", "organizations", "licences", "models", "releases", "incidents", "incident_links")


@pytest.fixture(scope="session")
def hostile_db(tmp_path_factory) -> str:
    """A database built by the real build from the hostile copy of the fixture data."""
    url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'hostile.db'}"
    build(HOSTILE_DATA, url)
    return url


@pytest.fixture
def app_on_hostile(hostile_db, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", hostile_db)
    monkeypatch.setenv("OBSERVATORY_DATA_DIR", str(HOSTILE_DATA))
    return hostile_db


def open_page(page: str, params: dict) -> AppTest:
    """A page run inside app.py's frame, as a fresh session opening the URL would run it."""
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in params.items():
        at.query_params[key] = value
    if page != "app.py":
        at.switch_page(page)
    at.run()
    return at


def _walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _walk(child)


def _shown_as_text(at: AppTest) -> str:
    """All text the page shows through plain-text elements and tables."""
    parts = [t.value for t in at.text] + [c.value for c in at.code]
    for df in at.dataframe:
        parts += [str(v) for v in df.value.astype(str).to_numpy().ravel()]
    return "\n".join(parts)


def assert_inert(at: AppTest, where: str) -> None:
    """No Markdown-rendered element carries record text, and nothing allows raw HTML."""
    assert not at.exception, f"{where}: {at.exception}"
    for node in _walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None:
            continue
        kind = getattr(node, "type", "")
        assert not getattr(proto, "allow_html", False), f"{where}: a {kind} element allows raw HTML"
        assert kind not in ("html", "iframe"), f"{where}: a raw {kind} element is on the page"
        if kind in TEXT_ELEMENTS:
            continue
        if kind in PLAIN_OPTION_WIDGETS:
            shown = f"{proto.label} {proto.help} {getattr(proto, 'placeholder', '')}"
        else:
            shown = str(proto)
        body = getattr(proto, "body", None)
        if isinstance(body, str):
            # Markdown shows a backslash-escaped character literally: only what is left unescaped can act.
            active = re.sub(r"\\.", "", APP_LINK.sub("", body))
            leaked = [m for m in ACTIVE_MARKUP if m in active]
        else:
            leaked = [m for m in MARKERS if m in shown]
        assert not leaked, f"{where}: record text reached a Markdown-rendered {kind} unescaped: {shown[:300]}"


def _cases():
    cases = [(p.file, {}) for p in PAGES]
    cases += [("pages/model.py", {"model": m}) for m in MODEL_IDS]
    cases += [("pages/incidents.py", {"item": i}) for i in INCIDENT_IDS]
    cases += [("pages/licences.py", {"q": lic}) for lic in LICENCE_IDS]
    cases += [("pages/method.py", {"table": t}) for t in TABLES]
    return cases


@pytest.mark.parametrize(("page", "params"), _cases(), ids=lambda v: str(v).replace("pages/", ""))
def test_hostile_records_render_inert_on_every_page(app_on_hostile, page, params):
    at = open_page(page, params)
    assert_inert(at, f"{page} {params}")


ALL_LICENCES = ",".join(LICENCE_IDS)
ALL_ORGS = "openai,meta,stability-ai"
KNOWN_MARKDOWN_LEAKS = [
    ("pages/overview.py", {"licence": ALL_LICENCES, "org": ALL_ORGS}),
    ("pages/incidents.py", {"licence": ALL_LICENCES, "org": ALL_ORGS}),
    ("pages/timeline.py", {"item": MD_LINK}),
    ("pages/model.py", {"model": MD_LINK}),
    ("app.py", {"org": MD_LINK}),
]


@pytest.mark.parametrize(("page", "params"), KNOWN_MARKDOWN_LEAKS, ids=lambda v: str(v)[:40])
def test_names_and_url_values_stay_out_of_markdown(app_on_hostile, page, params):
    assert_inert(open_page(page, params), f"{page} {params}")


def test_hostile_records_render_inert_in_the_frame_and_sidebar(app_on_hostile):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.run()
    assert_inert(at, "app.py")
    orgs = at.sidebar.multiselect(key="f_orgs")
    assert any(IMG in orgs.format_func(o) for o in orgs.options) or any(IMG in o for o in orgs.options)


def test_hostile_text_is_shown_as_text(app_on_hostile):
    """The hostile strings are not dropped: they appear literally in tables (text, not markup)."""
    shown = []
    for table in TABLES:
        at = open_page("pages/method.py", {"table": table})
        shown.append(_shown_as_text(at))
    everything = "\n".join(shown)
    for hostile in HOSTILE:
        assert hostile in everything


def test_javascript_urls_are_refused_where_data_enters(fixture_db):
    from db.ingest import validate_upload
    from db.validate import ValidationError

    csv_text = (
        "source_id,url,title,publisher,date_published,date_accessed,notes\n"
        "s-evil,javascript:alert(1),Evil,Evil,,2026-01-01,\n"
        's-evil2,"https://x.example/""><img src=x onerror=alert(1)>",Evil,Evil,,2026-01-01,\n'
    )
    with pytest.raises(ValidationError) as err:
        validate_upload("sources.csv", csv_text.encode(), url=fixture_db)
    lines = {(p.line, p.column) for p in err.value.problems}
    assert lines == {(2, "url"), (3, "url")}


def _schema_and_counts(url: str) -> tuple[str, dict]:
    conn = sqlite3.connect(f"file:{sqlite_path(url)}?mode=ro", uri=True)
    try:
        schema = "\n".join(r[0] or "" for r in conn.execute("SELECT sql FROM sqlite_master ORDER BY name"))
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        counts = {n: conn.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}  # noqa: S608
    finally:
        conn.close()
    return hashlib.sha256(schema.encode()).hexdigest(), counts


SQL_URL_CASES = [
    ("pages/incidents.py", {"q": SQL_INJECTIONS[0]}),
    ("pages/incidents.py", {"q": SQL_INJECTIONS[1], "status": SQL_INJECTIONS[0], "item": SQL_INJECTIONS[1]}),
    ("pages/model.py", {"model": SQL_INJECTIONS[1]}),
    ("pages/licences.py", {"q": SQL_INJECTIONS[0], "a": SQL_INJECTIONS[1], "view": SQL_INJECTIONS[0]}),
    ("pages/method.py", {"table": "releases; DROP TABLE releases;--"}),
    ("pages/timeline.py", {"item": SQL_INJECTIONS[1], "lanes": SQL_INJECTIONS[0]}),
    ("pages/risk.py", {"year": SQL_INJECTIONS[0], "view": SQL_INJECTIONS[1]}),
    (
        "app.py",
        {
            "org": SQL_INJECTIONS[0],
            "licence": SQL_INJECTIONS[1],
            "level": "1 OR 1=1",
            "start": SQL_INJECTIONS[0],
            "itype": SQL_INJECTIONS[1],
        },
    ),
]


@pytest.mark.parametrize(("page", "params"), SQL_URL_CASES, ids=lambda v: str(v)[:40])
def test_sql_in_url_parameters_changes_nothing(app_on_fixture, page, params):
    before = _schema_and_counts(app_on_fixture)
    at = open_page(page, params)
    assert not at.exception, at.exception
    assert _schema_and_counts(app_on_fixture) == before


def test_sql_in_the_incident_search_matches_no_incident(app_on_fixture):
    at = open_page("pages/incidents.py", {"q": SQL_INJECTIONS[0]})
    assert not at.exception
    captions = " ".join(c.value for c in at.caption)
    assert "0 incidents and policy events shown" in captions or "No incident" in " ".join(i.value for i in at.info)


def test_sql_in_url_filters_is_ignored_with_a_note(app_on_fixture):
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    at.query_params["org"] = SQL_INJECTIONS[0]
    at.query_params["licence"] = SQL_INJECTIONS[1]
    at.run()
    assert not at.exception
    notes = " ".join(i.value for i in at.info)
    assert "Ignored org=" in notes and "Ignored licence=" in notes
    assert at.sidebar.multiselect(key="f_orgs").value == []


@pytest.mark.parametrize("evil", SQL_INJECTIONS)
def test_sql_in_filter_values_returns_no_extra_rows(fixture_engine, fixture_db, evil):
    before = _schema_and_counts(fixture_db)
    assert queries.incidents(fixture_engine, search=evil).empty
    assert queries.incidents(fixture_engine, statuses=[evil]).empty
    for key in ("licence_ids", "organizations", "licence_families", "modalities"):
        assert queries.releases(fixture_engine, **{key: [evil]}).empty, key
        assert queries.count_releases(fixture_engine, **{key: [evil]}) == 0
    every = set(queries.releases(fixture_engine)["release_id"])
    for bound in ("start", "end"):  # compared as a bound string: at most every row, never extra ones
        assert set(queries.releases(fixture_engine, **{bound: evil})["release_id"]) <= every
    assert queries.count_incidents(fixture_engine, incident_types=[evil]) == 0
    assert queries.model_profile(fixture_engine, evil)["model"].empty
    assert queries.releases_for_model(fixture_engine, evil).empty
    assert queries.licences(fixture_engine, licence_ids=[evil]).empty
    with pytest.raises(ValueError):
        queries.table(fixture_engine, "releases; DROP TABLE releases;--")
    assert _schema_and_counts(fixture_db) == before


def test_csv_download_neutralises_formulas_and_leaves_numbers(hostile_db):
    engine = make_engine(hostile_db, readonly=True)
    try:
        rel = queries.releases(engine)
    finally:
        engine.dispose()
    text_columns = [c for c in rel.columns if not pd.api.types.is_numeric_dtype(rel[c])]
    rel["negative"] = -5
    rel["ratio"] = -0.25
    out = pd.read_csv(io.BytesIO(export.to_csv(rel)), dtype=str, keep_default_na=False)
    notes = set(out["notes"])
    assert '\'=HYPERLINK("http://evil.example","click")' in notes
    assert "'+cmd|' /C calc'!A0" in notes and "'@SUM(1,2)" in notes and "'-2+3" in notes
    assert not any(v[:1] in export.FORMULA_START for v in out[text_columns].stack() if v)
    assert set(out["negative"]) == {"-5"} and set(out["ratio"]) == {"-0.25"}
    assert set(out["openness_level"]) <= {"0", "1", "2", "3", "4", "5"}


@pytest.mark.parametrize("cell", ["=1+1", "+1", "-1+1", "@A1", "\t=1"])
def test_every_formula_start_is_escaped(cell):
    out = pd.read_csv(io.BytesIO(export.to_csv(pd.DataFrame({"text": [cell, "plain"], "number": [-1, 2]}))))
    assert out["text"].tolist() == ["'" + cell, "plain"]
    assert out["number"].tolist() == [-1, 2]


@pytest.mark.parametrize("cell", ["\r=1", "note\r=cmd|' /C calc'!A0"])
def test_a_carriage_return_cannot_start_a_formula_on_a_new_row(cell):
    raw = export.to_csv(pd.DataFrame({"text": [cell], "number": [1]}))
    rows = list(csv.reader(io.StringIO(raw.decode(), newline="")))
    assert rows == [["text", "number"], ["'" + cell if cell.startswith("\r") else cell, "1"]], raw


def test_the_dashboard_engine_refuses_writes(app_on_fixture):
    from ui import data

    engine = data.engine()
    with pytest.raises(OperationalError, match="readonly"), engine.begin() as conn:
        conn.execute(text("DELETE FROM releases"))
    assert queries.count_releases(engine) > 0


SLOW = text("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) SELECT count(*) FROM c")


def test_a_slow_query_is_cut_off_after_the_time_limit(fixture_engine):
    started = time.monotonic()
    with pytest.raises(QueryTimeout, match="took too long"):
        read(fixture_engine, SLOW, time_limit_s=0.5)
    assert time.monotonic() - started < 5
    assert queries.count_releases(fixture_engine) > 0  # the connection is usable again


def test_a_slow_query_shows_a_message_instead_of_hanging_the_page(app_on_fixture, monkeypatch):
    monkeypatch.setattr(queries, "row_counts", lambda engine: read(engine, SLOW, time_limit_s=0.5))

    def page():
        import streamlit as st

        from ui import data

        data.get("row_counts")
        st.text("not reached")

    at = AppTest.from_function(page, default_timeout=30)
    at.run()
    assert not at.exception
    assert any("took too long" in w.value for w in at.warning)
    assert not at.text


# Nobody let in: the import page exists only for a signed-in curator, and only the service writes.
OIDC = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "x", "client_id": "c"}


def _frame(secrets: dict, user: dict | None = None) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=30)
    for key, value in secrets.items():
        at.secrets[key] = value
    for key, value in (user or {}).items():
        at.user[key] = value
    at.run()
    assert not at.exception, at.exception
    return at


def _sign_in_page(secrets: dict, user: dict | None = None) -> AppTest:
    """The frame at /sign-in, as a curator reaches it by its address."""
    at = _frame(secrets, user)
    at.switch_page("pages/sign-in.py").run()
    assert not at.exception, at.exception
    assert at.title[0].value == "Curator sign-in"
    return at


def _import_page_listed(at: AppTest) -> bool:
    try:
        at.switch_page("pages/curate.py")
    except ValueError:  # not registered in st.navigation for this session
        return False
    at.run()
    return bool(at.get("file_uploader"))


@pytest.mark.parametrize(
    ("secrets", "user"),
    [
        ({}, None),
        ({"curator_password": "correct horse"}, None),
        ({"auth": OIDC, "curator_emails": ["curator@example.org"]}, None),
        ({"auth": OIDC, "curator_emails": ["curator@example.org"]}, {"is_logged_in": True, "email": "x@example.org"}),
        ({"auth": OIDC}, {"is_logged_in": True, "email": "curator@example.org"}),
    ],
    ids=["nothing-configured", "password-not-entered", "oidc-signed-out", "oidc-not-a-curator", "oidc-no-list"],
)
def test_anonymous_users_never_see_the_import_page(app_on_fixture, secrets, user):
    at = _frame(secrets, user)
    assert not _import_page_listed(at)


def _sidebar_text(at: AppTest) -> str:
    return " ".join(str(getattr(e, "value", "")) + " " + str(getattr(e, "label", "")) for e in _walk(at.sidebar))


@pytest.mark.parametrize("secrets", [{}, {"curator_password": "correct horse"}, {"auth": OIDC}])
def test_public_pages_offer_no_sign_in(app_on_fixture, secrets):
    """Readers never see a sign-in or its set-up text (the navigation is checked in tests/e2e/test_pages.py)."""
    at = _frame(secrets)
    shown = _sidebar_text(at)
    assert "sign-in" not in shown.lower() and "secrets.toml" not in shown
    assert not at.sidebar.text_input and not at.get("form_submit_button")
    assert not at.sidebar.expander


def test_with_nothing_configured_the_sign_in_page_says_how_to_allow_imports(app_on_fixture):
    at = _sign_in_page({})
    assert "curator_password" in at.caption[0].value and "[auth]" in at.caption[0].value
    assert not at.text_input


def test_the_import_page_itself_refuses_an_anonymous_visitor(app_on_fixture):
    """Defence in depth: were the page script reached without the navigation (e.g. a deep link in Streamlit's
    legacy pages/ mode), it still shows nothing to an anonymous visitor."""
    at = AppTest.from_file(str(ROOT / "pages/curate.py"), default_timeout=30)
    at.session_state["filters"] = Filters()  # as if inside the frame, so the page runs on its own
    at.run()
    assert not at.exception
    assert not at.get("file_uploader")
    assert "Only a signed-in curator" in at.warning[0].value
    assert "secrets.toml" in at.caption[0].value


def test_the_curator_password_lets_a_curator_in(app_on_fixture):
    at = _sign_in_page({"curator_password": "correct horse"})
    at.text_input(key="curator_password_input").input("correct horse")
    at.get("form_submit_button")[0].click()
    at.run()
    assert at.session_state["_curator_signed_in"] is True
    assert at.text[0].value == "Signed in as curator (password)."
    assert _import_page_listed(at)


def test_a_wrong_password_is_refused_and_attempts_are_limited(app_on_fixture, monkeypatch):
    # AppTest gives every run a new stand-in client address; a real browser keeps its own across sessions
    monkeypatch.setattr(auth, "client_address", lambda: "203.0.113.5")
    at = _sign_in_page({"curator_password": "correct horse"})
    for attempt in range(auth.MAX_ATTEMPTS):
        at.text_input(key="curator_password_input").input("Correct horse" if attempt else "")
        at.get("form_submit_button")[0].click()
        at = at.run()
        assert "_curator_signed_in" not in at.session_state
        assert any(m in e.value for e in at.error for m in ("Wrong password.", "Too many wrong passwords"))
    assert not _import_page_listed(at)
    fresh = _sign_in_page({"curator_password": "correct horse"})  # a new session (a reload) from that address
    assert any("Too many wrong passwords" in e.value for e in fresh.error)
    assert not fresh.text_input


def test_a_listed_oidc_user_is_a_curator(app_on_fixture):
    at = _frame(
        {"auth": OIDC, "curator_emails": ["Curator@Example.org"]},
        {"is_logged_in": True, "email": "curator@example.org"},
    )
    assert _import_page_listed(at)
    at.switch_page("pages/sign-in.py").run()
    assert at.text[0].value == "Signed in as curator@example.org."
