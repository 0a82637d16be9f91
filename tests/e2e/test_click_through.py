"""Click-through in a real browser: a chart point or a list row opens its record, and the URL keeps it."""

import html
import re
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import Page, expect

from charts.timeline import parse_item
from db import queries
from db.engine import make_engine
from tests.e2e.test_pages import LOAD_MS, assert_healthy, settle

# The screen position of the most isolated point of a chart (so a click hits it and nothing else), and its id.
ISOLATED_POINT = """(index) => {
  const gd = document.querySelectorAll('.js-plotly-plot')[index];
  const box = gd.getBoundingClientRect();
  const points = [];
  gd._fullData.forEach((t, i) => {
    if (!t.visible || !t.customdata || !t.x) return;
    const sp = gd._fullLayout._plots[(t.xaxis || 'x') + (t.yaxis || 'y')];
    for (let j = 0; j < t.x.length; j++) {
      const x = sp.xaxis.l2p(sp.xaxis.d2l(t.x[j])) + sp.xaxis._offset;
      const y = sp.yaxis.l2p(sp.yaxis.d2l(t.y[j])) + sp.yaxis._offset;
      const hover = t.hovertext ? String(t.hovertext[j]) : null;
      if (Number.isFinite(x) && Number.isFinite(y)) points.push({x, y, hover, id: String(t.customdata[j][0])});
    }
  });
  let best = null, room = -1;
  for (const p of points) {
    let near = Infinity;
    for (const q of points) if (q !== p) near = Math.min(near, Math.hypot(p.x - q.x, p.y - q.y));
    if (near > room) { room = near; best = p; }
  }
  return best && {x: box.left + best.x, y: box.top + best.y, id: best.id, hover: best.hover, room};
}"""


def item_of(page: Page) -> str | None:
    return parse_qs(urlparse(page.url).query).get("item", [None])[0]


def click_isolated_point(page: Page, chart: int = 0) -> str:
    return click_isolated(page, chart)["id"]


def click_isolated(page: Page, chart: int = 0) -> dict:
    """Click the most isolated point of a chart; its customdata[0] ('id') and hover text ('hover')."""
    page.locator(".js-plotly-plot").nth(chart).scroll_into_view_if_needed()
    point = page.evaluate(ISOLATED_POINT, chart)
    assert point and point["room"] > 6, f"no point stands alone enough to click: {point}"
    page.mouse.click(point["x"], point["y"])
    return point


def shows_incident(page: Page, app_db, incident_id: str) -> None:
    engine = make_engine(app_db[0], readonly=True)
    title = str(queries.incident_detail(engine, incident_id=incident_id)["row"]["title"].iloc[0])
    engine.dispose()
    expect(page.get_by_test_id("stText").filter(has_text=title).first).to_be_visible()


def test_incidents_a_point_and_a_row_open_the_incident_and_land_in_the_url(page: Page, app_url, app_db, problems):
    page.goto(f"{app_url}/incidents")
    settle(page)

    clicked = click_isolated_point(page)
    page.wait_for_url(re.compile(rf"[?&]item={re.escape(clicked)}(&|$)"), timeout=LOAD_MS)
    settle(page)
    shows_incident(page, app_db, clicked)

    # the list: the third row's selection box (the grid is a canvas; rows are 35 px under a 35 px header)
    grid = page.get_by_test_id("stDataFrame").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 35 * 2 + 17)
    page.wait_for_function(f"() => !location.search.includes('item={clicked}')", timeout=LOAD_MS)
    settle(page)
    assert item_of(page) not in (None, clicked)
    shows_incident(page, app_db, item_of(page))
    assert_healthy(page)
    assert not problems


def test_timeline_and_model_profile_points_open_their_record_in_the_url(page: Page, app_url, problems):
    page.goto(f"{app_url}/timeline?start=2019&end=2019")
    settle(page)
    clicked = click_isolated(page)
    page.wait_for_url(re.compile(r"[?&]item="), timeout=LOAD_MS)
    assert parse_item(item_of(page))  # the timeline's point is a position; its item names the kind (release:<id>)
    settle(page)
    # the record opened is the one whose hover was clicked: its name and date head the details
    name, date = html.unescape(clicked["hover"]).split("<br>")
    heading = page.get_by_test_id("stText").filter(
        has_text=f"{item_of(page).split(':')[0]}: {name.removesuffix('...')}"
    )
    expect(heading.filter(has_text=f"({date})").first).to_be_visible()
    expect(page.get_by_test_id("stMain").get_by_text("Sources", exact=True)).to_be_visible()

    page.goto(f"{app_url}/model?model=gpt-2")
    settle(page)
    clicked = click_isolated_point(page)
    page.wait_for_url(re.compile(rf"[?&]item={re.escape(clicked)}(&|$)"), timeout=LOAD_MS)
    settle(page)
    shared = page.url
    fresh = page.context.new_page()
    fresh.goto(shared)
    settle(fresh)
    # the shared link opens the same record: its id is among the fields shown
    expect(fresh.get_by_test_id("stMain").get_by_text("Click a point to see")).to_have_count(0)
    fresh.close()
    assert_healthy(page)
    assert not problems
