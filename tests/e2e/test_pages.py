"""What only a browser shows: every page draws its chart, filters live in the URL, downloads hold the rows."""

import os
import re
import shutil
import time

import pandas as pd
import pytest
from playwright.sync_api import Page, expect

from db import queries
from db.engine import make_engine
from tests.e2e.conftest import README_SCREENSHOT, SCREENSHOTS, VIEWPORT, watch
from ui import export
from ui.pages import PAGES

CHART = '[data-testid="stPlotlyChart"] .main-svg'
LOAD_MS = 60_000
TABLE = '[data-testid="stDataFrame"]'
CHARTLESS = {"models"}  # pages that are a table, not a chart


def assert_drawn(page: Page, where: str) -> None:
    """The page's chart has drawn traces, or for a table page, its table is shown."""
    if where in CHARTLESS:
        assert page.locator(TABLE).first.is_visible(), f"/{where} shows no table"
        return
    drawn = page.get_by_test_id("stPlotlyChart").locator(".trace, .sankey, .parcoords")
    assert drawn.count() > 0, f"the chart on /{where} has no drawn traces"


LEVEL, LEVEL_LABEL = 4, "4 downloadable"
README_CLIP_HEIGHT = 1150


# Pages whose charts are not in their first section open at one that has them.
OPENING_QUERY = {"method": "?section=Sources+and+coverage"}


def page_url(base: str, spec) -> str:
    """The first page is the app's default page, served at the root (and at its own path too)."""
    return f"{base}/" if spec == PAGES[0] else f"{base}/{spec.url_path}{OPENING_QUERY.get(spec.url_path, '')}"


def settle(page: Page) -> None:
    """Wait for a drawn chart, then for the script run to finish and stale elements to go."""
    page.locator(CHART).or_(page.locator(TABLE)).filter(visible=True).first.wait_for(timeout=LOAD_MS)
    # The sidebar filters draw in the same run; a fast page can show its title before them.
    page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").first.wait_for(timeout=LOAD_MS)
    calm = 0
    deadline = time.monotonic() + LOAD_MS / 1000
    while calm < 3 and time.monotonic() < deadline:
        busy = page.locator('[data-stale="true"], [data-testid="stStatusWidget"]').count()
        calm = 0 if busy else calm + 1
        page.wait_for_timeout(200)
    assert calm >= 3, f"{page.url} kept running for {LOAD_MS} ms"


def view(page: Page) -> dict:
    """What a reader sees: filter chips per sidebar box, chart titles and legends, 'n shown of N' captions."""
    chips = {}
    for box in page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").all():
        label = box.get_by_test_id("stWidgetLabel").inner_text().strip()
        chips[label] = box.locator("[data-tag] span[title]").all_text_contents()
    main = page.get_by_test_id("stMain")
    return {
        "chips": chips,
        "years": page.get_by_test_id("stSidebar").get_by_test_id("stSliderThumbValue").all_text_contents(),
        "titles": main.locator(".gtitle").all_text_contents(),
        "legend": main.locator(".legendtext").all_text_contents(),
        "captions": [c for c in main.get_by_test_id("stCaptionContainer").all_inner_texts() if " shown of " in c],
    }


def assert_healthy(page: Page) -> None:
    """No Python exception box and no 'Page not found' modal."""
    expect(page.get_by_test_id("stException")).to_have_count(0)
    expect(page.get_by_role("dialog")).to_have_count(0)


def choose(page: Page, box_label: str, option: str) -> None:
    """Pick one option in a sidebar multiselect."""
    box = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text=box_label)
    box.get_by_role("combobox").click()
    page.get_by_role("option", name=option, exact=True).click()
    page.keyboard.press("Escape")


