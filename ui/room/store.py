"""Rooms and their votes, shared by every session and every replica: one SQLite file.

A presenter opens a room for a walk and gets its code (for the class) and a secret token (for
the presenter only: every change to the room needs it, so nobody else can move or close it).
The presenter tells the room which step is on screen (``set_step``: the context so far and the
tokens to vote for); students vote for one token of the open step, and may change their vote
until the presenter reveals the step (``reveal``: voting closes, the pick and the model's p of it
are kept for the class's score).

Storage: ``data_dir() / "rooms.sqlite3"`` in WAL mode with a busy timeout, every write in one
``BEGIN IMMEDIATE`` transaction, a connection per call (Streamlit runs each script run in its own
thread; several replicas share the file). A room ends when it is closed or ``room_hours()`` after
it was opened; its walk, steps and votes are deleted then, and a stub (code and end time) is kept
a day so that a late student is told "this room has ended" rather than "no such room".

Refusals raise ``RoomError`` with a ``reason`` the pages turn into a message.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import secrets
import sqlite3
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass

from ui.common.datadir import data_dir

DB_NAME = "rooms.sqlite3"
HOURS_ENV, DEFAULT_HOURS = "RNN_LAB_ROOM_HOURS", 4.0
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"  # Crockford's base 32: no I, L, O, U
CODE_LEN = 8  # 32**8 = 1.1e12 codes
STUB_SECONDS = 24 * 3600  # how long an ended room's code still says "ended"
BUSY_SECONDS = 10.0  # how long a write waits for another process's transaction
MAX_LIVE_ROOMS = 500
MAX_TEXT = 1_000_000  # characters of a step's context + vocabulary as JSON (20,000 tokens of 50 characters)
MAX_WALK = 20_000  # characters of the walk's JSON
clock = time.time  # wall-clock seconds, the same in every process (tests replace it)

SCHEMA = """
CREATE TABLE IF NOT EXISTS rooms (
  code TEXT PRIMARY KEY, token_hash TEXT NOT NULL, presenter TEXT NOT NULL, walk TEXT NOT NULL,
  opened REAL NOT NULL, expires REAL NOT NULL, ended REAL, step INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 0);
CREATE INDEX IF NOT EXISTS rooms_expires ON rooms (expires);
CREATE TABLE IF NOT EXISTS steps (
  code TEXT NOT NULL, step INTEGER NOT NULL, question TEXT NOT NULL, context TEXT NOT NULL,
  vocab TEXT NOT NULL, n_vocab INTEGER NOT NULL, revealed INTEGER NOT NULL, pick INTEGER, model_p REAL,
  PRIMARY KEY (code, step));
CREATE TABLE IF NOT EXISTS votes (
  code TEXT NOT NULL, step INTEGER NOT NULL, voter TEXT NOT NULL, token INTEGER NOT NULL,
  PRIMARY KEY (code, step, voter));
"""

MESSAGES = {
    "code": "That is not a room code: a code is 8 letters and digits, like K7QM-2XPD.",
    "unknown": "There is no room with this code. Check the code on the screen.",
    "ended": "This room has ended.",
    "presenter": "This room belongs to another presenter.",
    "full": "Too many rooms are open on this server; try again later.",
    "step": "Voting for this step is not open.",
    "revealed": "This step has been revealed: voting is closed.",
    "token": "That token is not one of this step's choices.",
    "voter": "This vote has no valid voter.",
    "input": "The presenter's step is not valid.",
}


class RoomError(Exception):
    """A refused room operation; ``reason`` is a key of ``MESSAGES``, ``str(e)`` the message."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(MESSAGES[reason] + (f" ({detail})" if detail else ""))
        self.reason = reason


@dataclass(frozen=True)
class Room:
    """A room as its presenter holds it: the code for the class, the token that proves ownership."""

    code: str
    token: str


@dataclass(frozen=True)
class Step:
    """The step a room is on, as a voter sees it (step 0: the presenter has not shown one yet)."""

    step: int
    context: tuple[str, ...]  # the tokens so far
    vocab: tuple[str, ...]  # the choices, by token id
    revealed: bool
    pick: int | None  # token id, once revealed with a pick


