"""The rooms store: one vote per voter per step, refusals, ownership, expiry and deletion, the
class's score computed by hand, and several processes writing at once."""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from ui.room import store as room_store

SEED = ["I", "love", "deep", "learning", "</s>"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def data_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("RNN_LAB_DATA", str(tmp_path))
    return tmp_path


@pytest.fixture
def now(monkeypatch):
    """A clock the test moves: now["t"] seconds."""
    t = {"t": 1_000_000.0}
    monkeypatch.setattr(room_store, "clock", lambda: t["t"])
    return t


def room_at_step_1() -> room_store.Room:
    room = room_store.open_room("presenter-1", {"title": "seed", "level": "word"})
    room_store.set_step(room.code, room.token, 1, ["I"], SEED)
    return room


def refused(reason: str, call, *args) -> None:
    with pytest.raises(room_store.RoomError) as e:
        call(*args)
    assert e.value.reason == reason, str(e.value)


def rows(data_folder: Path, table: str, code: str) -> int:
    with sqlite3.connect(data_folder / room_store.DB_NAME) as db:
        return db.execute(f"SELECT count(*) FROM {table} WHERE code = ?", (code,)).fetchone()[0]


def test_each_voter_counts_once_per_step_and_a_changed_vote_replaces_the_first():
    room = room_at_step_1()
    for voter, token in (("ann", 1), ("bob", 1), ("cy", 2), ("cy", 1), ("dee", 4)):
        room_store.vote(room.code, voter, 1, token)
    assert room_store.tally(room.code, 1) == {1: 3, 4: 1}
    assert room_store.vote_count(room.code, 1) == 4
    assert room_store.my_vote(room.code, "cy", 1) == 1
    assert room_store.my_vote(room.code, "nobody", 1) is None


def test_votes_are_refused_after_the_reveal_and_the_tally_stays():
    room = room_at_step_1()
    room_store.vote(room.code, "ann", 1, 1)
    room_store.reveal(room.code, room.token, 1, pick=1, model_p=0.9)
    refused("revealed", room_store.vote, room.code, "ann", 1, 2)
    refused("revealed", room_store.vote, room.code, "new", 1, 2)
    assert room_store.tally(room.code, 1) == {1: 1}


@pytest.mark.parametrize("token", [-1, 5, 1.0, True, "1", None])
def test_a_token_that_is_not_a_choice_is_refused(token):
    room = room_at_step_1()
    refused("token", room_store.vote, room.code, "ann", 1, token)
    assert room_store.vote_count(room.code, 1) == 0


def test_only_the_step_on_screen_takes_votes():
    room = room_at_step_1()
    refused("step", room_store.vote, room.code, "ann", 2, 1)
    refused("step", room_store.vote, room.code, "ann", 0, 1)
    room_store.set_step(room.code, room.token, 2, ["I", "love"], SEED)
    refused("step", room_store.vote, room.code, "ann", 1, 1)  # the presenter moved on
    room_store.vote(room.code, "ann", 2, 2)
    assert room_store.tally(room.code, 2) == {2: 1}


def test_a_room_with_no_step_yet_takes_no_votes():
    room = room_store.open_room("presenter-1", {})
    refused("step", room_store.vote, room.code, "ann", 0, 0)
    assert room_store.view(room.code).current.step == 0


def test_unknown_codes_and_bad_voters_are_refused():
    room = room_at_step_1()
    refused("unknown", room_store.vote, "ZZZZZZZZ", "ann", 1, 1)
    refused("unknown", room_store.view, "ZZZZZZZZ")
    refused("voter", room_store.vote, room.code, "", 1, 1)
    refused("voter", room_store.vote, room.code, "x" * 65, 1, 1)


def test_a_second_presenter_can_neither_move_reveal_nor_close_the_room():
    room = room_at_step_1()
    other = room_store.open_room("presenter-2", {})
    for token in (other.token, "", room.token + "x"):
        refused("presenter", room_store.set_step, room.code, token, 2, ["I", "love"], SEED)
        refused("presenter", room_store.reveal, room.code, token, 1, 1, 0.5)
        refused("presenter", room_store.close_room, room.code, token)
    seen = room_store.view(room.code)
    assert (seen.current.step, seen.current.revealed) == (1, False)


def test_codes_are_distinct_and_from_the_unambiguous_alphabet():
    codes = {room_store.open_room(f"p{i}", {}).code for i in range(50)}
    assert len(codes) == 50
    assert all(len(c) == 8 and set(c) <= set("0123456789ABCDEFGHJKMNPQRSTVWXYZ") for c in codes)


def test_a_typed_code_is_read_like_crockford_base32():
    assert room_store.normalize_code(" k7qm-2xpd ") == "K7QM2XPD"
    assert room_store.normalize_code("o1il 0000") == "0111" + "0000"
    for bad in ("K7QM2XP", "K7QM2XPDD", "K7QM2XP!", "K7QM2XPU", ""):
        refused("code", room_store.normalize_code, bad)
    assert room_store.show_code("K7QM2XPD") == "K7QM-2XPD"


def test_a_presenter_has_one_room_at_a_time():
    first = room_store.open_room("presenter-1", {})
    second = room_store.open_room("presenter-1", {})
    refused("ended", room_store.view, first.code)
    assert room_store.view(second.code).current.step == 0


def test_a_room_ends_after_its_hours_and_its_data_is_deleted(now, monkeypatch, data_folder):
    monkeypatch.setenv("RNN_LAB_ROOM_HOURS", "2")
    room = room_at_step_1()
    room_store.vote(room.code, "ann", 1, 1)
    now["t"] += 2 * 3600 - 1
    room_store.vote(room.code, "bob", 1, 1)
    now["t"] += 1
    refused("ended", room_store.vote, room.code, "cy", 1, 1)
    refused("ended", room_store.view, room.code)
    refused("ended", room_store.set_step, room.code, room.token, 2, ["I", "love"], SEED)
    assert (rows(data_folder, "votes", room.code), rows(data_folder, "steps", room.code)) == (0, 0)


def test_an_expired_room_nobody_touches_is_deleted_when_another_room_opens(now, data_folder):
    room = room_at_step_1()
    room_store.vote(room.code, "ann", 1, 1)
    now["t"] += room_store.DEFAULT_HOURS * 3600
    room_store.open_room("presenter-2", {})
    assert (rows(data_folder, "votes", room.code), rows(data_folder, "steps", room.code)) == (0, 0)


def test_closing_deletes_the_rooms_data_and_its_code_says_ended_for_a_day(now, data_folder):
    room = room_at_step_1()
    room_store.vote(room.code, "ann", 1, 1)
    room_store.close_room(room.code, room.token)
    assert (rows(data_folder, "votes", room.code), rows(data_folder, "steps", room.code)) == (0, 0)
    refused("ended", room_store.vote, room.code, "bob", 1, 1)
    now["t"] += room_store.STUB_SECONDS + 1
    room_store.open_room("presenter-2", {})
    refused("unknown", room_store.view, room.code)


def test_going_back_and_forth_keeps_a_steps_votes_but_a_fork_starts_it_afresh():
    room = room_at_step_1()
    room_store.set_step(room.code, room.token, 2, ["I", "love"], SEED)
    room_store.vote(room.code, "ann", 2, 2)
    room_store.set_step(room.code, room.token, 3, ["I", "love", "deep"], SEED)
    room_store.vote(room.code, "ann", 3, 3)
    room_store.set_step(room.code, room.token, 2, ["I", "love"], SEED)  # Previous
    assert room_store.tally(room.code, 2) == {2: 1} and room_store.tally(room.code, 3) == {3: 1}
    room_store.set_step(room.code, room.token, 2, ["I", "deep"], SEED)  # a forced token at step 1
    assert room_store.tally(room.code, 2) == {} and room_store.tally(room.code, 3) == {}


def test_a_revealed_step_is_never_reopened():
    room = room_at_step_1()
    room_store.set_step(room.code, room.token, 1, ["I"], SEED, revealed=True)
    room_store.set_step(room.code, room.token, 1, ["I"], SEED, revealed=False)
    assert room_store.view(room.code).current.revealed
    refused("revealed", room_store.vote, room.code, "ann", 1, 1)


def test_the_version_moves_with_what_voters_see_and_not_with_votes():
    room = room_store.open_room("presenter-1", {})
    v0 = room_store.version(room.code)
    room_store.set_step(room.code, room.token, 1, ["I"], SEED)
    v1 = room_store.version(room.code)
    room_store.vote(room.code, "ann", 1, 1)
    room_store.set_step(room.code, room.token, 1, ["I"], SEED)  # the same step again: nothing new to see
    assert room_store.version(room.code) == v1 > v0
    room_store.reveal(room.code, room.token, 1, 1, 0.5)
    assert room_store.version(room.code) > v1


def test_reveal_checks_the_pick_and_its_probability():
    room = room_at_step_1()
    refused("input", room_store.reveal, room.code, room.token, 1, 1, None)
    refused("input", room_store.reveal, room.code, room.token, 1, 1, 0.0)
    refused("input", room_store.reveal, room.code, room.token, 1, 1, 1.5)
    refused("token", room_store.reveal, room.code, room.token, 1, 5, 0.5)
    refused("step", room_store.reveal, room.code, room.token, 2, 1, 0.5)


def test_the_class_score_by_hand():
    """Step 1: 3 of 4 voted the pick 'love', the model gave it 0.5: the class's share with one
    vote spread over V = 5 tokens is (3 + 1/5) / (4 + 1) = 0.64. Step 2: nobody voted the pick
    'deep' (2 voters), the model gave it 0.25: (0 + 1/5) / 3. Step 3: no votes: left out."""
    room = room_at_step_1()
    for voter, token in (("a", 1), ("b", 1), ("c", 1), ("d", 4)):
        room_store.vote(room.code, voter, 1, token)
    room_store.reveal(room.code, room.token, 1, pick=1, model_p=0.5)
    room_store.set_step(room.code, room.token, 2, ["I", "love"], SEED)
    room_store.vote(room.code, "a", 2, 3)
    room_store.vote(room.code, "b", 2, 4)
    room_store.reveal(room.code, room.token, 2, pick=2, model_p=0.25)
    room_store.set_step(room.code, room.token, 3, ["I", "love", "deep"], SEED)
    room_store.reveal(room.code, room.token, 3, pick=3, model_p=0.8)
    score = room_store.class_score(room.code)
    assert [(s.step, s.votes, s.pick_votes) for s in score.steps] == [(1, 4, 3), (2, 2, 0)]
    assert score.silent == (3,)
    assert score.steps[0].class_logp == pytest.approx(math.log(0.64))
    assert score.steps[1].class_logp == pytest.approx(math.log(0.2 / 3))
    assert score.class_mean == pytest.approx((math.log(0.64) + math.log(0.2 / 3)) / 2)
    assert score.model_mean == pytest.approx((math.log(0.5) + math.log(0.25)) / 2)


def test_the_score_leaves_out_the_steps_of_an_abandoned_fork():
    room = room_at_step_1()
    room_store.vote(room.code, "a", 1, 1)
    room_store.reveal(room.code, room.token, 1, pick=1, model_p=0.5)
    room_store.set_step(room.code, room.token, 2, ["I", "love"], SEED)
    room_store.vote(room.code, "a", 2, 2)
    room_store.reveal(room.code, room.token, 2, pick=2, model_p=0.5)
    room_store.set_step(room.code, room.token, 1, ["I"], SEED)  # back to step 1: step 2 is still ahead on the path
    assert [s.step for s in room_store.class_score(room.code).steps] == [1, 2]
    room_store.reveal(room.code, room.token, 1, pick=4, model_p=0.1)  # a forced </s>: step 2 never came
    room_store.set_step(room.code, room.token, 2, ["I", "</s>"], SEED)
    assert [s.step for s in room_store.class_score(room.code).steps] == [1]


def test_the_wrong_code_budget_allows_five_a_minute(now):
    gate = room_store.WrongCodes(limit=5, window=60)
    for _ in range(5):
        assert gate.blocked_for() == 0
        gate.count()
    assert gate.blocked_for() == pytest.approx(60)
    now["t"] += 30
    assert gate.blocked_for() == pytest.approx(30)
    now["t"] += 30
    assert gate.blocked_for() == 0


def test_threads_voting_at_once_lose_no_vote():
    room = room_at_step_1()
    errors = []

    def cast(who: int) -> None:
        try:
            for i in range(25):
                room_store.vote(room.code, f"t{who}-{i}", 1, i % 5)
        except Exception as e:  # a lost vote must fail the test, whatever raised
            errors.append(e)

    threads = [threading.Thread(target=cast, args=(w,)) for w in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert room_store.vote_count(room.code, 1) == 200


VOTER_SCRIPT = """
import sys, time
from pathlib import Path
from ui.room import store as room_store
code, name, go = sys.argv[1], sys.argv[2], Path(sys.argv[3])
while not go.exists():
    time.sleep(0.005)
for i in range(150):
    room_store.vote(code, f"{name}-{i}", 1, i % 5)
    room_store.vote(code, f"{name}-{i}", 1, (i + 1) % 5)  # changed at once
"""


def test_two_processes_voting_at_once_lose_no_vote(data_folder):
    room = room_at_step_1()
    go = data_folder / "go"
    procs = [subprocess.Popen([sys.executable, "-c", VOTER_SCRIPT, room.code, name, str(go)], cwd=ROOT,
                              stderr=subprocess.PIPE, text=True) for name in ("p", "q")]
    go.touch()
    for p in procs:
        assert p.wait(timeout=120) == 0, p.stderr.read()
    assert room_store.vote_count(room.code, 1) == 300
    assert room_store.tally(room.code, 1) == {k: 60 for k in range(5)}
