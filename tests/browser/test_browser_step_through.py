"""Step-Through in a real browser: the step area steps on its own (buttons, keys, Play) with no
message to the server; the loop never shows a later token; the pick travels into the next input;
a clicked bar or the what-if list forks the walk; guess mode reveals through the server; links
open at their step and the address follows the step on screen."""

import re

import pytest

from tests.browser.step_helpers import loop_text, numbers, open_walk, sized_app, step_title, wait_for_step, walk

pytestmark = pytest.mark.browser


def test_step_through_draws_the_seed_walk_through(app, expect):
    open_walk(app, expect, "/step-through")
    app.assert_healthy()
    expect(step_title(app)).to_have_text("Step-Through · step 1 of 4: feed “I”")
    for chart in (".rw-dist", ".rw-hidden"):
        expect(app.pg.locator(f"{chart} .main-svg").first).to_be_visible()
    for eq in ("x", "a", "h", "oy", "table", "pick"):
        expect(app.pg.locator(f".rw-eq[data-eq={eq}]")).to_be_visible()
    assert "h₀ = 0" in loop_text(app) and "“I”" in loop_text(app)
    assert len(numbers(app, "h")) == 3


def test_next_walks_to_the_end_and_the_address_follows(app, expect):
    open_walk(app, expect, "/step-through")
    next_button = app.pg.locator(".rw-next")
    step = 1
    while next_button.is_enabled():
        step += 1
        next_button.click()
        wait_for_step(app, expect, step)
        expect(app.pg).to_have_url(re.compile(rf"[?&]step={step}(&|$)"))
        assert step < 25, "Next never reached the end"
    expect(step_title(app)).to_have_text(re.compile(rf"step {step} of {step}: .* · done$"))
    expect(app.pg.locator(".rw-end")).to_have_text("Generation finished: it picked </s> at step 4.")
    app.pg.reload()  # the address holds the step: a reload opens where the class was
    wait_for_step(app, expect, step)


def test_the_keys_step_in_the_browser_without_a_message_to_the_server(browser, server, request, expect):
    """Right / Left, a presenter's clicker (PageDown / PageUp), Home / End. Greedy from "I" walks
    I -> love -> deep -> learning -> </s>: at step t the loop holds the tokens up to t's pick.
    Stepping sends the server nothing: no websocket frame leaves the browser."""
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        sent = []
        app.pg.on("websocket", lambda ws: ws.on("framesent", lambda payload: sent.append(payload)))
        open_walk(app, expect, "/step-through?rule=greedy")
        assert "“love”" in loop_text(app) and "deep" not in loop_text(app) and "learning" not in loop_text(app)
        before = len(sent)
        for key, step in (("ArrowRight", 2), ("PageDown", 3), ("PageUp", 2), ("ArrowLeft", 1), ("End", 4),
                          ("Home", 1), ("PageDown", 2)):
            app.pg.keyboard.press(key)
            wait_for_step(app, expect, step)
        assert "“deep”" in loop_text(app) and "learning" not in loop_text(app)
        app.pg.wait_for_timeout(500)
        assert len(sent) == before, "stepping sent messages to the server"


def test_the_pick_travels_into_the_next_input(app, expect):
    open_walk(app, expect, "/step-through?rule=greedy")
    app.pg.keyboard.press("PageDown")
    expect(walk(app)).to_have_attribute("data-animating", "1")
    expect(app.pg.locator(".rw-chip")).to_have_text("“love”")
    expect(walk(app)).to_have_attribute("data-animating", "0")  # within 400 ms, then it is gone
    expect(app.pg.locator(".rw-chip")).to_have_count(0)
    x2 = app.pg.locator(".rw-loop-svg .rw-x-2 text")
    expect(x2).to_have_text("“love”")
    assert x2.evaluate("e => getComputedStyle(e).visibility") == "visible"


def test_no_animation_when_the_system_asks_for_reduced_motion(browser, server, request, expect):
    with sized_app(browser, server.url, 1280, 720, request.node.name, reduced_motion="reduce") as app:
        open_walk(app, expect, "/step-through?rule=greedy")
        app.pg.keyboard.press("PageDown")
        wait_for_step(app, expect, 2)
        expect(app.pg.locator(".rw-chip")).to_have_count(0)
        assert walk(app).get_attribute("data-animating") in (None, "0")


def test_clicking_a_bar_forks_the_walk_and_the_link_keeps_it(app, expect):
    open_walk(app, expect, "/step-through")
    bars = app.pg.locator(".rw-dist .trace.bars").first.locator(".point path")
    expect(bars).to_have_count(5)
    bars.nth(3).click(force=True)  # 'learning' (Plotly's drag layer lies over the bars)
    app.settle(app.pg.locator(".rw-forks:not([hidden])"))
    expect(app.pg.locator(".rw-forks-text")).to_have_text(
        "What if: you forced step 1 → “learning”; the path forked at step 1.")
    expect(app.pg.locator(".rw-eq[data-eq=pick]")).to_contain_text("forced by you")
    expect(app.pg).to_have_url(re.compile(r"[?&]force=1%3Alearning(&|$)"))
    wait_for_step(app, expect, 1)  # the walk stays on the forked step
    assert "“learning”" in loop_text(app) and "forced" in loop_text(app)
    app.pg.get_by_role("button", name="↩ Back to the original path").click()
    app.settle(lambda: expect(app.pg.locator(".rw-forks")).to_be_hidden())
    expect(app.pg).not_to_have_url(re.compile("force="))


