"""The presenter's side of a room, for Step-Through's guess mode: open and close a room, show its
code and QR code large enough to scan from the back of a room, follow the walk, and after each
reveal the class's votes and its score against the model.

Step-Through calls, on every run:
- ``room_panel(walk)``: the open/close buttons and, while a room is open, its code, QR code and
  link, and how many have voted on the current step (never what they voted before the reveal).
- ``follow(step, context, vocab, revealed, pick, model_p)``: which step is on screen (writes to
  the rooms store only when something changed).
- after a reveal: ``draw_reveal(reveal_summary(step))`` beside y_t (or its own drawing of the
  plain dict ``reveal_summary`` returns).

Session keys (prefix ``room_``): ``ROOM`` (the open ``room_store.Room``), ``PRESENTER`` (this session's
presenter id), ``SENT`` (what ``follow`` last wrote), ``SHOW_QR``. The room's token is also kept
in a cookie of the presenter's browser (path /, never in the URL nor on screen), so a reloaded
or reopened tab can take its room back.
"""

from __future__ import annotations

import json
import math
import os
import secrets
from urllib.parse import urlsplit

import streamlit as st

from ui.common.text import md_token
from ui.room import qr
from ui.room import store as room_store

ROOM, PRESENTER, SENT, SHOW_QR, ERROR = "room_open", "room_presenter", "room_sent", "room_show_qr", "room_error"
PUBLIC_URL_ENV = "RNN_LAB_PUBLIC_URL"  # the address phones reach the app by, when the browser's is not it
COOKIE = "rnn_lab_room"
COUNT_SECONDS = 2.0  # how often the presenter's vote count refreshes
QR_PX = 340  # the QR code's side on a 1280x720 screen: 37-41 modules of ~8 px each
SMOOTHING_TEXT = ("Score: the average natural log of the probability the class's votes and the model gave each "
                  "pick, over the revealed steps with votes (closer to 0 is better; in brackets as a probability, "
                  "the geometric mean). The class's share counts one extra vote spread evenly over all tokens, so "
                  "a pick nobody voted for gets a small share instead of 0 (whose log is −∞); steps nobody voted "
                  "on are left out of both averages.")


def vote_link(code: str) -> str:
    """The vote page's address for ``code``: on the server this browser reached (or
    ``RNN_LAB_PUBLIC_URL``, for a projector's browser that reached it as localhost)."""
    base = os.environ.get(PUBLIC_URL_ENV, "").rstrip("/")
    if not base:
        url = urlsplit(st.context.url or "http://localhost:8501/")
        base = f"{url.scheme}://{url.netloc}"
    return f"{base}/vote?room={code}"


def local_only(link: str) -> bool:
    return urlsplit(link).hostname in ("localhost", "127.0.0.1", "::1")


def current_room() -> room_store.Room | None:
    return st.session_state.get(ROOM)


def presenter_id() -> str:
    return st.session_state.setdefault(PRESENTER, secrets.token_hex(16))


def remember(room: room_store.Room | None) -> None:
    """The room in the session and in the browser's cookie (removed when ``room`` is None)."""
    st.session_state[ROOM] = room
    st.session_state.pop(SENT, None)
    value = "" if room is None else f"{room.code}.{room.token}"
    age = 0 if room is None else int(room_store.room_hours() * 3600)
    st.html(f"<script>document.cookie = {json.dumps(f'{COOKIE}={value}; path=/; max-age={age}; SameSite=Strict')};"
            "</script>", unsafe_allow_javascript=True)


def remembered() -> room_store.Room | None:
    """The room this browser opened earlier (its cookie), if it is still open."""
    value = st.context.cookies.get(COOKIE)
    code, _, token = value.partition(".") if isinstance(value, str) else ("", "", "")
    if not code or not token:
        return None
    try:
        room_store.version(code)
    except room_store.RoomError:
        return None
    return room_store.Room(code, token)


def open_room(walk: dict) -> None:
    try:
        room = room_store.open_room(presenter_id(), walk)
    except room_store.RoomError as e:
        st.session_state[ERROR] = str(e)
        return
    st.session_state[SHOW_QR] = True
    remember(room)


def close_room() -> None:
    room = current_room()
    if room is not None:
        try:
            room_store.close_room(room.code, room.token)
        except room_store.RoomError:
            pass  # ended already: closing it is done either way
    remember(None)


def room_panel(walk: dict) -> room_store.Room | None:
    """The room controls; returns the open room or None. ``walk``: what the vote page shows of
    the walk (``title``: a line naming the model, ``level``: "word" or "char")."""
    if ERROR in st.session_state:
        st.error(st.session_state.pop(ERROR))
    room = current_room()
    if room is None:
        earlier = remembered()
        st.button("📱 Open a room: the class votes from their phones", key="room_open_button",
                  on_click=open_room, args=(walk,))
        if earlier is not None:
            st.button(f"Take back room {room_store.show_code(earlier.code)}", key="room_resume",
                      on_click=lambda: remember(earlier))
        return None
    try:
        room_store.version(room.code)
    except room_store.RoomError as e:
        st.warning(f"Room {room_store.show_code(room.code)}: {e}")
        remember(None)
        return None
    st.session_state.setdefault(SHOW_QR, True)  # the toggle's own default would hide it after a rerun
    if st.session_state[SHOW_QR]:
        qr_column, side = st.columns([1, 1.6], vertical_alignment="center")
        qr_column.markdown(f'<div style="width:{QR_PX}px;max-width:100%">{qr.svg(qr.encode(vote_link(room.code)))}'
                           "</div>", unsafe_allow_html=True)
    else:
        side = st.container()
    with side:
        room_card(room.code)
    return room


