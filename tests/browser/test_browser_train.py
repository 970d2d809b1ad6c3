"""Train page in a real browser: train and see the loss, model files in and out, isolated sessions."""

import re
import subprocess
import sys
import time

import pytest

import rnn_core as rc
from tests.browser.step_helpers import OUT_OF_VIEW_JS, sized_app
from ui.common.text import WORD_JOINER

pytestmark = pytest.mark.browser

TRAIN = "▶ Train"


def card(app) -> str:
    """The sidebar's current-model card."""
    return app.pg.get_by_test_id("stSidebarUserContent").inner_text()


def loss_chart(app):
    return app.charts().filter(has_text="loss (cross-entropy)")


def test_training_draws_the_loss_and_replaces_the_model(app, expect):
    app.open("/train")
    app.assert_healthy()
    expect(loss_chart(app)).to_have_count(1)  # the preloaded seed model's own curve
    app.choose("Built-in corpus", re.compile(r"^counting$"))
    app.click(app.button(TRAIN), until=app.pg.get_by_text(re.compile(r"^Trained 300 steps")), timeout=120_000)
    app.assert_healthy()
    expect(loss_chart(app)).to_have_count(1)
    expect(app.charts().filter(has_text="step 300: loss")).to_have_count(1)
    expect(app.charts()).to_have_count(1)  # the views of the model are folded: drawn when opened
    text = card(app)
    assert "counting" in text and "300 steps trained" in text and "H = 6" in text, text
    app.click(fold(app, "The weights"), until=lambda: app.wait_for_charts(5))  # and the four heatmaps
    expect(app.charts().filter(has_text="W")).to_have_count(4)


def fold(app, label: str):
    """The header of the folded view (an expander) whose label starts with ``label`` (after the
    name of its arrow icon, which Streamlit writes as text)."""
    starts = re.compile(r"^(keyboard_arrow_\w+)?" + re.escape(label))
    return app.pg.get_by_test_id("stExpander").locator("summary").filter(has_text=starts)


def start_long_run(app, expect) -> None:
    """Open Train, ask for rnn_core's most steps and start: the live view draws a growing curve."""
    most = rc.training.SETTING["steps"].high
    need = rc.training.training_memory(rc.seed_corpus(), rc.TrainConfig(steps=most))
    app.open("/train")
    fold(app, "⚙ Change the settings").click()
    steps = app.pg.get_by_label("steps", exact=True)
    steps.fill(str(most))
    steps.press("Enter")
    app.settle(app.pg.get_by_text(f"this run needs about {need / 2**20:,.1f} MB", exact=False))
    app.button(TRAIN).click()
    expect(app.pg.get_by_text(re.compile(r"^step [1-9][\d,]* / 1,000,000"))).to_be_visible(timeout=60_000)


def live_step(app) -> int:
    text = app.pg.get_by_text(re.compile(r"^step [\d,]+ / 1,000,000")).inner_text()
    return int(text.split()[1].replace(",", ""))


def test_a_live_run_redraws_while_training_and_stop_keeps_what_it_learned(app, expect):
    """The live view is a fragment that reruns on its own: the step and the curve move on while
    the rest of the page stays; Stop ends the run and installs what it learned."""
    start_long_run(app, expect)
    expect(app.charts().filter(has_text="loss (cross-entropy)")).to_have_count(1)
    first = live_step(app)
    deadline = time.monotonic() + 60
    while live_step(app) <= first:  # the fragment redraws on its own; a guard, not a timing
        assert time.monotonic() < deadline, "the live step never moved on"
        app.pg.wait_for_timeout(100)
    app.click(app.button("■ Stop (keep what was learned)"),
              until=app.pg.get_by_text(re.compile(r"^Stopped at step \d+")), timeout=120_000)
    app.assert_healthy()
    notice = app.pg.get_by_text(re.compile(r"^Stopped at step \d+")).inner_text()
    steps = int(re.search(r"step (\d+)", notice).group(1))
    assert steps > first and f"{steps} steps trained" in card(app), (notice, card(app))
    expect(app.charts().filter(has_text=f"step {steps:,}: loss")).to_have_count(1)