def download_csv(page: Page, index: int = 0) -> pd.DataFrame:
    """Click a 'Download CSV' button and parse what the browser saved."""
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download CSV").nth(index)
    with page.expect_download() as info:
        button.click()
    return export.read_csv(info.value.path().read_bytes())


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_page_draws_and_its_filtered_url_reopens_the_same_view(page: Page, app_url, problems, spec):
    page.goto(page_url(app_url, spec))
    settle(page)
    assert_healthy(page)
    assert_drawn(page, spec.url_path)
    screenshot(page, spec)
    rows = download_csv(page)
    assert len(rows.columns) > 0 and len(rows) > 0, f"the first CSV download on {spec.url_path} is empty"

    choose(page, "Openness level", LEVEL_LABEL)
    page.wait_for_url(re.compile(rf"[?&]level={LEVEL}(&|$)"), timeout=LOAD_MS)
    settle(page)
    assert_healthy(page)
    before = view(page)
    assert before["chips"]["Openness level"] == [LEVEL_LABEL]

    fresh = page.context.new_page()  # a new Streamlit session; same browser cache, so Plotly loads once
    watch(fresh, problems)
    fresh.goto(page.url)
    settle(fresh)
    assert_healthy(fresh)
    assert view(fresh) == before
    assert fresh.url == page.url
    assert not problems


