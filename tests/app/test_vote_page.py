"""The vote page under AppTest: joining by link or typed code, voting and changing a vote, and
every refusal a student can meet (bad or unknown code, ended room, step not open, unknown token,
a revealed step, too many wrong codes)."""

from __future__ import annotations

import pytest

from tests.app.conftest import open_app_page, shown
from ui.room import store as room_store

SEED = ["I", "love", "deep", "learning", "</s>"]
PAGE = "pages/vote.py"


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_LAB_DATA", str(tmp_path))


@pytest.fixture
def room() -> room_store.Room:
    room = room_store.open_room("presenter", {"title": "seed model", "level": "word"})
    room_store.set_step(room.code, room.token, 1, ["I"], SEED)
    return room


def errors(at) -> list[str]:
    return [shown(e.value) for e in at.error]


def voter(at) -> str:
    return at.session_state["vote_voter"]


def test_a_link_shows_the_step_and_a_button_per_token(room):
    at = open_app_page(PAGE, query={"room": room.code})
    assert [shown(b.label) for b in at.button] == SEED
    assert any(shown(m.value) == "I" for m in at.markdown)
    assert errors(at) == []


def test_a_vote_is_stored_and_can_be_changed_until_the_reveal(room):
    at = open_app_page(PAGE, query={"room": room.code})
    at.button(key="vote_1_1").click().run()
    assert room_store.tally(room.code, 1) == {1: 1}
    assert "Your vote: “love”" in shown(at.success[0].value)
    at.button(key="vote_1_2").click().run()
    assert room_store.tally(room.code, 1) == {2: 1}
    assert room_store.my_vote(room.code, voter(at), 1) == 2


def test_a_malformed_code_is_refused_and_the_join_form_shown():
    at = open_app_page(PAGE, query={"room": "not-a-code!"})
    assert errors(at) == [room_store.MESSAGES["code"]]
    assert at.text_input[0].label == "Room code"
    assert "room" not in at.query_params


def test_an_unknown_code_is_refused():
    at = open_app_page(PAGE, query={"room": "ZZZZ-ZZZZ"})
    assert errors(at) == [room_store.MESSAGES["unknown"]]


def test_an_expired_room_says_it_has_ended(room, monkeypatch):
    later = room_store.clock() + room_store.room_hours() * 3600 + 1
    monkeypatch.setattr(room_store, "clock", lambda: later)
    at = open_app_page(PAGE, query={"room": room.code})
    assert errors(at) == [room_store.MESSAGES["ended"]]
    assert not [b for b in at.button if b.key and b.key.startswith("vote_1_")]


def test_a_vote_for_a_step_no_longer_on_screen_is_refused(room):
    at = open_app_page(PAGE, query={"room": room.code})
    room_store.set_step(room.code, room.token, 2, ["I", "love"], SEED)  # the presenter moved on meanwhile
    at.button(key="vote_1_1").click().run()
    assert room_store.tally(room.code, 1) == {} and room_store.tally(room.code, 2) == {}
    assert errors(at) == [room_store.MESSAGES["step"]]
    assert any(shown(m.value) == "I love" for m in at.markdown)  # and the page shows step 2


def test_a_vote_for_a_token_the_step_no_longer_offers_is_refused(room):
    at = open_app_page(PAGE, query={"room": room.code})
    room_store.set_step(room.code, room.token, 1, ["I"], ["I", "love", "</s>"])  # another model, same step
    at.button(key="vote_1_4").click().run()
    assert room_store.tally(room.code, 1) == {}
    assert errors(at) == [room_store.MESSAGES["token"]]
    assert [shown(b.label) for b in at.button] == ["I", "love", "</s>"]


def test_a_vote_after_the_reveal_is_refused_and_the_pick_shown(room):
    at = open_app_page(PAGE, query={"room": room.code})
    room_store.reveal(room.code, room.token, 1, pick=1, model_p=0.9)
    at.button(key="vote_1_3").click().run()
    assert room_store.tally(room.code, 1) == {}
    assert errors(at) == [room_store.MESSAGES["revealed"]]
    assert "the pick was “love”" in shown(at.info[0].value)


def test_a_typed_code_joins_and_five_wrong_ones_lock_the_form_for_a_minute(room):
    at = open_app_page(PAGE)
    for _ in range(5):
        at.text_input[0].input("AAAA-AAAA")
        at.button[0].click().run()
        assert errors(at) == [room_store.MESSAGES["unknown"]]
    at.text_input[0].input(room.code.lower())
    at.button[0].click().run()
    assert errors(at)[0].startswith("Too many wrong codes")
    assert "room" not in at.query_params


def test_a_typed_code_opens_the_room(room):
    at = open_app_page(PAGE)
    at.text_input[0].input(room_store.show_code(room.code).lower())
    at.button[0].click().run()
    assert at.query_params["room"] == room.code
    assert [shown(b.label) for b in at.button] == SEED


def test_a_large_vocabulary_votes_through_a_searchable_list(room):
    vocab = [f"w{i}" for i in range(30)]
    room_store.set_step(room.code, room.token, 2, ["I", "w3"], vocab)
    at = open_app_page(PAGE, query={"room": room.code})
    at.selectbox(key="vote_find_2").select(7).run()
    at.button[0].click().run()
    assert room_store.tally(room.code, 2) == {7: 1}


def test_the_voter_id_is_kept_in_the_link(room):
    at = open_app_page(PAGE, query={"room": room.code, "me": "0123456789abcdef"})
    assert voter(at) == "0123456789abcdef"
    assert at.query_params["me"] == "0123456789abcdef"
