"""Step-Through in a real browser: Next to </s>, keys, the loop without spoilers, forking a token
(from the box and by clicking a bar), autoplay, deep links with query params."""

import re

import pytest

pytestmark = pytest.mark.browser


def title(app):
    return app.pg.locator(".st-key-step_title h1")


def loop_text(app) -> str:
    return " ".join(app.pg.locator(".st-key-step_loop svg text").all_text_contents())


def at_step(app, expect, step: int, total: int | None = None):
    """``until`` for a click: the title names ``step`` (and the URL has it)."""
    of = rf"{total}" if total else r"\d+"
    return lambda: (expect(title(app)).to_contain_text(re.compile(rf"step {step} of {of}")),
                    expect(app.pg).to_have_url(re.compile(rf"[?&]step={step}(&|$)")))


def test_step_through_draws_the_seed_walk_through(app, expect):
    app.open("/step-through")
    app.assert_healthy()
    expect(title(app)).to_have_text("Step-Through · step 1 of 4: feed “I”")
    # y_1 over the vocabulary, h_1 beside h_0; on request the 3-D path of h (the seed model has H = 3)
    app.wait_for_charts(2)
    expect(app.charts()).to_have_count(2)
    app.click(app.pg.get_by_text("Show the path of h in 3-D"), until=app.pg.locator(".st-key-step_traj"))
    app.wait_for_charts(3)
    expect(app.pg.locator('[data-testid="stPlotlyChart"] #scene canvas')).to_have_count(1)  # the 3-D one (WebGL)
    assert app.pg.locator(".katex").count() >= 6  # x_t, a_t, h_t, o_t and y_t, their table, the pick
    expect(app.pg.locator(".katex-error")).to_have_count(0)
    assert "h0 = 0" in loop_text(app)


def test_next_walks_to_end_of_sentence(app, expect):
    app.open("/step-through")
    next_button = app.pg.get_by_role("button", name=re.compile(r"^Next ▶"))
    step = 1
    while next_button.is_enabled():
        step += 1
        app.click(next_button, until=at_step(app, expect, step))
        app.assert_healthy()
        assert step < 25, "Next never reached the end"
    expect(title(app)).to_have_text(re.compile(rf"step {step} of {step}: .* · done$"))
    expect(app.pg.get_by_test_id("stAlertContentSuccess")).to_contain_text("Generation finished: it picked </s>")
    app.wait_for_charts(2)  # the last step's distribution is still drawn


def test_the_keys_step_and_the_loop_never_shows_a_later_token(app, expect):
    """Right / Left, and a presenter's clicker: PageDown / PageUp. Greedy from "I" walks
    I -> love -> deep -> learning -> </s>: at step t the loop holds the tokens up to t's pick."""
    app.open("/step-through?rule=greedy")
    expect(title(app)).to_contain_text("step 1 of 4")
    assert "“love”" in loop_text(app) and "deep" not in loop_text(app) and "learning" not in loop_text(app)
    for key, step in (("ArrowRight", 2), ("PageDown", 3), ("PageUp", 2), ("ArrowLeft", 1), ("PageDown", 2)):
        app.pg.keyboard.press(key)
        app.settle(at_step(app, expect, step, 4))
    assert "“deep”" in loop_text(app) and "learning" not in loop_text(app)


def test_forcing_a_token_forks_the_path_and_the_link_keeps_it(app, expect):
    app.open("/step-through")
    app.choose("What if step 1 picked another token?", re.compile(r"^learning"))
    app.click(app.button("Force it"), until=app.pg.get_by_text("the path forked at step 1"))
    app.assert_healthy()
    expect(app.pg).to_have_url(re.compile(r"[?&]force=1%3Alearning(&|$)"))
    assert "✋ forced" in loop_text(app) and "“learning”" in loop_text(app)
    app.click(app.button("↩ Back to the original path"),
              until=lambda: expect(app.pg.get_by_text("the path forked at step 1")).to_have_count(0))
    expect(app.pg).not_to_have_url(re.compile("force="))


def test_clicking_a_bar_forces_its_token(app, expect):
    app.open("/step-through")
    app.wait_for_charts(2)
    bars = app.pg.locator(".st-key-step_dist .trace.bars").first.locator(".point path")
    expect(bars).to_have_count(5)
    bars.nth(3).click(force=True)  # 'learning' (Plotly's drag layer lies over the bars)
    app.settle(app.pg.get_by_text("the path forked at step 1"))
    expect(app.pg.locator(".st-key-eq_pick")).to_contain_text("forced by you")
    assert "“learning”" in loop_text(app)


def test_autoplay_runs_to_the_end_of_sentence_and_stops(app, expect):
    app.open("/step-through?rule=greedy")
    app.click(app.pg.get_by_role("button", name="▶▶ Play"),
              until=lambda: expect(title(app)).to_contain_text("step 2 of 4"))
    app.settle(lambda: expect(title(app)).to_have_text(re.compile(r"step 4 of 4: feed “learning” · done$")),
               timeout=30_000)
    expect(app.pg.get_by_role("button", name="▶▶ Play")).to_be_visible()  # autoplay is off
    app.pg.wait_for_timeout(2_500)  # more than two autoplay periods (1 s)
    expect(title(app)).to_contain_text("step 4 of 4")
    app.assert_healthy()


def test_deep_link_with_query_lands_on_that_step(fresh_app, expect):
    """A slide link to a step, opened as the first request of a fresh server."""
    fresh_app.open("/step-through?step=3&rule=greedy&word=I")
    fresh_app.assert_healthy()
    assert fresh_app.nav_titles() == ["Home", "Step-Through", "Generate", "Train"]
    # greedy from "I" on the trained seed model follows the seed sentence I love deep learning </s>:
    # step t feeds its t-th word
    expect(title(fresh_app)).to_have_text("Step-Through · step 3 of 4: feed “deep”")
    pick = fresh_app.pg.locator(".st-key-eq_pick .katex-html")
    expect(pick).to_contain_text(re.compile(r"arg.{0,3}max"))  # KaTeX reads "arg v max": v is set under it
    expect(fresh_app.pg).to_have_url(re.compile(r"step=3"))


def test_deep_link_past_the_end_shows_the_last_step(app, expect):
    app.open("/step-through?step=9&rule=greedy&word=I")
    app.assert_healthy()
    expect(title(app)).to_have_text("Step-Through · step 4 of 4: feed “learning” · done")
    expect(app.pg.get_by_text("The link asks for step 9, but this path has 4 steps")).to_be_visible()


def test_guess_first_with_a_click_on_a_token_then_the_clickers_key(app, expect):
    """The guess is a button per token, so the clicker's PageDown that follows reaches the page."""
    app.open("/step-through?guess=1&rule=greedy")
    expect(app.pg.get_by_role("button", name=re.compile(r"^Reveal ▶"))).to_be_visible()
    assert "?" in loop_text(app) and "love" not in loop_text(app)  # the pick is not shown yet
    app.click(app.pg.get_by_test_id("stButtonGroup").get_by_role("radio", name="love", exact=True),
              until=lambda: expect(app.pg.get_by_test_id("stButtonGroup").get_by_role("radio", name="love", exact=True))
              .to_be_checked())
    app.pg.keyboard.press("PageDown")
    app.settle(app.pg.get_by_text("Your guess “love” was the pick."))
    expect(app.pg.get_by_text("Score: 1 of 1 guesses were the pick")).to_be_visible()
    assert "“love” 0." in loop_text(app)  # y_1's top choice, now shown