@dataclass(frozen=True)
class RoomView:
    """What a voter's page needs: the walk's description, the current step, the version (bumped
    on every change the presenter makes, so a page can poll it cheaply) and when the room ends."""

    code: str
    walk: dict
    version: int
    expires: float
    current: Step


# ---------------------------------------------------------------- codes


def new_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LEN))


def normalize_code(text: str) -> str:
    """The code a person typed, as stored: case, spaces and dashes ignored, O read as 0 and I, L
    as 1 (Crockford); RoomError("code") if it cannot be a code."""
    code = "".join(str(text).split()).replace("-", "").upper().translate(str.maketrans("OIL", "011"))
    if len(code) != CODE_LEN or any(c not in ALPHABET for c in code):
        raise RoomError("code")
    return code


def show_code(code: str) -> str:
    """A code as people read it: two groups of four (K7QM-2XPD)."""
    half = len(code) // 2
    return f"{code[:half]}-{code[half:]}"


def room_hours() -> float:
    """How long a room lives: ``RNN_LAB_ROOM_HOURS`` (hours, > 0) or 4."""
    try:
        hours = float(os.environ.get(HOURS_ENV, DEFAULT_HOURS))
    except ValueError:
        return DEFAULT_HOURS
    return hours if 0 < hours < 24 * 7 else DEFAULT_HOURS


class WrongCodes:
    """A voter session's budget of wrong codes: at most ``limit`` in any ``window`` seconds.
    With 8-character codes and a few rooms open, guessing one at this rate takes centuries."""

    def __init__(self, limit: int = 5, window: float = 60.0) -> None:
        self.limit, self.window, self.times = limit, window, []

    def blocked_for(self) -> float:
        """Seconds until another try is allowed (0: allowed now)."""
        now = clock()
        self.times = [t for t in self.times if now - t < self.window]
        return 0.0 if len(self.times) < self.limit else self.window - (now - self.times[0])

    def count(self) -> None:
        self.times.append(clock())


# ---------------------------------------------------------------- the database


def db_path():
    return data_dir() / DB_NAME


_ready: set[str] = set()  # database files this process has created the schema in


@contextmanager
def _db(write: bool):
    """A connection to the rooms database, inside one transaction (``write``: taken at once, so
    a read-then-write never interleaves with another process's)."""
    path = str(db_path())
    with closing(sqlite3.connect(path, timeout=BUSY_SECONDS, isolation_level=None)) as db:
        if path not in _ready:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            _ready.add(path)
        db.execute("PRAGMA synchronous=NORMAL")  # WAL: a power cut may lose the last votes, never corrupt
        db.execute("BEGIN IMMEDIATE" if write else "BEGIN")
        try:
            yield db
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _live(db, code: str, now: float, write: bool = False) -> tuple:
    """The room's row (token_hash, presenter, walk, expires, step, version); RoomError if it does
    not exist or has ended. Inside a write, an expired room's data is deleted on first sight."""
    row = db.execute("SELECT token_hash, presenter, walk, expires, ended, step, version FROM rooms WHERE code = ?",
                     (code,)).fetchone()
    if row is None:
        raise RoomError("unknown")
    if row[4] is not None:
        raise RoomError("ended")
    if row[3] <= now:
        if write:
            _end(db, code, now)
            db.execute("COMMIT")  # the deletion stands although the call is refused
            db.execute("BEGIN IMMEDIATE")
        raise RoomError("ended")
    return row[:4] + row[5:]


def _owned(db, code: str, token: str, now: float) -> tuple:
    row = _live(db, code, now, write=True)
    if not secrets.compare_digest(row[0], _hash(str(token))):
        raise RoomError("presenter")
    return row


