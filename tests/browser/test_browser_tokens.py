"""Tokens that mean something to HTML, Markdown, LaTeX or Plotly, shown as themselves in a real
browser: in chart titles and ticks, the loop diagram, the equations and the page title."""

import re

import pytest

import rnn_core as rc
from tests.browser.step_helpers import load_model, open_walk, sized_app
from tests.hostile_tokens import hostile_char_model
from ui.common.text import show_token

pytestmark = pytest.mark.browser


def test_the_end_token_stays_in_the_distributions_title_and_the_tables(app, expect):
    """The seed walk's last step picks </s>: the title read 'chose “”', exactly when the model stops."""
    open_walk(app, expect, "/step-through?step=4", step=4)
    title = app.pg.locator(".rw-dist .gtitle")  # Plotly puts zero-width spaces around a <sub>
    expect(title).to_have_text(re.compile(r"softmax\(o\W*4\W*\) · chose “</s>” \(sampled\)$"))
    expect(app.pg.locator(".rw-eq[data-eq=table] tr").first).to_contain_text("“</s>”")
    expect(app.pg.locator(".rw-end")).to_have_text("Generation finished: it picked </s> at step 4.")


def test_every_token_is_shown_as_text(browser, server, request, expect, tmp_path):
    """A file a user could load (char level: word level refuses '<b>' as one token), its tokens
    and the texts they spell ('<b>', '$x$') shown as themselves."""
    model = hostile_char_model()
    path = tmp_path / "hostile.npz"
    rc.save(model, str(path))
    with sized_app(browser, server.url, 1400, 900, request.node.name) as app:
        load_model(app, expect, path)
        pg = app.pg
        shown = [show_token(t) for t in model.vocab.tokens]
        assert pg.locator(".rw-dist .xtick text").all_text_contents() == shown
        expect(pg.locator(".rw-title")).to_have_text(re.compile(r"feed “<”$"))
        expect(pg.locator(".rw-title b")).to_have_count(0)  # not bold: text
        heads = pg.locator(".rw-eq[data-eq=table] tr:first-child th").all_text_contents()
        assert [h for h in heads if h] == [f"“{token}”" for token in shown]
        assert "“<”" in " ".join(pg.locator(".rw-loop-svg text").all_text_contents())
        title = pg.locator(".rw-dist .gtitle").text_content()
        picked = re.search(r"chose “(.*)” \(", title).group(1)
        assert picked in shown  # the chosen token, whatever it is, as text
