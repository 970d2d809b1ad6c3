"""The room in real browsers: phones at 360x740 vote by the link while a presenter (the rooms
store's API, or Step-Through in guess mode at 1280x720) steps; votes counted and replaced, pages
moving on by themselves, tokens shown as text, the QR code large on a projector, the class's
votes beside y_t after the reveal."""

from __future__ import annotations

import os
import re
from contextlib import ExitStack

import pytest
from conftest import ARTIFACTS, StreamlitServer
from hostile_tokens import HOSTILE
from step_helpers import sized_app

from ui.common.text import show_token
from ui.room import store as room_store

pytestmark = pytest.mark.browser

SEED = ["I", "love", "deep", "learning", "</s>"]
PHONE = (360, 740)


@pytest.fixture(scope="module")
def data_folder(tmp_path_factory):
    """One data folder for this module's servers and for the test process (the presenter's API)."""
    path = tmp_path_factory.mktemp("rooms")
    old = os.environ.get("RNN_LAB_DATA")
    os.environ["RNN_LAB_DATA"] = str(path)
    yield path
    if old is None:
        os.environ.pop("RNN_LAB_DATA")
    else:
        os.environ["RNN_LAB_DATA"] = old


@pytest.fixture(scope="module")
def vote_server(browser, data_folder):
    s = StreamlitServer().start()
    yield s
    s.stop()


def phone(stack: ExitStack, browser, server, name: str):
    return stack.enter_context(sized_app(browser, server.url, *PHONE, name))


def wait_for_step(expect, app, context: str) -> None:
    expect(app.pg.get_by_test_id("stMarkdown").filter(has_text=re.compile(r"^\s*" + re.escape(context) + r"\s*$"))
           .first).to_be_visible()


def open_room(desk, path: str) -> str:
    """The presenter's Step-Through at ``path`` (guess mode) opens a room; returns its code."""
    desk.open(path)
    desk.pg.locator(".rw[data-drawn='1']").wait_for(state="attached")
    desk.click(desk.button("📱 Open a room: the class votes from their phones"),
               until=desk.pg.get_by_role("img", name="QR code"))
    return re.search(r"vote\?room=(\w+)", desk.pg.get_by_test_id("stCode").inner_text()).group(1)


def vote(app, expect, token: str) -> None:
    app.click(app.button(token), until=lambda: expect(app.pg.get_by_test_id("stAlertContentSuccess"))
              .to_contain_text(f"Your vote: “{token}”"))


def test_three_phones_vote_change_and_follow_the_presenter(browser, vote_server, expect):
    room = room_store.open_room("presenter", {"title": "seed model", "level": "word"})
    room_store.set_step(room.code, room.token, 1, ["I"], SEED)
    with ExitStack() as stack:
        phones = [phone(stack, browser, vote_server, f"student-{i}") for i in range(3)]
        for app in phones:
            app.open(f"/vote?room={room.code}")
            wait_for_step(expect, app, "I")
        phones[0].pg.screenshot(path=str(ARTIFACTS / "vote-phone-open-360x740.png"))
        header, title = (phones[0].pg.get_by_test_id("stHeader").bounding_box(),
                         phones[0].pg.locator("[data-testid=stMain] h1").bounding_box())
        assert title["y"] >= header["y"] + header["height"]  # not under Streamlit's header bar
        for app, token in zip(phones, ("love", "love", "deep")):
            vote(app, expect, token)
        assert room_store.tally(room.code, 1) == {1: 2, 2: 1}
        vote(phones[2], expect, "love")  # a second vote replaces the first
        counts = room_store.tally(room.code, 1)
        assert counts == {1: 3} and sum(counts.values()) == 3
        phones[0].pg.screenshot(path=str(ARTIFACTS / "vote-phone-360x740.png"))

        room_store.reveal(room.code, room.token, 1, pick=1, model_p=0.97)
        for app in phones:
            expect(app.pg.get_by_text("Revealed: the pick was “love”")).to_be_visible()
            expect(app.button("love")).to_have_count(0)
        room_store.set_step(room.code, room.token, 2, ["I", "love"], SEED)
        for app in phones:
            wait_for_step(expect, app, "I love")
            expect(app.button("deep")).to_be_enabled()
        vote(phones[0], expect, "deep")
        assert room_store.tally(room.code, 2) == {2: 1}
        for app in phones:
            app.assert_healthy()


