"""Generate page in a real browser: samples, the views, the CSV export, a refused entry, and a
click on the tree of continuations that opens its prefix in Step-Through."""

import io
import re
import urllib.parse
from dataclasses import replace

import pandas as pd
import pytest

import rnn_core as rc
from ui.common.session import seed_model_bytes

pytestmark = pytest.mark.browser


def greedy_heading(app):
    """The samples' heading once the greedy run has been drawn ("10 samples · greedy")."""
    return app.pg.get_by_role("heading", name="10 samples · greedy")


def view_button(app, name: str):
    """One option of the view chooser (a segmented control: a radio group named "View")."""
    return app.pg.get_by_role("radiogroup", name="View").get_by_role("radio", name=name, exact=True)


def open_view(app, name: str, until) -> None:
    """Open /generate on ``name``'s view (bound to the URL) and wait for what it draws."""
    app.pg.goto(f"{app.base_url}/generate?view={urllib.parse.quote(name)}")
    app.settle(until)


def open_settings(app) -> None:
    """Unfold the settings box (it starts folded, one line saying what the page shows) and wait
    for its widgets."""
    app.pg.get_by_test_id("stExpander").get_by_text(re.compile("^⚙ Settings")).click()
    app.pg.get_by_test_id("stSlider").filter(has_text="Number of samples").wait_for(state="visible")


def test_generate_draws_samples_then_every_chart_of_one_sample(app, expect):
    app.open("/generate")
    app.assert_healthy()
    expect(app.pg.get_by_role("heading", name="Generate", exact=True)).to_be_visible()
    expect(app.pg.get_by_test_id("stMetric").filter(has_text="Distinct texts")).to_contain_text("of 10")
    assert app.pg.get_by_test_id("stDataFrame").count() >= 1
    app.click(view_button(app, "Inside one sample"), until=app.pg.get_by_text("Sample #1, step 1"))
    # y_t, h beside h_{t-1}, the temperature explorer, distributions heatmap, h heatmap
    app.wait_for_charts(5)
    expect(app.charts()).to_have_count(5)
    app.assert_healthy()


def test_greedy_samples_are_all_the_seed_sentence(app, expect):
    app.open("/generate")
    open_settings(app)
    app.click(app.pg.get_by_test_id("stRadio").get_by_text("greedy", exact=True), until=greedy_heading(app))
    app.assert_healthy()
    expect(app.pg.get_by_test_id("stMetric").filter(has_text="Distinct texts")).to_contain_text("1 of 10")
    expect(app.pg.get_by_test_id("stMetric").filter(has_text="reproduced")).to_contain_text("10 of 10")


def test_csv_download_has_one_row_per_step_and_a_name_with_the_settings(app, expect, tmp_path):
    app.open("/generate")
    open_settings(app)
    app.click(app.pg.get_by_test_id("stRadio").get_by_text("greedy", exact=True), until=greedy_heading(app))
    app.click(view_button(app, "Inside one sample"), until=app.button("Download trace (CSV)"))
    with app.pg.expect_download() as info:
        app.button("Download trace (CSV)").click()
    name = info.value.suggested_filename
    assert name == "I-love-deep-learning_step60_greedy_seed0_sample1.csv"
    path = tmp_path / name
    info.value.save_as(path)
    table = pd.read_csv(io.StringIO(path.read_text(encoding="utf-8")))
    # greedy from "I": I -> love -> deep -> learning -> </s>, one row per token fed in
    assert len(table) == 4
    assert table["chosen"].tolist() == ["love", "deep", "learning", "</s>"]
    assert set(table["rule"]) == {"greedy"} and "q(</s>)" in table.columns and "h[2]" in table.columns


def test_a_top_k_beyond_the_vocabulary_is_refused_with_a_visible_message(app, expect):
    app.open("/generate")
    open_settings(app)
    box = app.pg.get_by_test_id("stNumberInput").filter(has_text="Top-k").locator("input")
    box.fill("99")
    message = app.pg.get_by_test_id("stAlert").filter(has_text="top-k must be at most the vocabulary size 5")
    box.press("Enter")
    app.settle(message)
    expect(message).to_contain_text("Still using 0")
    expect(box).to_have_value("0")
    app.assert_healthy()