def room_card(code: str) -> None:
    """The code in large type, where to type it, the vote count, the room's switches."""
    link = vote_link(code)
    big = "font-size:2.6rem;font-weight:700;line-height:1.2"
    st.markdown(f'<div style="{big}">Room {room_store.show_code(code)}</div>',
                unsafe_allow_html=True)
    st.markdown(f"Scan the QR code, or open **{urlsplit(link).netloc}/vote** and type the code.")
    st.code(link, language=None, wrap_lines=True)
    if local_only(link):
        st.warning(f"Phones cannot reach {urlsplit(link).hostname}: open this page by the computer's network "
                   f"address, or start the app with `{PUBLIC_URL_ENV}=http://ADDRESS:PORT`.")
    vote_count(code)
    left, right = st.columns(2)
    left.toggle("QR code", key=SHOW_QR)
    right.button("Close the room", key="room_close", on_click=close_room)


@st.fragment(run_every=COUNT_SECONDS)
def vote_count(code: str) -> None:
    """How many have voted on the room's current step: a number, nothing about what they chose."""
    try:
        view = room_store.view(code)
    except room_store.RoomError as e:
        st.caption(str(e))
        return
    if view.current.step == 0:
        st.caption("No step shown to the room yet.")
        return
    n = room_store.vote_count(code, view.current.step)
    closed = " (voting closed)" if view.current.revealed else ""
    st.markdown(f"🗳️ **{n} vote{'' if n == 1 else 's'}** for step {view.current.step}{closed}")


def follow(step: int, context: list[str], vocab: list[str], revealed: bool, pick: int | None = None,
           model_p: float | None = None) -> None:
    """Tell the open room (if any) what is on screen: ``step`` (1-based) with the tokens so far
    (x_1..x_t) and the choices (token ids = indices of ``vocab``); once ``revealed``, the pick
    (token id) and the probability the model gave it, for the class's score. Writes only when
    something changed since the last call."""
    room = current_room()
    if room is None:
        return
    sent = (step, tuple(context), tuple(vocab), revealed, pick, model_p)
    if st.session_state.get(SENT) == sent:
        return
    try:
        room_store.set_step(room.code, room.token, step, context, vocab, revealed=False)
        if revealed:
            room_store.reveal(room.code, room.token, step, pick, model_p)
    except room_store.RoomError as e:
        st.error(f"Room {room_store.show_code(room.code)}: {e}")
        return
    st.session_state[SENT] = sent


def reveal_summary(step: int) -> dict | None:
    """The class's votes at a revealed ``step`` of the open room, as plain data; None if no room
    is open or the step is not revealed (nothing about votes is shown before the reveal).

    Keys: ``step``, ``votes`` (how many voted), ``pick`` (the token) and ``pick_votes``, ``rows``
    (one per token voted for, most votes first: ``token``, ``votes``, ``share``), ``score`` (the
    class against the model on this walk: ``steps`` counted, ``class_mean`` and ``model_mean``
    natural-log averages or None, ``silent`` steps without votes), ``explained`` (the score in words).
    """
    room = current_room()
    if room is None:
        return None
    try:
        shown = room_store.step_at(room.code, step)
        if shown is None or not shown.revealed:
            return None
        counts, score = room_store.tally(room.code, step), room_store.class_score(room.code)
    except room_store.RoomError:
        return None
    votes = sum(counts.values())
    rows = [{"token": shown.vocab[t], "votes": n, "share": n / votes}
            for t, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    pick = None if shown.pick is None else shown.vocab[shown.pick]
    return {"step": step, "votes": votes, "pick": pick, "pick_votes": counts.get(shown.pick, 0), "rows": rows,
            "score": {"steps": len(score.steps), "class_mean": score.class_mean, "model_mean": score.model_mean,
                      "silent": list(score.silent)},
            "explained": SMOOTHING_TEXT}


def draw_reveal(summary: dict) -> None:
    """The class's votes beside y_t: counts and shares, the pick's votes, the score."""
    votes = summary["votes"]
    if votes == 0:
        st.markdown("**The class:** nobody voted on this step.")
    else:
        pick = "" if summary["pick"] is None else \
            f" · **{summary['pick_votes']}** for the pick “{md_token(summary['pick'])}”"
        st.markdown(f"**The class: {votes} vote{'' if votes == 1 else 's'}**{pick}")
        lines = ["| token | votes | share |", "|:--|--:|--:|"]
        lines += [f"| {md_token(r['token'])} | {r['votes']} | {r['share']:.0%} |" for r in summary["rows"]]
        st.markdown("\n".join(lines))
    s = summary["score"]
    if s["steps"]:
        st.markdown(f"**Score on this walk** ({s['steps']} step{'' if s['steps'] == 1 else 's'}): class "
                    f"{s['class_mean']:.2f} ({math.exp(s['class_mean']):.2f}) · model {s['model_mean']:.2f} "
                    f"({math.exp(s['model_mean']):.2f})", help=summary["explained"])
