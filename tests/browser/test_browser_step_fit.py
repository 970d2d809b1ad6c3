"""One whole step on one projector screen, in a real browser: after PageDown, at 1280x720 and
1920x1080, with and without presenter mode, on the seed model and on a 10-token model, the
controls, the step number, the loop, every equation with its numbers and both charts are inside
the window without scrolling; no equation, title or button is cut at its right edge at 3 or 6
decimals; and the text is large enough for a room: the loop's tokens and labels at least the
page's body size, chart tick labels at least 14 px.

Each case samples with top-k = 3 and T = 1.5, so the step also shows q_t: its row in the table,
its formula and the note on the kept tokens, the tallest a step gets."""

import pytest

from tests.browser.step_helpers import (
    CUT_JS,
    FIRST_SCREEN,
    OUT_OF_VIEW_JS,
    SCROLLED_JS,
    SIZES_JS,
    load_model,
    open_walk,
    set_decimals,
    set_top_k,
    sized_app,
    ten_token_model,
    wait_for_step,
)

pytestmark = pytest.mark.browser

SIZES = [(1280, 720), (1920, 1080)]


def assert_fits(app, where: str) -> None:
    assert app.pg.evaluate(SCROLLED_JS) == 0, f"{where}: the page scrolled"
    assert app.pg.evaluate(OUT_OF_VIEW_JS, FIRST_SCREEN) == [], where
    assert app.pg.evaluate(CUT_JS) == [], where
    sizes = app.pg.evaluate(SIZES_JS)
    assert sizes["loop"] >= sizes["body"] - 0.01, f"{where}: loop text {sizes}"
    assert sizes["ticks"] >= 14, f"{where}: chart ticks {sizes}"


def step_and_check(app, expect, where: str) -> None:
    """PageDown twice (a clicker), then check at 3 and at 6 decimals."""
    for step in (2, 3):
        app.pg.keyboard.press("PageDown")
        wait_for_step(app, expect, step)
    app.wait()
    assert_fits(app, f"{where}, 3 decimals")
    set_decimals(app, expect, 6)
    wait_for_step(app, expect, 3)
    assert_fits(app, f"{where}, 6 decimals")


@pytest.mark.parametrize("big", ["0", "1"], ids=["normal", "presenter"])
@pytest.mark.parametrize("width, height", SIZES)
def test_a_step_of_the_seed_model_fits_the_screen(browser, server, request, expect, width, height, big):
    with sized_app(browser, server.url, width, height, request.node.name) as app:
        open_walk(app, expect, f"/step-through?T=1.5&k=3&seed=2&big={big}")
        step_and_check(app, expect, f"seed model at {width}x{height}, big={big}")


@pytest.mark.parametrize("width, height", SIZES)
def test_a_step_of_a_ten_token_model_fits_the_screen(browser, server, request, expect, tmp_path, width, height):
    with sized_app(browser, server.url, width, height, request.node.name) as app:
        load_model(app, expect, ten_token_model(tmp_path / "ten.npz"))
        set_top_k(app, expect, 3)
        wait_for_step(app, expect, 1)
        step_and_check(app, expect, f"10-token model at {width}x{height}")


def test_a_step_of_a_ten_token_model_fits_1280x720_in_presenter_mode(browser, server, request, expect, tmp_path):
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        load_model(app, expect, ten_token_model(tmp_path / "ten.npz"))
        app.open("/step-through?big=1&k=3&T=1.5")
        wait_for_step(app, expect, 1)
        step_and_check(app, expect, "10-token model at 1280x720, presenter mode")