def test_the_what_if_list_forks_at_the_step_on_screen(app, expect):
    open_walk(app, expect, "/step-through?rule=greedy")
    app.pg.keyboard.press("PageDown")
    wait_for_step(app, expect, 2)
    options = app.pg.locator(".rw-choice option").all_text_contents()
    learning = next(i for i, o in enumerate(options) if o.startswith("learning "))
    app.pg.locator(".rw-choice").select_option(index=learning)
    app.pg.get_by_role("button", name="Force it").click()
    app.settle(app.pg.get_by_text("the path forked at step 2"))
    wait_for_step(app, expect, 2)
    expect(app.pg).to_have_url(re.compile(r"[?&]force=2%3Alearning(&|$)"))


def test_play_runs_to_the_end_and_stops(app, expect):
    open_walk(app, expect, "/step-through?rule=greedy")
    app.pg.get_by_role("button", name="▶▶ Play").click()
    expect(app.pg.get_by_role("button", name="❚❚ Pause")).to_be_visible()
    wait_for_step(app, expect, 4)
    expect(app.pg.get_by_role("button", name="▶▶ Play")).to_be_visible()  # stopped at </s>
    app.pg.wait_for_timeout(1_500)  # more than an autoplay period (1 s): nothing moves
    expect(step_title(app)).to_contain_text("step 4 of 4")
    app.pg.get_by_role("button", name="▶▶ Play").click()  # from the end: plays again from step 1
    wait_for_step(app, expect, 2)
    app.pg.keyboard.press("ArrowLeft")  # a key takes over from Play
    expect(app.pg.get_by_role("button", name="▶▶ Play")).to_be_visible()


def test_a_deep_link_opens_at_its_step_on_a_fresh_server(fresh_app, expect):
    """A slide link to a step, opened as the first request of a fresh server."""
    open_walk(fresh_app, expect, "/step-through?step=3&rule=greedy&word=I", step=3)
    fresh_app.assert_healthy()
    assert fresh_app.nav_titles() == ["Home", "Step-Through", "Generate", "Train"]  # the order a class walks
    # greedy from "I" on the trained seed model follows I love deep learning </s>: step t feeds its t-th word
    expect(step_title(fresh_app)).to_have_text("Step-Through · step 3 of 4: feed “deep”")
    expect(fresh_app.pg.locator(".rw-eq[data-eq=pick]")).to_contain_text("arg max")


def test_a_deep_link_past_the_end_shows_the_last_step(app, expect):
    open_walk(app, expect, "/step-through?step=9&rule=greedy&word=I", step=4)
    expect(step_title(app)).to_have_text("Step-Through · step 4 of 4: feed “learning” · done")
    expect(app.pg.get_by_text("The link asks for step 9, but this path has 4 steps")).to_be_visible()


def test_guess_first_reveals_through_the_server_and_shows_no_later_token(browser, server, request, expect):
    """The guess buttons sit on the first screen in presenter mode; a clicker's PageDown after the
    guess reveals (the server sends the step's pick and the next step without its own); nothing
    in the page or in what it holds names a later token or the walk's length; the scroll stays."""
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        open_walk(app, expect, "/step-through?guess=1&rule=greedy&big=1")
        love = app.pg.locator(".rw-guess-button", has_text=re.compile("^love$"))
        expect(love).to_be_in_viewport()
        expect(step_title(app)).to_have_text("Step-Through · step 1: feed “I”")  # not "of 4"
        held = app.pg.evaluate("JSON.stringify(window.rnnlabWalk.walk.steps)")
        page = app.pg.locator(".rw").inner_text() + app.pg.get_by_test_id("stSidebar").inner_text()
        page = page.replace(app.pg.locator(".rw-guess").inner_text(), "")
        for later in ("love", "deep", "learning", "</s>"):
            assert later not in held and later not in page, later
        love.click()
        scroll = "document.querySelector('[data-testid=stMain]')"
        app.pg.evaluate(f"{scroll}.scrollTop = 40")
        app.pg.keyboard.press("PageDown")
        expect(walk(app)).to_have_attribute("data-revealed", "1")
        app.wait()
        assert app.pg.evaluate(f"{scroll}.scrollTop") == 40  # the reveal keeps the class's place
        expect(app.pg.locator(".rw-verdict")).to_have_text("✅ Your guess “love” was the pick.")
        expect(app.pg.locator(".rw-score")).to_contain_text("1 of 1 guesses were the pick")
        assert "“love” 1.00" in loop_text(app) or "“love” 0." in loop_text(app)
        app.pg.keyboard.press("PageDown")  # on to step 2, waiting for its guess: no server needed
        wait_for_step(app, expect, 2)
        expect(app.pg.get_by_role("button", name="Reveal ▶")).to_be_visible()
        waiting = app.pg.evaluate("JSON.stringify(window.rnnlabWalk.walk.steps[1])")  # step 2, before its reveal
        assert "deep" not in waiting and "learning" not in waiting
        assert app.pg.evaluate("window.rnnlabWalk.walk.steps.length") == 2
