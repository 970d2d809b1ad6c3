"""A model set in the browser lives on in the page's link (?model=<id>, the server's model store):
page switches keep the link, a reload and a new tab open the same model, and an id the store has
evicted says so and opens the seed model."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlparse

import pytest
from conftest import AppPage, StreamlitServer
from test_browser_train import TRAIN, card, upload_model

import rnn_core as rc
from ui.common import model_store

pytestmark = pytest.mark.browser

LINKED = re.compile(r"[?&]model=[0-9a-f]{32}(&|$)")
SEED = "I love deep learning"


def linked_id(app: AppPage) -> str:
    return parse_qs(urlparse(app.pg.url).query)["model"][0]


def nav(app: AppPage, title: str, heading: re.Pattern) -> None:
    app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text=title),
              until=app.pg.locator('[data-testid="stMain"] h1').filter(has_text=heading).first)
    app.assert_healthy()


def test_a_trained_model_survives_page_switches_a_reload_and_a_new_tab(app, expect):
    app.open("/train")
    app.choose("Built-in corpus", re.compile(r"^counting$"))
    app.click(app.button(TRAIN), until=app.pg.get_by_text(re.compile(r"^Trained 300 steps")), timeout=120_000)
    expect(app.pg).to_have_url(LINKED)  # written by the run's end, inside the live fragment
    key = linked_id(app)
    for title, heading in [("Step-Through", re.compile("Step-Through")), ("Generate", re.compile("^Generate")),
                           ("Home", re.compile("RNN Autoregression Lab"))]:
        nav(app, title, heading)
        expect(app.pg).to_have_url(re.compile(f"[?&]model={key}(&|$)"))
        assert "counting" in card(app)

    app.pg.reload()
    app.settle(app.pg.get_by_role("heading", name="RNN Autoregression Lab"))
    app.assert_healthy()
    assert "counting" in card(app) and "300 steps trained" in card(app), card(app)

    tab = AppPage(app.pg.context.new_page(), app.base_url).open(f"/step-through?model={key}")
    tab.assert_healthy()
    text = card(tab)
    assert "counting" in text and "300 steps trained" in text, text
    expect(tab.pg.get_by_text("loss", exact=False).first).to_be_visible()
    tab.pg.close()


def test_an_evicted_models_link_shows_the_message_and_the_seed_model(page, expect, tmp_path, monkeypatch):
    """The server and this test share a data folder of their own; storing another model with a
    bound that holds only that one evicts the visitor's, as a busy class would."""
    monkeypatch.setenv("RNN_LAB_DATA", str(tmp_path / "data"))
    server = StreamlitServer().start()
    try:
        app = AppPage(page, server.url)
        path = tmp_path / "mine.npz"
        corpus = rc.make_corpus("one two three one two", "word", name="mine")
        rc.save(rc.new_model(corpus, rc.TrainConfig(hidden_size=3, embed_dim=3, steps=0)), str(path))
        upload_model(app, path, until=app.pg.get_by_text("Loaded mine.npz"))
        expect(app.pg).to_have_url(LINKED)
        key = linked_id(app)
        assert model_store.default_store().path(key).exists()

        other = rc.to_bytes(rc.seed_model())
        model_store.ModelStore(model_store.default_store().folder, len(other)).put(other)
        assert not model_store.default_store().path(key).exists()

        app.open(f"/generate?model={key}")
        app.assert_healthy()
        message = app.pg.get_by_test_id("stAlertContentWarning").filter(
            has_text="This link's model is not on this server")
        expect(message).to_be_visible()
        assert SEED in card(app) and "mine" not in card(app)
        expect(app.pg).not_to_have_url(re.compile("model="))  # the link now says what is on screen
    finally:
        server.stop()