def test_leaving_the_page_mid_run_installs_what_was_learned_on_the_next_page(app, expect):
    start_long_run(app, expect)
    app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text="Step-Through"),
              until=app.pg.locator(".rw-title").filter(has_text=re.compile(r"step 1 of \d+: feed “I”")))
    app.assert_healthy()
    steps = int(re.search(r"(\d+) steps trained", card(app)).group(1))
    assert 0 < steps < rc.training.SETTING["steps"].high and "I love deep learning" in card(app), card(app)


def test_sessions_train_different_corpora_at_once(app, second_app, expect):
    """Two visitors train at the same time; each sees only their own model."""
    app.open("/train")
    second_app.open("/train")
    app.choose("Built-in corpus", re.compile(r"^counting$"))
    second_app.choose("Built-in corpus", re.compile(r"^shared words$"))
    app.button(TRAIN).click()
    second_app.button(TRAIN).click()
    runs = ((app, "counting", "shared words", 300), (second_app, "shared words", "counting", 400))
    for a, mine, theirs, steps in runs:
        a.settle(a.pg.get_by_text(f"Trained {steps} steps"), timeout=120_000)
        a.assert_healthy()
        text = card(a)
        assert mine in text and theirs not in text, text
    # the model follows its visitor to another page (a sidebar link keeps the session; a reload would not)
    app.click(app.pg.get_by_test_id("stSidebarNavLink").filter(has_text="Step-Through"),
              until=app.pg.get_by_role("heading", name=re.compile(r"step 1 of \d+: feed “one”")))
    assert "counting" in card(app)


def test_download_gives_a_loadable_model_file(app, expect, tmp_path):
    app.open("/train")
    with app.pg.expect_download() as info:
        app.button("⬇ Download the current model (.npz)").click()
    path = tmp_path / info.value.suggested_filename
    info.value.save_as(path)
    assert path.suffix == ".npz"
    model = rc.load(path)
    assert model.corpus_name == "I love deep learning"
    assert model.vocab.tokens == ("I", "love", "deep", "learning", "</s>")
    assert model.steps_trained == 60


def test_upload_of_a_cli_model_replaces_the_session_model(app, expect, tmp_path):
    """README's route: train with the CLI, load the file on the Train page."""
    out = tmp_path / "counting.npz"
    subprocess.run([sys.executable, "-m", "rnn_core", "train", "--text", "one two three four",
                    "--steps", "40", "--hidden-size", "4", "--out", str(out)], check=True, cwd=app_root())
    upload_model(app, out, until=app.pg.get_by_text("Loaded counting.npz"))
    text = card(app)
    assert "40 steps trained" in text and "H = 4" in text, text


def test_upload_of_a_broken_file_keeps_the_model(app, expect, tmp_path):
    bad = tmp_path / "broken.npz"
    bad.write_bytes(b"PK\x03\x04 not really a zip")
    upload_model(app, bad, until=app.pg.get_by_test_id("stAlertContentError").filter(
        has_text="Your current model is unchanged"))
    assert "I love deep learning" in card(app) and "60 steps trained" in card(app)


def upload_model(app, path, until) -> None:
    """Open the Train page, give its model uploader the file at ``path`` and wait for ``until``
    (the notice that the upload's rerun draws)."""
    app.open("/train")
    uploader = app.pg.get_by_test_id("stFileUploader").filter(has_text="Load a model file")
    uploader.locator('input[type="file"]').set_input_files(str(path))
    app.settle(until)
    app.assert_healthy()


def app_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[2]


HOSTILE_NAME = "![x](http://127.0.0.1:9/tracker.png) [click](http://evil.example) $x^2$ www.evil.example"


def test_a_model_files_name_is_shown_as_text_never_rendered(app, expect, tmp_path):
    """A file's corpus name is text: no image fetched, no link, no math, in the notice and the card."""
    from dataclasses import replace

    hostile = tmp_path / "hostile.npz"
    model = replace(rc.seed_model(), corpus_name=HOSTILE_NAME)
    rc.save(model, str(hostile))
    requested = []
    app.pg.on("request", lambda r: requested.append(r.url))
    upload_model(app, hostile, until=app.pg.get_by_text("Loaded hostile.npz"))
    for where in (app.pg.get_by_test_id("stSidebarUserContent"), app.pg.get_by_test_id("stAlertContentSuccess")):
        assert HOSTILE_NAME in where.inner_text().replace(WORD_JOINER, "")
        expect(where.locator("img")).to_have_count(0)
        expect(where.locator("a")).to_have_count(0)
        expect(where.locator(".katex")).to_have_count(0)
    assert not [u for u in requested if "tracker.png" in u or "evil.example" in u], requested