def test_rule_panels_move_when_the_temperature_knob_moves(app, expect):
    open_view(app, "Rules side by side", app.pg.get_by_text("temperature · T = 1", exact=False).first)
    app.wait_for_charts(1)
    slider = app.pg.get_by_test_id("stSlider").filter(has_text="Temperature").last.get_by_role("slider")
    slider.focus()
    slider.press("End")  # T = 5: every panel but greedy flattens
    app.settle(app.pg.get_by_text("temperature · T = 5", exact=False).first)
    expect(app.pg.get_by_text(re.compile(r"top-k · k = 3"))).to_be_visible()
    app.assert_healthy()


def test_clicking_a_tree_node_opens_its_prefix_in_step_through(app, expect):
    open_view(app, "Tree", app.pg.get_by_text("sampled continuations of", exact=False).first)
    node = app.charts().locator("g.slice").filter(has_text=re.compile(r"^love")).first
    node.wait_for(state="visible")
    heading = app.pg.locator('[data-testid="stMain"] h1').filter(has_text="Step-Through")
    url = re.compile(r"/step-through\?.*word=I(\+|%20)love(&|$)")
    app.click(node, until=lambda: (expect(heading).to_be_visible(), expect(app.pg).to_have_url(url)))
    app.assert_healthy()
    query = urllib.parse.parse_qs(urllib.parse.urlparse(app.pg.url).query)
    assert query["word"] == ["I love"]
    # Step-Through feeds the prompt it got: step 1's pick is "love", the prompt's next token
    expect(app.pg.locator(".rw-eq[data-eq=pick]")).to_contain_text("the next token of the prompt")


def test_weights_of_step_0_give_nearly_flat_distributions(app, expect):
    model = rc.from_bytes(seed_model_bytes())
    early = replace(model, params=dict(model.checkpoints())[0])
    first = rc.generate(early, "I", rc.Rule("sample"), max_tokens=20, seed=0)[0]
    assert first.probs.max() < 0.3  # untrained: no token near certain
    open_view(app, "Inside one sample", app.pg.get_by_text("Sample #1, step 1"))
    open_settings(app)
    slider = app.pg.get_by_test_id("stSlider").filter(has_text="Weights after training step").get_by_role("slider")
    slider.focus()
    slider.press("Home")
    app.settle(app.pg.get_by_text(f"y = {first.p_token:.4f} · q = {first.q_token:.4f}"))
    app.wait_for_charts(1)
    texts = app.charts().first.locator("text.bartext").all_text_contents()  # SVG text has no innerText
    assert [float(t) for t in texts] == pytest.approx(first.probs.tolist(), abs=5e-4)  # y_1 of step 0 drawn


def test_a_link_with_an_empty_view_opens_the_samples_with_one_warning_as_a_fresh_servers_first_request(fresh_app,
                                                                                                      expect):
    """/generate?view= used to raise KeyError (Streamlit's query binding gave the control no value)."""
    app = fresh_app
    app.open("/generate?view=")
    app.assert_healthy()
    warning = app.pg.get_by_test_id("stAlert").filter(has_text="This link has an entry the page cannot use")
    expect(warning).to_have_count(1)
    expect(warning).to_contain_text("view=''")
    expect(view_button(app, "Samples")).to_be_checked()
    expect(app.pg.get_by_test_id("stMetric").filter(has_text="Distinct texts")).to_contain_text("of 10")


def test_a_link_with_481_bad_views_gives_one_warning_and_a_click_puts_the_view_in_the_url(app, expect):
    query = urllib.parse.urlencode([("view", f"{k}:love") for k in range(2, 483)], safe=":")
    app.open(f"/generate?{query}")
    app.assert_healthy()
    expect(app.pg.get_by_test_id("stAlert")).to_have_count(1)
    expect(app.pg.get_by_test_id("stAlert")).to_contain_text("481 entries")
    expect(app.pg.get_by_test_id("stAlert")).to_contain_text("and 478 more")
    app.click(view_button(app, "Tree"), until=app.pg.get_by_text("sampled continuations of", exact=False).first)
    assert urllib.parse.parse_qs(urllib.parse.urlparse(app.pg.url).query)["view"] == ["Tree"]
    expect(app.pg.get_by_test_id("stAlert")).to_have_count(0)
