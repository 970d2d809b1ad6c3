"""Step-Through's training time-travel and closer looks in a real browser: the weights slider in
the settings replays the seed walk with the weights after training step 0 (other y_t, another
path, the link and the title say so) and back; an open view follows Next."""

import re
from dataclasses import replace

import pytest

import rnn_core as rc
from tests.browser.step_helpers import close_settings, open_settings, open_walk, step_title, wait_for_step
from ui.common.session import seed_model_bytes

pytestmark = pytest.mark.browser


def bar_texts(app) -> list[str]:
    """The value labels over the bars of the step's distribution chart (SVG text: no innerText)."""
    return app.pg.locator(".rw-dist .trace.bars").first.locator("text.bartext").all_text_contents()


def labels(trace: rc.StepTrace) -> list[str]:
    """What the distribution chart prints over its bars for a five-token vocabulary."""
    return [f"{p:.3f}" if p > 0 else "" for p in trace.probs]


def test_weights_after_step_0_replay_the_walk_with_other_distributions_and_back(app, expect):
    model = rc.from_bytes(seed_model_bytes())
    trained = rc.generate(model, "I", rc.Rule("sample"), max_tokens=20, seed=0)
    early = rc.generate(replace(model, params=dict(model.checkpoints())[0]), "I", rc.Rule("sample"),
                        max_tokens=20, seed=0)
    assert [t.token for t in early] != [t.token for t in trained] and labels(early[0]) != labels(trained[0])
    open_walk(app, expect, "/step-through")
    expect(step_title(app)).to_have_text(f"Step-Through · step 1 of {len(trained)}: feed “I”")
    assert bar_texts(app) == labels(trained[0])

    slider = open_settings(app).get_by_role("slider", name="Weights after training step")
    slider.press("Home")  # the first snapshot: step 0, the random initial weights
    app.settle(lambda: (expect(step_title(app)).to_have_text(f"Trained 0 steps · step 1 of {len(early)}: feed “I”"),
                        expect(app.pg).to_have_url(re.compile(r"[?&]weights=0(&|$)"))))
    close_settings(app)
    expect(app.pg.locator(".rw-dist .trace.bars").first.locator("text.bartext")).to_have_text(labels(early[0]))
    app.assert_healthy()

    open_settings(app).get_by_role("slider", name="Weights after training step").press("End")  # its own again
    app.settle(lambda: expect(step_title(app)).to_have_text(f"Step-Through · step 1 of {len(trained)}: feed “I”"))
    close_settings(app)
    expect(app.pg.locator(".rw-dist .trace.bars").first.locator("text.bartext")).to_have_text(labels(trained[0]))
    assert "weights=" not in app.pg.url


def test_an_open_view_follows_the_step_on_screen(app, expect):
    """The browser steps on its own; while a view is open it sends the step, and the view (its
    own fragment) follows without the step area being sent again."""
    open_walk(app, expect, "/step-through")
    heatmap = app.pg.locator(".st-key-step_look_influence_heatmap")
    app.click(app.pg.get_by_role("radio", name="What it remembers"), until=heatmap)
    expect(app.pg.locator(".infl .next")).to_have_text("love")  # step 1 predicts "love"
    drawn = app.pg.evaluate("window.rnnlabWalk.walk")  # the record the step area holds
    app.pg.keyboard.press("PageDown")
    app.settle(lambda: expect(app.pg.locator(".infl .next")).to_have_text("deep"))
    wait_for_step(app, expect, 2)
    assert app.pg.evaluate("window.rnnlabWalk.walk") == drawn  # not sent again
    app.assert_healthy()
