"""Helpers of the Step-Through browser tests: pages of a given screen size, a model loaded into
the session, and the two measures of a step that fits ("in view without scrolling", "not cut at the right
edge"), read with getBoundingClientRect and scrollWidth/clientWidth."""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path

from tests.browser.conftest import STATE_WATCH_JS, TIMEOUT_MS, AppPage, shoot_failure

import rnn_core as rc

# what one step needs on screen: the controls, the step number, the equations, the two charts
FIRST_SCREEN = {
    "Previous": ".st-key-step_prev [data-testid=stTooltipHoverTarget] button",
    "Next": ".st-key-step_next [data-testid=stTooltipHoverTarget] button",
    "step number": ".st-key-step_title h1",
    "x_t": ".st-key-eq_x .katex-display",
    "a_t": ".st-key-eq_a .katex-display",
    "h_t": ".st-key-eq_h .katex-display",
    "o_t, y_t": ".st-key-eq_oy .katex-display",
    "o_t / y_t numbers": ".st-key-eq_table .katex-display",
    "the pick": ".st-key-eq_pick .katex-display",
    "distribution chart": ".st-key-step_dist [data-testid=stPlotlyChart]",
    "hidden-state chart": ".st-key-step_hidden [data-testid=stPlotlyChart]",
}

OUT_OF_VIEW_JS = """(selectors) => {
  const out = [];
  for (const [name, selector] of Object.entries(selectors)) {
    const el = document.querySelector(selector);
    if (!el) { out.push(name + ': missing'); continue; }
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.left < 0 || r.top < 0 || r.right > window.innerWidth || r.bottom > window.innerHeight)
      out.push(`${name}: ${Math.round(r.left)},${Math.round(r.top)} to ${Math.round(r.right)},${Math.round(r.bottom)}`);
  }
  return out;
}"""

CUT_JS = """() => [...document.querySelectorAll(
    '[data-testid=stMain] .katex-display, [data-testid=stMain] [data-testid=stTable]')]
  .filter(e => e.scrollWidth > e.clientWidth)
  .map(e => `${e.scrollWidth} > ${e.clientWidth}: ${e.textContent.slice(0, 40)}`)"""

SCROLLED_JS = """() => Math.max(window.scrollY, ...[...document.querySelectorAll(
  '[data-testid=stMain], [data-testid=stAppViewContainer], [data-testid=stMainBlockContainer]')]
  .map(e => e.scrollTop))"""


@contextmanager
def sized_app(browser, base_url: str, width: int, height: int, name: str):
    """An ``AppPage`` in a fresh context (its own session) with a ``width`` x ``height`` window;
    if the test fails inside, a screenshot named ``name`` goes to tests/browser/artifacts/."""
    context = browser.new_context(viewport={"width": width, "height": height})
    context.add_init_script(STATE_WATCH_JS)
    context.set_default_timeout(TIMEOUT_MS)
    pg = context.new_page()
    try:
        yield AppPage(pg, base_url)
    except BaseException:
        shoot_failure(pg, re.sub(r"[^\w.-]+", "_", f"{name}-{width}x{height}"))
        raise
    finally:
        context.close()


def ten_token_model(path: Path) -> Path:
    """A word model of 10 tokens (9 words and </s>), H = 3, trained a little, saved at ``path``."""
    corpus = rc.make_corpus("the cat sat on the mat\nthe dog ran to the park", "word", name="ten tokens")
    config = rc.TrainConfig(steps=200)
    model, _ = rc.train(rc.new_model(corpus, config), corpus, config)
    assert len(model.vocab) == 10
    rc.save(model, str(path))
    return path


def load_model(app: AppPage, path: Path) -> None:
    """Load a model file on the Train page, then go to Step-Through by the sidebar (same session)."""
    app.open("/train")
    uploader = app.pg.get_by_test_id("stFileUploader").filter(has_text="Load a model file")
    uploader.locator('input[type="file"]').set_input_files(str(path))
    app.settle(app.pg.get_by_text(re.compile(f"^Loaded {re.escape(path.name)}")))
    app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text="Step-Through"),
              until=step_title(app))


def step_title(app: AppPage):
    return app.pg.locator(".st-key-step_title h1")


def wait_for_step(app: AppPage, expect, step: int) -> None:
    """The title names ``step`` and both first-screen charts are drawn."""
    expect(step_title(app)).to_contain_text(re.compile(rf"step {step} of \d+"))
    app.pg.wait_for_function("document.querySelectorAll('.st-key-step_dist .main-svg, "
                             ".st-key-step_hidden .main-svg').length >= 2", timeout=TIMEOUT_MS)


def open_settings(app: AppPage):
    """Open the settings popover and wait until its widgets are drawn; returns its content."""
    app.pg.get_by_role("button", name="⚙ Settings").click()
    content = app.pg.get_by_test_id("stPopoverBody")
    content.get_by_role("button", name="↺ Start again").wait_for(state="visible")  # the last widget
    return content


def close_settings(app: AppPage) -> None:
    app.pg.keyboard.press("Escape")
    app.pg.get_by_test_id("stPopoverBody").wait_for(state="hidden")


def set_decimals(app: AppPage, expect, decimals: int) -> None:
    """Decimals 1 or 6 (the ends of its slider: one key, one rerun), waiting for x_t's numbers."""
    open_settings(app)
    app.pg.get_by_role("slider", name="Decimals").press({1: "Home", 6: "End"}[decimals])
    app.settle(lambda: expect(app.pg.locator(".st-key-eq_x .katex-html")).to_contain_text(
        re.compile(rf"\d\.\d{{{decimals}}}(?!\d)")))
    close_settings(app)


def set_top_k(app: AppPage, expect, k: int) -> None:
    """top-k from the settings, waiting for the q_t row that sampling from a cut q_t adds."""
    box = open_settings(app).get_by_role("spinbutton", name="top-k (0 = off)")
    box.fill(str(k))
    box.press("Enter")
    app.settle(app.pg.locator(".st-key-eq_q .katex-display"))
    close_settings(app)