def test_tokens_are_shown_as_text_on_the_phone(browser, vote_server, expect):
    room = room_store.open_room("presenter-hostile", {"title": "**not bold** $x$", "level": "word"})
    room_store.set_step(room.code, room.token, 1, ["<b>", "$x$"], list(HOSTILE))
    with ExitStack() as stack:
        app = phone(stack, browser, vote_server, "hostile")
        app.open(f"/vote?room={room.code}")
        wait_for_step(expect, app, "<b> $x$")
        buttons = app.pg.get_by_test_id("stButton").locator("button")
        expect(buttons).to_have_count(len(HOSTILE))
        assert [t.strip() for t in buttons.all_inner_texts()] == [show_token(t) for t in HOSTILE]
        expect(app.pg.get_by_text("Room " + room_store.show_code(room.code) + " · **not bold** $x$")).to_be_visible()
        expect(app.pg.locator("[data-testid=stMain] b, [data-testid=stMain] .katex")).to_have_count(0)
        many = list(HOSTILE) + [f"w{i}" for i in range(10)]  # past 12 tokens: a searchable list
        room_store.set_step(room.code, room.token, 2, ["<b>", "$x$", "&"], many)
        wait_for_step(expect, app, "<b> $x$ &")
        app.pg.get_by_test_id("stSelectbox").get_by_role("combobox").click()
        options = app.pg.get_by_role("option")
        expect(options).to_have_count(len(many))
        assert [t.strip() for t in options.all_inner_texts()] == [show_token(t) for t in many]
        options.nth(1).click()
        app.click(app.button("Vote"), until=lambda: expect(app.pg.get_by_test_id("stAlertContentSuccess"))
                  .to_contain_text("Your vote: “$x$”"))
        assert room_store.tally(room.code, 2) == {1: 1}


def test_step_through_opens_a_room_counts_phones_on_another_server_and_shows_the_class_beside_y(
        browser, vote_server, expect):
    """The presenter's Step-Through in guess mode (presenter mode, 1280x720) runs in one server
    process and the phones vote through another, as with replicas sharing the data folder: the
    count sees every vote, nothing about them shows before the reveal, the reveal shows the class
    beside y_1, the phones follow the presenter's next step (sent by the browser, stepping on its
    own), and a reloaded presenter tab takes its room back (the token lives in a cookie)."""
    presenter = StreamlitServer().start()
    try:
        with ExitStack() as stack:
            desk = stack.enter_context(sized_app(browser, presenter.url, 1280, 720, "presenter"))
            code = open_room(desk, "/step-through?guess=1&rule=greedy&big=1")
            qr = desk.pg.get_by_role("img", name="QR code")
            qr.scroll_into_view_if_needed()
            qr_box = qr.bounding_box()
            assert qr_box["width"] >= 300 and qr_box["height"] <= 720  # scannable from the back of a room
            desk.pg.screenshot(path=str(ARTIFACTS / "room-panel-1280x720-big.png"))
            phones = [phone(stack, browser, vote_server, f"student-{i}") for i in range(3)]
            for app, token in zip(phones, ("love", "love", "deep")):
                app.open(f"/vote?room={code}")
                wait_for_step(expect, app, "I")
                vote(app, expect, token)
            desk.pg.evaluate("document.querySelector('[data-testid=stMain]').scrollTop = 0")
            count = desk.pg.locator(".st-key-step_votes")
            expect(count).to_contain_text("3 votes for step 1")
            expect(count).to_be_in_viewport()
            expect(desk.pg.locator(".rw-class")).to_be_hidden()  # nothing about the votes before the reveal
            assert desk.pg.locator(".rw-class").text_content() == ""
            desk.pg.locator(".rw-guess-button", has_text=re.compile("^love$")).click()
            desk.pg.keyboard.press("PageDown")  # the reveal
            expect(desk.pg.locator(".rw-class")).to_have_text(re.compile(
                r"^Class: 3 votes: “love” 2 \(67%\), “deep” 1 \(33%\) · the pick “love”: 2 · score \(1 step\): "
                r"class -?\d\.\d\d \(0\.\d\d\), model -?\d\.\d\d"))
            markers = desk.pg.locator(".rw-dist .trace.scatter .point")
            expect(markers).to_have_count(5)  # the class's share of each token, beside y_1's bars
            expect(desk.pg.locator(".rw-class")).to_be_in_viewport()  # beside y_1, on the first screen
            desk.pg.screenshot(path=str(ARTIFACTS / "room-reveal-1280x720-big.png"))
            for app in phones:
                expect(app.pg.get_by_text("Revealed: the pick was “love”")).to_be_visible()
            desk.pg.keyboard.press("PageDown")  # step 2, waiting for its guess: the phones follow
            for app in phones:
                wait_for_step(expect, app, "I love")
            assert room_store.view(code).current.step == 2
            desk.pg.reload()
            desk.settle(desk.button(f"Take back room {room_store.show_code(code)}"))
            desk.click(desk.button(f"Take back room {room_store.show_code(code)}"),
                       until=desk.pg.get_by_role("img", name="QR code"))
            expect(desk.pg.get_by_text(f"Room {room_store.show_code(code)}", exact=True)).to_be_visible()
            desk.assert_healthy()
    finally:
        presenter.stop()


def test_a_vote_link_is_the_first_request_of_a_fresh_server(browser, data_folder, fresh_server, expect):
    room = room_store.open_room("presenter-fresh", {"title": "seed model", "level": "word"})
    room_store.set_step(room.code, room.token, 1, ["I"], SEED)
    with ExitStack() as stack:
        app = phone(stack, browser, fresh_server, "fresh")
        app.open(f"/vote?room={room.code}")
        wait_for_step(expect, app, "I")
        vote(app, expect, "</s>")
        assert room_store.tally(room.code, 1) == {4: 1}
        app.assert_healthy()
        app.open("/")
        assert "Vote" not in app.nav_titles()
