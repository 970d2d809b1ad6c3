"""The presenter theme in a real browser: large text on every page, kept in the URL, and nothing
clipped at 1280x720: labels, number inputs with their +/- buttons, LaTeX, tables, chart ticks."""

import re

import pytest

from tests.browser.step_helpers import CUT_JS, open_settings, sized_app, wait_for_step
from ui.common import theme

pytestmark = pytest.mark.browser

PAGES = {"/": "RNN Autoregression Lab", "/train": "Train", "/step-through": "Step-Through", "/generate": "Generate"}
ROOT_PX = f"{round(theme.BASE_FONT_PX * theme.SCALE)}px"

CLIPPED_JS = """() => {
  const cut = [...document.querySelectorAll('[data-testid=stWidgetLabel] p, .stMarkdownEllipsis, .stMarkdownEllipsis p,'
      + ' [data-testid=stTooltipHoverTarget] button p')]
    .filter(e => e.offsetParent && e.getBoundingClientRect().right > 0 && e.scrollWidth > e.clientWidth + 1)
    .map(e => 'label: ' + e.textContent);
  for (const n of document.querySelectorAll('[data-testid=stNumberInput]'))
    if (!n.querySelector('[data-testid=stNumberInputStepUp]')) cut.push('no +/-: ' + n.textContent);
  for (const chart of document.querySelectorAll('[data-testid=stPlotlyChart], .rw-chart')) {
    const box = chart.querySelector('.main-svg')?.getBoundingClientRect();
    if (!box) continue;
    for (const t of chart.querySelectorAll('.xtick text, .ytick text, .g-xtitle text, .g-ytitle text, .gtitle')) {
      const r = t.getBoundingClientRect();
      const out = r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1;
      if (r.width && out)
        cut.push('tick: ' + t.textContent);
    }
  }
  return cut;
}"""


def root_font(app) -> str:
    return app.pg.evaluate("getComputedStyle(document.documentElement).fontSize")


@pytest.mark.parametrize("path", list(PAGES), ids=["home", "train", "step-through", "generate"])
def test_presenter_mode_clips_nothing_at_1280x720(browser, server, request, expect, path):
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        app.open(f"{path}?big=1")
        expect(app.pg.locator('[data-testid="stMain"] h1').first).to_contain_text(PAGES[path])
        if path == "/train":
            app.wait_for_charts(1)
        if path == "/step-through":
            wait_for_step(app, expect, 1)
        if path == "/generate":  # its first view lists samples; its charts are one tab along
            view = app.pg.get_by_role("radiogroup", name="View").get_by_role("radio", name="Inside one sample")
            app.click(view, until=lambda: app.wait_for_charts(1))
        assert root_font(app) == ROOT_PX
        assert app.pg.evaluate(CLIPPED_JS) == []
        assert app.pg.evaluate(CUT_JS) == []
        if path == "/step-through":
            open_settings(app)  # its widgets are drawn when it opens
            assert app.pg.evaluate(CLIPPED_JS) == []
        if path == "/generate":  # the folded settings box, opened
            app.pg.get_by_test_id("stExpander").get_by_text(re.compile("^⚙ Settings")).click()
            app.pg.get_by_text(re.compile(r"^Prompt \(one or more words\)")).wait_for(state="visible")
            assert app.pg.evaluate(CLIPPED_JS) == []


def test_the_sidebar_toggle_turns_it_on_folds_the_sidebar_and_the_url_keeps_it_across_pages(app, expect):
    """Presenter mode gives the page the projector's whole width: the sidebar folds away (its
    button brings it back)."""
    app.open("/")
    assert root_font(app) == f"{theme.BASE_FONT_PX}px"
    toggle = app.pg.get_by_test_id("stSidebar").get_by_text("Presenter mode (large text)")
    app.click(toggle, until=lambda: expect(app.pg).to_have_url(re.compile(r"[?&]big=1")))
    assert root_font(app) == ROOT_PX
    expect(app.pg.get_by_test_id("stExpandSidebarButton")).to_be_visible()  # folded
    app.pg.get_by_test_id("stExpandSidebarButton").click()  # opened by hand, it stays open
    for title, path in (("Step-Through", "/step-through"), ("Generate", "/generate"), ("Train", "/train")):
        app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text=title),
                  until=lambda: expect(app.pg).to_have_url(re.compile(re.escape(path) + r"\?(.*&)?big=1")))
        assert root_font(app) == ROOT_PX, path
    app.click(toggle, until=lambda: expect(app.pg).not_to_have_url(re.compile(r"big=1")))
    assert root_font(app) == f"{theme.BASE_FONT_PX}px"
