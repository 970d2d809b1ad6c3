"""Home in a real browser: its first screen at 1280x720 shows the one action, and the action opens
Step-Through's walk-through; the untrained numbers open training step 0."""

import re

import pytest

from tests.browser.step_helpers import OUT_OF_VIEW_JS, sized_app

pytestmark = pytest.mark.browser

START = "Start the walk-through ▶"


@pytest.mark.parametrize("query", ["", "?big=1"], ids=["normal", "presenter"])
def test_the_first_screen_at_1280x720_shows_the_start_action(browser, server, request, expect, query):
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        app.open("/" + query)
        app.assert_healthy()
        button = app.button(START)
        expect(button).to_be_visible()
        selector = {"start": ".st-key-home_start button"}
        assert app.pg.evaluate(OUT_OF_VIEW_JS, selector) == []  # in view without scrolling


def test_the_start_action_opens_the_walk_through_at_step_1(app, expect):
    app.open("/")
    app.click(app.button(START), until=app.pg.get_by_role("heading", name=re.compile(r"step 1 of \d+: feed “I”")))
    app.assert_healthy()
    expect(app.pg).to_have_url(re.compile(r"/step-through\?(.*&)?step=1"))


def test_the_untrained_numbers_open_training_step_0(app, expect):
    app.open("/")
    app.click(app.button("See step 1 at training step 0 on Step-Through ▶"),
              until=app.pg.get_by_role("heading", name=re.compile(r"step 1 of \d+: feed “I”")))
    app.assert_healthy()
    expect(app.pg).to_have_url(re.compile(r"/step-through\?(.*&)?weights=0"))