def screenshot(page: Page, spec) -> None:
    """A full-viewport artefact per page; for the first page also the README crop (copied when asked)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / f"{spec.url_path}.png")
    # a page taller than the viewport: each chart also on its own, scrolled into view (not those in closed tabs)
    for i, chart in enumerate(page.get_by_test_id("stPlotlyChart").filter(visible=True).all()):
        chart.scroll_into_view_if_needed()
        chart.screenshot(path=SCREENSHOTS / f"{spec.url_path}-chart{i}.png")
    if spec == PAGES[0]:
        clip = {"x": 0, "y": 0, "width": VIEWPORT["width"], "height": README_CLIP_HEIGHT}
        page.screenshot(path=SCREENSHOTS / "readme.png", clip=clip)
        if os.environ.get("UPDATE_README_SCREENSHOT") == "1":
            shutil.copy(SCREENSHOTS / "readme.png", README_SCREENSHOT)


def test_filter_change_redraws_overview_and_download_holds_filtered_rows(page: Page, app_url, app_db, problems):
    page.goto(page_url(app_url, PAGES[0]))
    settle(page)
    legend = page.get_by_test_id("stMain").locator(".legendtext")
    expect(legend.filter(has_text="0 fully closed")).to_have_count(1)
    expect(page.get_by_text("records after the cut-off are not included")).to_have_count(1)

    choose(page, "Openness level", LEVEL_LABEL)
    page.wait_for_url(re.compile(rf"[?&]level={LEVEL}(&|$)"), timeout=LOAD_MS)
    settle(page)
    expect(legend.filter(has_text="0 fully closed")).to_have_count(0)
    expect(legend.filter(has_text=LEVEL_LABEL)).to_have_count(1)

    rows = download_csv(page)
    engine = make_engine(app_db[0], readonly=True)
    # the cohort rows behind the chart: every level's n, so the drawn level is a share of the whole year
    expected = queries.release_cohorts(engine, openness_levels=[LEVEL])
    total = queries.count_models(engine)
    engine.dispose()
    pd.testing.assert_frame_equal(rows, expected, check_dtype=False)
    caption = page.get_by_test_id("stCaptionContainer").filter(has_text="models shown of").first.inner_text()
    assert caption.startswith(f"{expected['n'].sum():,} models shown of {total:,}")
    assert not problems


def test_deep_link_as_first_request_to_a_fresh_server(start_server, page: Page, problems):
    """A shared link must work even when it is the first page a new server (or replica) ever serves."""
    spec = PAGES[1] if len(PAGES) > 1 else PAGES[0]
    with start_server() as base:
        page.goto(f"{page_url(base, spec)}?level={LEVEL}")
        settle(page)
        assert_healthy(page)
        levels = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="Openness level")
        expect(levels.locator("[data-tag] span[title]")).to_have_text([LEVEL_LABEL])
        nav = page.get_by_test_id("stSidebarNav")
        expect(nav.get_by_text(spec.title, exact=True)).to_have_count(1)
        expect(nav.get_by_text("app", exact=True)).to_have_count(0)
    assert not problems


def test_crosswalk_agreement_and_open_washing_views(page: Page, app_url, app_db, problems):
    """The crosswalk draws its agreement bars with n, and the open-washing view downloads exactly its claims."""
    page.goto(f"{app_url}/crosswalk")
    settle(page)
    assert_healthy(page)
    main = page.get_by_test_id("stMain")
    expect(main.locator(".legendtext").filter(has_text="disagrees")).to_have_count(1)
    expect(main.locator(".gtitle").filter(has_text="agrees with our openness level")).to_have_count(1)
    engine = make_engine(app_db[0], readonly=True)
    assessments = queries.row_counts(engine)["assessments"]
    claims = queries.open_washing(engine)
    engine.dispose()
    caption = main.get_by_test_id("stCaptionContainer").filter(has_text="assessments shown of").first.inner_text()
    assert caption.startswith(f"{assessments:,} assessments shown of {assessments:,}")

    page.goto(f"{app_url}/crosswalk?view=openwashing")
    main.get_by_test_id("stDataFrame").first.wait_for(timeout=LOAD_MS)
    expect(main.get_by_test_id("stCaptionContainer").filter(has_text="claims shown of")).to_have_count(1)
    assert_healthy(page)
    rows = download_csv(page)
    assert list(rows["model_id"]) == list(claims["model_id"])
    assert set(rows["verdict"]) <= {"open-washing", "consistent", "not enough data"}
    assert not problems


def test_capability_gap_and_compute_views(page: Page, app_url, app_db, problems):
    """The gap view states its median lag and downloads exactly its results; the compute view marks thresholds."""
    page.goto(f"{app_url}/capability?bench=mmlu&who=independent")
    settle(page)
    assert_healthy(page)
    main = page.get_by_test_id("stMain")
    expect(main.locator(".gtitle").filter(has_text="MMLU: best closed vs best open weights")).to_have_count(1)
    expect(main.get_by_test_id("stMetric").filter(has_text="Median lag")).to_have_count(1)
    engine = make_engine(app_db[0], readonly=True)
    expected = queries.evaluation_points(engine, benchmark_id="mmlu", reporters=["independent"])
    engine.dispose()
    rows = download_csv(page)
    assert sorted(rows["evaluation_id"]) == sorted(expected["evaluation_id"])
    assert set(rows["reporter_role"]) == {"independent"}

    page.goto(f"{app_url}/capability?view=compute")
    settle(page)
    assert_healthy(page)
    legend = main.locator(".legendtext").all_text_contents()
    assert "10²⁵ FLOP threshold" in legend and any("no compute figure" in t for t in legend)
    assert not problems


def outputs_answer(page: Page, base: str, licence_id: str) -> list[str]:
    """The answer, explanation and clause shown under 'Can I train another model on its outputs?'."""
    question = "Can I train another model on its outputs?"
    page.goto(f"{base}/licences?view=ask&q={licence_id}")
    main = page.get_by_test_id("stMain")
    main.get_by_role("heading", name=question).wait_for(timeout=LOAD_MS)
    expect(main.get_by_test_id("stText").filter(has_text="Clause: ")).to_have_count(4)
    assert_healthy(page)
    lines = [line.strip() for line in main.inner_text().splitlines() if line.strip()]
    start = lines.index(question)
    return lines[start + 1 : start + 4]


def test_licences_page_answers_the_outputs_question_from_the_terms(page: Page, app_url, problems):
    """Llama 2 forbids training another model on its outputs (1.b.v); Llama 3.1 allows it on conditions (1.b.i)."""
    answer, explanation, clause = outputs_answer(page, app_url, "LicenseRef-Llama-2")
    assert answer == "no" and "prohibited" in explanation
    assert clause.startswith("Clause: Section 1.b.v") and "large language model" in clause

    answer, explanation, clause = outputs_answer(page, app_url, "LicenseRef-Llama-3.1")
    assert answer == "conditional" and "conditions" in explanation
    assert clause.startswith("Clause: Section 1.b.i")
    assert not problems


@pytest.mark.parametrize(
    ("path", "cited"),
    [
        ("model?model=gpt-2", ("model_profile", {"model_id": "gpt-2"})),
        ("incidents?item=gpt-2-withholding", ("incident_detail", {"incident_id": "gpt-2-withholding"})),
    ],
    ids=["model", "incident"],
)
def test_sources_are_links_with_their_titles(page: Page, app_url, app_db, problems, path, cited):
    """Each source of the model profile and of the incident details is an <a href> to its URL in data/sources.csv,
    with the source's title as the link text."""
    engine = make_engine(app_db[0], readonly=True)
    ids = set(getattr(queries, cited[0])(engine, **cited[1])["sources"]["source_id"])
    engine.dispose()
    catalogue = pd.read_csv(app_db[1] / "sources.csv", dtype=str).set_index("source_id")
    expected = catalogue.loc[sorted(ids), ["title", "url"]]
    assert len(expected) > 0
    page.goto(f"{app_url}/{path}")
    settle(page)
    assert_healthy(page)
    main = page.get_by_test_id("stMain")
    for title, url in expected.itertuples(index=False):
        anchor = main.locator(f'[data-testid="stMarkdownContainer"] a[href="{url}"]').filter(has_text=title)
        expect(anchor.first).to_have_text(title)
    shown = main.locator('[data-testid="stMarkdownContainer"] li > a[href^="http"]')
    assert shown.count() == len(expected)
    assert not problems


