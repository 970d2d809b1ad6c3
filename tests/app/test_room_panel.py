"""The presenter's room panel under AppTest: open a room (code, QR, link), follow the walk, the
count before the reveal and the class's votes and score after it, a second presenter refused,
closing."""

from __future__ import annotations

import math

import pytest
from streamlit.testing.v1 import AppTest

from tests.app.conftest import shown
from ui.room import store as room_store

SCRIPT = """
import streamlit as st
from ui.room import panel as room_panel

SEED = ["I", "love", "deep", "learning", "</s>"]
room = room_panel.room_panel({"title": "seed", "level": "word"})
plan = st.session_state.get("plan")  # (step, context, revealed, pick, p), set by the test
if room is not None and plan:
    step, context, revealed, pick, p = plan
    room_panel.follow(step, context, SEED, revealed, pick, p)
    summary = room_panel.reveal_summary(step)
    st.session_state["summary"] = summary
    if summary:
        room_panel.draw_reveal(summary)
"""


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_LAB_DATA", str(tmp_path))
    monkeypatch.setenv("RNN_LAB_PUBLIC_URL", "http://192.168.1.20:8501")


def opened() -> AppTest:
    at = AppTest.from_string(SCRIPT, default_timeout=30).run()
    at.button(key="room_open_button").click().run()
    assert not at.exception, at.exception
    return at


def room_of(at) -> room_store.Room:
    return at.session_state["room_open"]


def three_votes_on_step_1() -> tuple[AppTest, room_store.Room]:
    """An open room at step 1 (feed "I", not revealed) with three votes: love, love, deep."""
    at = opened()
    room = room_of(at)
    at.session_state["plan"] = (1, ["I"], False, None, None)
    at.run()
    for voter, token in (("a", 1), ("b", 1), ("c", 2)):
        room_store.vote(room.code, voter, 1, token)
    return at, room


def test_opening_a_room_shows_its_code_qr_and_link():
    at = opened()
    room = room_of(at)
    assert any(f"Room {room_store.show_code(room.code)}</div>" in m.value for m in at.markdown)
    assert any("<svg" in m.value and 'aria-label="QR code"' in m.value for m in at.markdown)
    assert at.code[0].value == f"http://192.168.1.20:8501/vote?room={room.code}"
    assert room_store.view(room.code).walk == {"title": "seed", "level": "word"}


def test_before_the_reveal_only_the_number_of_votes_is_shown():
    at, room = three_votes_on_step_1()
    at.run()
    text = " ".join(shown(m.value) for m in at.markdown)
    assert "**3 votes** for step 1" in text
    assert "love" not in text and "deep" not in text
    assert at.session_state["summary"] is None


def test_after_the_reveal_the_class_distribution_and_score_by_hand():
    """Votes: love, love, deep; the pick 'love' had p = 0.5 under the model. The class's share of
    it with one vote spread over V = 5 tokens: (2 + 1/5) / (3 + 1) = 0.55."""
    at, room = three_votes_on_step_1()
    at.session_state["plan"] = (1, ["I"], True, 1, 0.5)
    at.run()
    s = at.session_state["summary"]
    assert (s["votes"], s["pick"], s["pick_votes"]) == (3, "love", 2)
    assert [(r["token"], r["votes"]) for r in s["rows"]] == [("love", 2), ("deep", 1)]
    assert [r["share"] for r in s["rows"]] == pytest.approx([2 / 3, 1 / 3])
    assert s["score"]["steps"] == 1
    assert s["score"]["class_mean"] == pytest.approx(math.log(0.55))
    assert s["score"]["model_mean"] == pytest.approx(math.log(0.5))
    text = " ".join(shown(m.value) for m in at.markdown)
    assert "**The class: 3 votes** · **2** for the pick “love”" in text
    assert "| love | 2 | 67% |" in text and "| deep | 1 | 33% |" in text


def test_a_second_presenter_cannot_drive_someone_elses_room():
    owner = opened()
    room = room_of(owner)
    owner.session_state["plan"] = (1, ["I"], False, None, None)
    owner.run()
    other = AppTest.from_string(SCRIPT, default_timeout=30)
    other.session_state["room_open"] = room_store.Room(room.code, "a guessed token")
    other.session_state["plan"] = (2, ["I", "love"], True, 2, 0.5)
    other.run()
    refusal = f"Room {room_store.show_code(room.code)}: {room_store.MESSAGES['presenter']}"
    assert [shown(e.value) for e in other.error] == [refusal]
    assert room_store.view(room.code).current.step == 1 and not room_store.view(room.code).current.revealed


def test_closing_ends_the_room():
    at = opened()
    room = room_of(at)
    at.button(key="room_close").click().run()
    assert room_of(at) is None
    with pytest.raises(room_store.RoomError):
        room_store.version(room.code)
    assert at.button(key="room_open_button")
