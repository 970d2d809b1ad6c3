"""Step-Through in a real browser: Next to </s>, forking a token, deep links with query params."""

import re

import pytest

pytestmark = pytest.mark.browser


def step_heading(app):
    return app.pg.get_by_role("heading", name=re.compile(r"^Step \d+: feed"))


def test_step_through_draws_the_seed_walk_through(app, expect):
    app.open("/step-through")
    app.assert_healthy()
    expect(step_heading(app)).to_have_text(re.compile(r"^Step 1: feed 'I'"))
    # y_1 over the vocabulary, h_1 beside h_0, and the 3-D trajectory (the seed model has H = 3)
    app.wait_for_charts(3)
    expect(app.charts()).to_have_count(3)
    expect(app.pg.locator('[data-testid="stPlotlyChart"] #scene canvas')).to_have_count(1)  # the 3-D one (WebGL)
    assert app.pg.locator(".katex").count() >= 6  # x_t, W_x x_t + W_h h_0 + b_h, h_t, o_t, y_t, the pick


def test_next_walks_to_end_of_sentence(app, expect):
    app.open("/step-through")
    next_button = app.button("Next ▶")
    headings = []
    while next_button.is_enabled():
        headings.append(step_heading(app).inner_text())
        step = len(headings) + 1
        app.click(next_button, until=lambda: (expect(step_heading(app)).to_have_text(re.compile(rf"^Step {step}: ")),
                                              expect(app.pg).to_have_url(re.compile(rf"step={step}(&|$)"))))
        app.assert_healthy()
        assert len(headings) < 25, "Next never reached the end"
    headings.append(step_heading(app).inner_text())
    assert [int(h.split()[1].rstrip(":")) for h in headings] == list(range(1, len(headings) + 1))
    finished = app.pg.get_by_text("generation finished")
    expect(finished).to_be_visible()
    expect(app.pg.get_by_test_id("stAlertContentSuccess")).to_contain_text("</s>")
    # the last step's distribution is still drawn
    app.wait_for_charts(3)
    expect(app.pg).to_have_url(re.compile(rf"step={len(headings)}"))


def test_forcing_a_token_forks_the_path(app, expect):
    app.open("/step-through")
    original = app.pg.get_by_text("Path (").inner_text()
    assert "deep" in original
    app.choose("What if step 1 picked another token?", re.compile(r"^learning"))
    app.click(app.button("Force it"), until=app.pg.get_by_text("the path forked at step 1"))
    app.assert_healthy()
    what_if = app.pg.get_by_text("What if", exact=False).first
    expect(what_if).to_be_visible()
    expect(app.pg.get_by_text("the path forked at step 1")).to_be_visible()
    path = app.pg.get_by_text("Path (").inner_text()
    # I → ✋learning → ...: the forced pick is step 1's token and is marked
    assert re.search(r"I\s*→\s*✋\s*learning", path), path
    app.click(app.button("↩ Back to the original path"), until=lambda: expect(app.pg.get_by_text("Path (")).to_have_text(original))


def test_deep_link_with_query_lands_on_that_step(fresh_app, expect):
    """A slide link to a step, opened as the first request of a fresh server."""
    fresh_app.open("/step-through?step=3&rule=greedy&word=I")
    fresh_app.assert_healthy()
    assert fresh_app.nav_titles() == ["Home", "Train", "Step-Through", "Generate"]
    # greedy from "I" on the trained seed model follows the seed sentence I love deep learning </s>:
    # step t feeds its t-th word
    expect(step_heading(fresh_app)).to_have_text("Step 3: feed 'deep'")
    expect(fresh_app.pg.get_by_test_id("stRadio").get_by_label("greedy")).to_be_checked()
    expect(fresh_app.pg).to_have_url(re.compile(r"step=3"))


def test_deep_link_past_the_end_shows_the_last_step(app, expect):
    app.open("/step-through?step=9&rule=greedy&word=I")
    app.assert_healthy()
    expect(step_heading(app)).to_have_text("Step 4: feed 'learning'")
    expect(app.pg.get_by_text("The link asks for step 9, but this path has 4 steps")).to_be_visible()