def test_method_sections_live_in_the_url_and_the_dictionary_renders_its_markdown(page: Page, app_url, problems):
    page.goto(f"{app_url}/method?table=releases")
    main = page.get_by_test_id("stMain")
    selected = main.get_by_role("tab", selected=True)
    expect(selected).to_have_text("Data dictionary", timeout=LOAD_MS)
    dictionary = main.locator("table").filter(has_text="allowed values")
    expect(dictionary).to_have_count(1, timeout=LOAD_MS)
    expect(dictionary.locator("code").filter(has_text="leak")).to_have_count(1)  # README code spans, as code
    assert "`" not in dictionary.inner_text()
    main.get_by_role("tab", name="Cite").click()
    page.wait_for_url(re.compile(r"[?&]section=Cite(&|$)"), timeout=LOAD_MS)
    expect(main.get_by_role("tab", selected=True)).to_have_text("Cite")
    expect(main.get_by_test_id("stTabs").get_by_text("@misc{openness_observatory_")).to_be_visible()
    assert_healthy(page)
    assert not problems


def test_the_overview_opens_at_its_own_path_with_its_url_parameters(page: Page, app_url, problems):
    page.goto(f"{app_url}/{PAGES[0].url_path}?unit=events&level={LEVEL}")
    settle(page)
    assert_healthy(page)  # no 'Page not found' dialog
    main = page.get_by_test_id("stMain")
    expect(main.locator("h1")).to_have_text("Openness Observatory")
    expect(main.get_by_role("radiogroup").first.get_by_role("radio", name="all release events")).to_be_checked()
    levels = page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(has_text="Openness level")
    expect(levels.locator("[data-tag] span[title]")).to_have_text([LEVEL_LABEL])
    expect(main.locator(".gtitle").filter(has_text="Openness of all release events")).to_have_count(1)
    assert re.search(r"[?&]unit=events(&|$)", page.url) and re.search(rf"[?&]level={LEVEL}(&|$)", page.url)
    assert not problems


def test_sign_in_is_only_at_its_own_address(page: Page, app_url, problems):
    page.goto(f"{app_url}/")
    settle(page)
    sidebar = page.get_by_test_id("stSidebar")
    nav = page.get_by_test_id("stSidebarNav")
    expect(nav.get_by_text(PAGES[-1].title, exact=True)).to_have_count(1)
    expect(sidebar.get_by_text(re.compile("sign-in|sign in", re.IGNORECASE))).to_have_count(0)
    expect(sidebar.get_by_text("secrets.toml")).to_have_count(0)

    page.goto(f"{app_url}/sign-in")
    main = page.get_by_test_id("stMain")
    expect(main.locator("h1")).to_have_text("Curator sign-in", timeout=LOAD_MS)
    expect(main.get_by_text("secrets.toml", exact=False)).to_have_count(1)  # no sign-in set up on this server
    expect(page.get_by_test_id("stSidebarNav").get_by_text("Curator sign-in")).to_have_count(0)
    assert_healthy(page)
    assert not problems
