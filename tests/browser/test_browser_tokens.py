"""Tokens that mean something to HTML, Markdown, LaTeX or Plotly, shown as themselves in a real
browser: in chart titles and ticks, the loop diagram, the equations and the page title."""

import re

import pytest

import rnn_core as rc
from tests.browser.step_helpers import load_model, sized_app, wait_for_step
from tests.hostile_tokens import hostile_char_model
from ui.token_text import show_token

pytestmark = pytest.mark.browser


def test_the_end_token_stays_in_the_distributions_title_and_the_tables(app, expect):
    """The seed walk's last step picks </s>: the title read 'chose “”', exactly when the model stops.
    st.table reads cells as Markdown: the teacher-forcing table must show the token too."""
    app.open("/step-through?step=4")
    app.wait_for_charts(2)
    expect(app.pg.locator(".st-key-step_dist .gtitle")).to_have_text(
        re.compile(r"softmax\(o_4\) · chose “</s>” \(sampled\)$"))
    last_row = app.pg.get_by_test_id("stTable").locator("tbody tr").last
    expect(last_row).to_contain_text("</s>")


def test_every_token_is_shown_as_text(browser, server, request, expect, tmp_path):
    """A file a user could load (char level: word level refuses '<b>' as one token), its tokens
    and the texts they spell ('<b>', '$x$') shown as themselves."""
    model = hostile_char_model()
    path = tmp_path / "hostile.npz"
    rc.save(model, str(path))
    with sized_app(browser, server.url, 1400, 900, request.node.name) as app:
        load_model(app, path)
        wait_for_step(app, expect, 1)
        pg = app.pg
        shown = [show_token(t) for t in model.vocab.tokens]
        assert pg.locator(".st-key-step_dist .xtick text").all_text_contents() == shown
        expect(pg.locator(".st-key-step_title h1")).to_have_text(re.compile(r"feed “<”$"))
        expect(pg.locator(".st-key-step_title h1 b")).to_have_count(0)  # not bold: text
        header = pg.locator(".st-key-eq_table .katex-html").inner_text()
        for token in shown:
            assert f"“{token}”" in re.sub(r"\s+", "", header), token
        expect(pg.locator(".katex-error")).to_have_count(0)
        loop = " ".join(pg.locator(".st-key-step_loop svg text").all_text_contents())
        assert "“<”" in loop
        title = pg.locator(".st-key-step_dist .gtitle").text_content()
        picked = re.search(r"chose “(.*)” \(", title).group(1)
        assert picked in shown  # the chosen token, whatever it is, as text