def _end(db, code: str, now: float) -> None:
    """Delete a room's walk, steps and votes; keep its code as a stub that says it ended."""
    db.execute("DELETE FROM votes WHERE code = ?", (code,))
    db.execute("DELETE FROM steps WHERE code = ?", (code,))
    db.execute("UPDATE rooms SET ended = ?, walk = '{}', version = version + 1 WHERE code = ?", (now, code))


def _sweep(db, now: float) -> None:
    """End every expired room; forget stubs older than a day."""
    for (code,) in db.execute("SELECT code FROM rooms WHERE ended IS NULL AND expires <= ?", (now,)).fetchall():
        _end(db, code, now)
    db.execute("DELETE FROM rooms WHERE ended IS NOT NULL AND ended < ?", (now - STUB_SECONDS,))


def _json(value, limit: int) -> str:
    try:
        text = json.dumps(value, ensure_ascii=False)
    except (TypeError, ValueError) as e:
        raise RoomError("input", f"not plain data: {e}") from None
    if len(text) > limit:
        raise RoomError("input", f"more than {limit:,} characters")
    return text


def _tokens(tokens) -> list[str]:
    tokens = list(tokens)
    if not all(isinstance(t, str) for t in tokens):
        raise RoomError("input", "tokens must be strings")
    return tokens


def _ident(value, reason: str) -> str:
    """A presenter's or voter's id: a non-empty string of at most 64 characters."""
    if not isinstance(value, str) or not 0 < len(value) <= 64:
        raise RoomError(reason)
    return value


def _int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


# ---------------------------------------------------------------- the presenter


def open_room(presenter_id: str, walk: dict) -> Room:
    """A new room following ``walk`` (plain JSON data the vote page reads: ``title``, a line that
    names the model, and ``level``, "word" or "char", how the context is joined). One room per
    presenter: ``presenter_id``'s earlier rooms end. RoomError("full") past MAX_LIVE_ROOMS."""
    presenter, walk_json = _ident(presenter_id, "input"), _json(dict(walk), MAX_WALK)
    token, now = secrets.token_urlsafe(24), clock()
    with _db(write=True) as db:
        _sweep(db, now)
        for (old,) in db.execute("SELECT code FROM rooms WHERE presenter = ? AND ended IS NULL",
                                 (presenter,)).fetchall():
            _end(db, old, now)
        if db.execute("SELECT count(*) FROM rooms WHERE ended IS NULL").fetchone()[0] >= MAX_LIVE_ROOMS:
            raise RoomError("full")
        code = new_code()
        while db.execute("SELECT 1 FROM rooms WHERE code = ?", (code,)).fetchone():
            code = new_code()
        db.execute("INSERT INTO rooms (code, token_hash, presenter, walk, opened, expires) VALUES (?, ?, ?, ?, ?, ?)",
                   (code, _hash(token), presenter, walk_json, now, now + room_hours() * 3600))
    return Room(code, token)


def set_step(code: str, token: str, step: int, context_tokens, vocab_tokens, revealed: bool = False) -> None:
    """Put ``step`` (1-based) on the room's screens: the tokens so far (``context_tokens``, x_1 ..
    x_t) and the choices (``vocab_tokens``, token id = index). A step shown before with the same
    context and choices keeps its votes and its reveal (going back and forth changes nothing); with
    other ones (a fork, another model) it is a new question: its votes and every later step go.
    ``revealed``: the step is shown already revealed, so voting stays closed; a revealed step is
    never reopened."""
    context, vocab = _tokens(context_tokens), _tokens(vocab_tokens)
    if not _int(step) or step < 1 or not vocab:
        raise RoomError("input", "a step from 1 and at least one token to choose from")
    context_json, vocab_json = _json(context, MAX_TEXT), _json(vocab, MAX_TEXT)
    question = hashlib.sha256(f"{context_json}\0{vocab_json}".encode()).hexdigest()
    now = clock()
    with _db(write=True) as db:
        _sweep(db, now)
        current = _owned(db, code, token, now)[4]
        row = db.execute("SELECT question, revealed FROM steps WHERE code = ? AND step = ?", (code, step)).fetchone()
        changed = current != step
        if row is None or row[0] != question:
            if row is not None:
                db.execute("DELETE FROM votes WHERE code = ? AND step >= ?", (code, step))
                db.execute("DELETE FROM steps WHERE code = ? AND step >= ?", (code, step))
            db.execute("INSERT INTO steps (code, step, question, context, vocab, n_vocab, revealed) "
                       "VALUES (?, ?, ?, ?, ?, ?, ?)", (code, step, question, context_json, vocab_json, len(vocab),
                                                        int(bool(revealed))))
            changed = True
        elif revealed and not row[1]:
            db.execute("UPDATE steps SET revealed = 1 WHERE code = ? AND step = ?", (code, step))
            changed = True
        if changed:
            db.execute("UPDATE rooms SET step = ?, version = version + 1 WHERE code = ?", (step, code))