def test_text_coloured_by_a_hidden_unit_shows_a_hostile_corpus_as_text(app, expect):
    """The unit view builds HTML from the corpus: a tag in the text is shown, never made."""
    requested = []
    app.pg.on("request", lambda r: requested.append(r.url))
    paste(app, HOSTILE_TEXT)
    app.click(app.button(TRAIN), until=app.pg.get_by_text(re.compile(r"^Trained \d+ steps")), timeout=120_000)
    app.click(fold(app, "What each hidden unit tracks"), until=app.pg.get_by_test_id("stHtml").first)
    view = app.pg.get_by_test_id("stHtml").filter(has=app.pg.locator("span[title]")).last  # the coloured text
    expect(view).to_contain_text("<img src=http://127.0.0.1:9/unit.png>")
    expect(app.pg.get_by_test_id("stMain").locator("img[src*='unit.png']")).to_have_count(0)
    expect(app.pg.get_by_test_id("stMain").locator("b").filter(has_text="bold")).to_have_count(0)
    assert not [u for u in requested if "unit.png" in u], requested


HOSTILE_TEXT = "<img src=http://127.0.0.1:9/unit.png> ab\nab <b>bold</b> ab\n" * 3


def paste(app, text: str, query: str = "") -> None:
    """Open Train, paste ``text`` at char level and wait for the settings suggested for it."""
    app.open("/train" + query)
    app.click(app.pg.get_by_text("Paste text", exact=True), until=app.pg.get_by_text("Level", exact=True))
    app.click(app.pg.get_by_text("char", exact=True),
              until=app.pg.get_by_text(re.compile(r"^Settings: .* characters per update")))
    area = app.pg.get_by_label("Training text (one sentence per line)")
    area.fill(text)
    area.press("Control+Enter")
    app.settle(app.pg.get_by_text(f"Suggested for this text. {len(text):,} characters", exact=False))


PARAGRAPH = ("Once upon a time there was a small village at the edge of a great forest. Every morning the "
             "baker lit his oven before the sun came up, and the smell of fresh bread drifted down the narrow "
             "streets. The children ran to the square to play, and the old men sat on the bench by the well "
             "and talked about the weather. One day a stranger walked into the village with a large wooden "
             "box on his back, and nobody knew what was inside it.")
FIRST_SCREEN = {"corpus": ".st-key-train_paste textarea", "settings": ".st-key-train_summary p",
                "train": ".st-key-train_go button"}


@pytest.mark.parametrize("query", ["", "?big=1"], ids=["normal", "presenter"])
def test_trains_first_screen_holds_the_text_the_settings_and_the_train_button(browser, server, request, query):
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        paste(app, PARAGRAPH, query)
        assert app.pg.evaluate(OUT_OF_VIEW_JS, FIRST_SCREEN) == []  # in view without scrolling


def test_a_pasted_paragraph_trained_as_suggested_writes_its_first_words(browser, server, request, expect):
    """The first hour: at 1280x720, paste a paragraph, keep the suggested settings (on the first
    screen with the text and the Train button), train; greedy text from its first letter, the
    last sample of the run, begins with the paragraph's first words."""
    with sized_app(browser, server.url, 1280, 720, request.node.name) as app:
        paste(app, PARAGRAPH)
        expect(app.pg.get_by_text(re.compile(r"^Settings: H = 64"))).to_be_visible()
        assert app.pg.evaluate(OUT_OF_VIEW_JS, FIRST_SCREEN) == []  # in view without scrolling
        app.click(app.button(TRAIN), until=app.pg.get_by_text(re.compile(r"^Trained \d+ steps")), timeout=120_000)
        app.assert_healthy()
        app.click(app.pg.get_by_text("Samples written while it trained"), until=app.pg.get_by_test_id("stCode").last)
        last = app.pg.get_by_test_id("stCode").filter(has_text=re.compile(r"^step")).inner_text().splitlines()[-1]
        words = " ".join(PARAGRAPH.split()[:6])  # "Once upon a time there was"
        assert re.match(r"step\s+[\d,]+: " + re.escape(words), last), last
