"""One whole step on one projector screen, in a real browser: after Next, at 1280x720 and
1920x1080, on the seed model and on a 10-token model, the controls, the step number, every
equation with its numbers and both charts are inside the window without scrolling, and no
equation or table is wider than its box at 3 or 6 decimals (KaTeX blocks are .katex-display).

Each case samples with top-k = 3 and T = 1.5, so the step also shows q_t: its row in the table,
its formula and the note on the kept tokens, the tallest the step gets."""

import pytest

from tests.browser.step_helpers import (CUT_JS, FIRST_SCREEN, OUT_OF_VIEW_JS, SCROLLED_JS, load_model, set_decimals,
                                        set_top_k, sized_app, ten_token_model, wait_for_step)

pytestmark = pytest.mark.browser

SIZES = [(1280, 720), (1920, 1080)]


def assert_fits(app, where: str) -> None:
    assert app.pg.evaluate(SCROLLED_JS) == 0, f"{where}: the page scrolled"
    assert app.pg.evaluate(OUT_OF_VIEW_JS, FIRST_SCREEN) == [], where
    assert app.pg.evaluate(CUT_JS) == [], where


def step_twice_and_check(app, expect, where: str) -> None:
    """Next to step 2 (the clicker's PageDown), then check at 3 and at 6 decimals."""
    app.pg.keyboard.press("PageDown")
    wait_for_step(app, expect, 2)
    app.wait()
    assert_fits(app, f"{where}, 3 decimals")
    set_decimals(app, expect, 6)
    wait_for_step(app, expect, 2)
    assert_fits(app, f"{where}, 6 decimals")


@pytest.mark.parametrize("width, height", SIZES)
def test_a_step_of_the_seed_model_fits_the_screen(browser, server, request, expect, width, height):
    with sized_app(browser, server.url, width, height, request.node.name) as app:
        app.open("/step-through?T=1.5&k=3&seed=2")
        wait_for_step(app, expect, 1)
        step_twice_and_check(app, expect, f"seed model at {width}x{height}")


@pytest.mark.parametrize("width, height", SIZES)
def test_a_step_of_a_ten_token_model_fits_the_screen(browser, server, request, expect, tmp_path, width, height):
    with sized_app(browser, server.url, width, height, request.node.name) as app:
        load_model(app, ten_token_model(tmp_path / "ten.npz"))
        wait_for_step(app, expect, 1)
        set_top_k(app, expect, 3)
        step_twice_and_check(app, expect, f"10-token model at {width}x{height}")


def test_in_presenter_mode_a_step_fits_a_full_hd_screen(browser, server, request, expect):
    """Large text needs the room of a 1920x1080 projector; at 1280x720 the charts go below the
    equations (tests/browser/test_browser_presenter.py checks that nothing is clipped there)."""
    with sized_app(browser, server.url, 1920, 1080, request.node.name) as app:
        app.open("/step-through?T=1.5&k=3&seed=2&big=1")
        wait_for_step(app, expect, 1)
        step_twice_and_check(app, expect, "seed model, presenter mode, 1920x1080")