def reveal(code: str, token: str, step: int, pick: int | None = None, model_p: float | None = None) -> None:
    """Close voting on ``step`` (shown before with ``set_step``) and keep its pick (token id) and
    the probability the model gave that pick (0 < model_p <= 1) for ``class_score``. Revealing
    again (a forced token after the reveal) replaces the pick."""
    if pick is not None and (not _int(pick) or model_p is None or not 0 < float(model_p) <= 1):
        raise RoomError("input", "a pick needs the model's probability of it, in (0, 1]")
    now = clock()
    with _db(write=True) as db:
        _sweep(db, now)
        _owned(db, code, token, now)
        row = db.execute("SELECT n_vocab FROM steps WHERE code = ? AND step = ?", (code, step)).fetchone()
        if row is None:
            raise RoomError("step")
        if pick is not None and not 0 <= pick < row[0]:
            raise RoomError("token")
        db.execute("UPDATE steps SET revealed = 1, pick = ?, model_p = ? WHERE code = ? AND step = ?",
                   (pick, None if pick is None else float(model_p), code, step))
        db.execute("UPDATE rooms SET version = version + 1 WHERE code = ?", (code,))


def close_room(code: str, token: str) -> None:
    """End the room now: its walk, steps and votes are deleted."""
    now = clock()
    with _db(write=True) as db:
        _owned(db, code, token, now)
        _end(db, code, now)


# ---------------------------------------------------------------- the class


def vote(code: str, voter_id: str, step: int, token_id: int) -> None:
    """``voter_id``'s vote for token ``token_id`` at ``step``, replacing their earlier vote for
    it. Refused (RoomError) for an unknown or ended room, a step that is not the one on screen,
    a revealed step, a token id that is not one of the step's choices."""
    voter, now = _ident(voter_id, "voter"), clock()
    with _db(write=True) as db:
        if _live(db, code, now, write=True)[4] != step:
            raise RoomError("step")
        row = db.execute("SELECT n_vocab, revealed FROM steps WHERE code = ? AND step = ?", (code, step)).fetchone()
        if row is None:
            raise RoomError("step")
        if row[1]:
            raise RoomError("revealed")
        if not _int(token_id) or not 0 <= token_id < row[0]:
            raise RoomError("token")
        db.execute("INSERT INTO votes (code, step, voter, token) VALUES (?, ?, ?, ?) "
                   "ON CONFLICT (code, step, voter) DO UPDATE SET token = excluded.token",
                   (code, step, voter, token_id))


def version(code: str) -> int:
    """The room's version: it changes whenever the presenter changes what voters see (a poll
    reads only this). RoomError if the room is unknown or has ended."""
    with _db(write=False) as db:
        return _live(db, code, clock())[5]


def view(code: str) -> RoomView:
    """The room as a voter's page shows it. RoomError if unknown or ended."""
    with _db(write=False) as db:
        _, _, walk, expires, step, ver = _live(db, code, clock())
        current = _step_row(db, code, step)
    return RoomView(code, json.loads(walk), ver, expires, current or Step(0, (), (), False, None))


