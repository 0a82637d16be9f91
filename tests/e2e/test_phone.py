"""Every page on a phone (390 px, a phone's user agent): charts in their phone form, each plot wide enough to read.

The phone form (charts/phone.py) puts legends below the plot, wraps titles, draws category names inside the
plot and hides the toolbar. Screenshots of every page at phone width go to artifacts/screenshots/phone-*.png.
"""

import pytest
from playwright.sync_api import Browser

from tests.e2e.conftest import SCREENSHOTS
from tests.e2e.test_pages import CHARTLESS, OPENING_QUERY, assert_healthy, settle
from ui.pages import PAGES

PHONE_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.0 Mobile/15E148 Safari/604.1"
)
# A 390 px screen leaves about 358 px for a chart; the plot itself must keep most of it.
MIN_ROW_PLOT_PX = 250
MIN_PANEL_PX = 120

# Per chart a reader can see: its width, each plot area's left, top and width, the legend's top and the plot
# areas' bottom, the title's right edge, and whether a toolbar is drawn.
MEASURE = """() => Array.from(document.querySelectorAll('.js-plotly-plot'))
  .filter(g => g.getBoundingClientRect().width > 0)  // not the charts of a closed tab
  .map(g => {
  const box = g.getBoundingClientRect();
  const plots = Array.from(g.querySelectorAll('.nsewdrag')).map(e => e.getBoundingClientRect())
    .map(r => ({left: r.left - box.left, top: Math.round(r.top - box.top), width: r.width, bottom: r.bottom - box.top}));
  const legend = g.querySelector('.legend');
  const title = g.querySelector('.gtitle');
  return {
    width: box.width,
    plots,
    legendTop: legend ? legend.getBoundingClientRect().top - box.top : null,
    titleRight: title ? title.getBoundingClientRect().right - box.left : 0,
    toolbar: g.querySelectorAll('.modebar-container .modebar').length,
  };
})"""


@pytest.fixture(scope="module")
def phone(browser: Browser):
    context = browser.new_context(
        viewport={"width": 390, "height": 2400}, is_mobile=True, has_touch=True, user_agent=PHONE_UA
    )
    yield context
    context.close()


@pytest.mark.parametrize("spec", PAGES, ids=[p.url_path for p in PAGES])
def test_every_page_reads_on_a_phone(phone, app_url, spec):
    page = phone.new_page()
    try:
        page.goto(f"{app_url}/{spec.url_path}{OPENING_QUERY.get(spec.url_path, '')}")
        if spec.url_path in ("licences", *CHARTLESS):
            page.get_by_test_id("stDataFrame").first.wait_for(timeout=60_000)
            page.wait_for_timeout(1500)
        else:
            settle(page)
        assert_healthy(page)
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / f"phone-{spec.url_path}.png")
        charts = page.evaluate(MEASURE)
        if spec.url_path in ("licences", *CHARTLESS):
            # a table page, and the term matrix's phone form: a table of the same terms, coloured alike
            assert not charts
            table = page.get_by_test_id("stDataFrame").first
            assert table.is_visible() and table.bounding_box()["width"] <= 390
            return
        assert charts, f"/{spec.url_path} drew no chart on a phone"
        for i, chart in enumerate(charts):
            where = f"/{spec.url_path}, chart {i + 1}"
            assert chart["width"] <= 390, f"{where} is wider than the phone"
            rows: dict[int, float] = {}
            for plot in chart["plots"]:
                assert plot["width"] >= MIN_PANEL_PX, f"{where}: a plot is {plot['width']:.0f} px wide"
                rows[plot["top"]] = rows.get(plot["top"], 0) + plot["width"]
            assert max(rows.values()) >= MIN_ROW_PLOT_PX, f"{where}: the plot gets {max(rows.values()):.0f} px"
            if chart["legendTop"] is not None and chart["plots"]:
                lowest = max(p["bottom"] for p in chart["plots"])
                assert chart["legendTop"] >= lowest - 1, f"{where}: the legend is beside the plot, not below it"
            assert chart["titleRight"] <= chart["width"] + 1, f"{where}: the title runs off the chart"
            assert chart["toolbar"] == 0, f"{where} shows the chart toolbar on a phone"
    finally:
        page.close()