def _step_row(db, code: str, step: int) -> Step | None:
    row = db.execute("SELECT context, vocab, revealed, pick FROM steps WHERE code = ? AND step = ?",
                     (code, step)).fetchone()
    return None if row is None else Step(step, tuple(json.loads(row[0])), tuple(json.loads(row[1])), bool(row[2]),
                                         row[3])


def step_at(code: str, step: int) -> Step | None:
    """``step`` of the room as the presenter last showed it, or None if it was never shown."""
    with _db(write=False) as db:
        _live(db, code, clock())
        return _step_row(db, code, step)


def my_vote(code: str, voter_id: str, step: int) -> int | None:
    """The token id ``voter_id`` voted for at ``step``, or None."""
    with _db(write=False) as db:
        row = db.execute("SELECT token FROM votes WHERE code = ? AND step = ? AND voter = ?",
                         (code, step, voter_id)).fetchone()
    return None if row is None else row[0]


def vote_count(code: str, step: int) -> int:
    """How many voted at ``step`` (all a presenter may see before the reveal)."""
    with _db(write=False) as db:
        return db.execute("SELECT count(*) FROM votes WHERE code = ? AND step = ?", (code, step)).fetchone()[0]


def tally(code: str, step: int) -> dict[int, int]:
    """{token id: votes} at ``step``, tokens nobody voted for left out."""
    with _db(write=False) as db:
        rows = db.execute("SELECT token, count(*) FROM votes WHERE code = ? AND step = ? GROUP BY token",
                          (code, step)).fetchall()
    return dict(rows)


# ---------------------------------------------------------------- the class's score


@dataclass(frozen=True)
class StepScore:
    """One revealed step: how many voted, how many for the pick, and the log-probability (natural
    log) the class's vote distribution and the model gave the pick."""

    step: int
    votes: int
    pick_votes: int
    class_logp: float
    model_logp: float


@dataclass(frozen=True)
class ClassScore:
    """The class against the model over the revealed steps of the walk that had votes;
    ``silent``: revealed steps nobody voted on (left out of both averages)."""

    steps: tuple[StepScore, ...]
    silent: tuple[int, ...]

    @property
    def class_mean(self) -> float | None:
        return sum(s.class_logp for s in self.steps) / len(self.steps) if self.steps else None

    @property
    def model_mean(self) -> float | None:
        return sum(s.model_logp for s in self.steps) / len(self.steps) if self.steps else None


def class_share(pick_votes: int, votes: int, n_vocab: int) -> float:
    """The class's probability of the pick: its share of the votes, as if one more student had
    spread a vote evenly over all ``n_vocab`` tokens, so a pick nobody chose gets a small share
    rather than 0 (whose log is minus infinity): (pick_votes + 1/V) / (votes + 1)."""
    return (pick_votes + 1 / n_vocab) / (votes + 1)


def class_score(code: str) -> ClassScore:
    """The class's score on the walk the room is on: every revealed step with a pick whose context
    lies on the current step's path (a step of an abandoned fork does not count)."""
    with _db(write=False) as db:
        step = _live(db, code, clock())[4]
        rows = db.execute("SELECT step, context, n_vocab, pick, model_p FROM steps "
                          "WHERE code = ? AND revealed = 1 ORDER BY step", (code,)).fetchall()
        here = db.execute("SELECT context FROM steps WHERE code = ? AND step = ?", (code, step)).fetchone()
        counts = {(s, t): n for s, t, n in db.execute(
            "SELECT step, token, count(*) FROM votes WHERE code = ? GROUP BY step, token", (code,))}
    path = json.loads(here[0]) if here else []
    scored, silent = [], []
    for s, context, n_vocab, pick, model_p in rows:
        context = json.loads(context)
        if pick is None or context[:len(path)] != path[:len(context)]:
            continue
        votes = sum(n for (s2, _), n in counts.items() if s2 == s)
        if votes == 0:
            silent.append(s)
            continue
        pick_votes = counts.get((s, pick), 0)
        scored.append(StepScore(s, votes, pick_votes, math.log(class_share(pick_votes, votes, n_vocab)),
                                math.log(model_p)))
    return ClassScore(tuple(scored), tuple(silent))
