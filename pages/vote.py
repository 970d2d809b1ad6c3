"""Vote: a student's phone in a room. ``/vote?room=CODE`` shows the presenter's current step (the
text so far) and one button per token (a searchable list for larger vocabularies); a vote can be
changed until the presenter reveals the step, and the page follows the presenter by itself.

Light on purpose, for a room of 60 phones: no model, no charts, nothing computed per student; a
poll every second reads one number from the rooms store (``ui.room.store.version``) and redraws
the page only when the presenter changed something. A vote link can only vote.
"""

import re
import secrets

import streamlit as st

from ui.common.pages_mode import leave_legacy_pages_mode
from ui.common.text import md_literal, md_token, show_token
from ui.room import store as room_store

POLL_SECONDS = 1.0
MAX_BUTTONS = 12  # a larger vocabulary votes through a searchable list
VOTER, GATE, DRAWN, NOTICE = "vote_voter", "vote_gate", "vote_drawn", "vote_notice"
ROOM_KEY, ME_KEY = "room", "me"  # the link's query keys: the room's code, this phone's voter id
PHONE_CSS = """<style>
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"], [data-testid="stExpandSidebarButton"]
  { display: none; }
[data-testid="stMainBlockContainer"] { padding: 3.75rem 1rem 4rem; max-width: 40rem; }
[data-testid="stMain"] h1 { font-size: 1.6rem; padding-top: 0.5rem; }
.st-key-vote_context p { font-size: 1.5rem; font-weight: 600; }
.st-key-vote_choices button { min-height: 3rem; }
</style>"""


def voter_id() -> str:
    """This phone's voter id, kept in the link (``me=``) so a reload keeps its votes."""
    ss = st.session_state
    if VOTER not in ss:
        mine = st.query_params.get(ME_KEY, "")
        ss[VOTER] = mine if re.fullmatch(r"[0-9a-f]{16}", mine) else secrets.token_hex(8)
    if st.query_params.get(ME_KEY) != ss[VOTER]:
        st.query_params[ME_KEY] = ss[VOTER]
    return ss[VOTER]


def gate() -> room_store.WrongCodes:
    return st.session_state.setdefault(GATE, room_store.WrongCodes())


def check_code(text: str) -> str | None:
    """The room code in ``text`` if it names a live room; otherwise None, a message shown, and one
    wrong code counted against this session's budget (none looked up while it is spent)."""
    wait = gate().blocked_for()
    if wait:
        st.error(f"Too many wrong codes. Try again in {wait:.0f} s.")
        return None
    try:
        code = room_store.normalize_code(text)
        room_store.version(code)
        return code
    except room_store.RoomError as e:
        if e.reason in ("code", "unknown"):
            gate().count()
        st.error(str(e))
        return None


def join_form() -> None:
    """Type a code: the room's page opens (the code goes into the link)."""
    with st.form("vote_join", border=False):
        typed = st.text_input("Room code", placeholder="K7QM-2XPD", max_chars=20)
        if st.form_submit_button("Join", type="primary") and typed:
            code = check_code(typed)
            if code:
                st.query_params[ROOM_KEY] = code
                st.rerun()


def context_text(view: room_store.RoomView) -> str:
    """The tokens so far as Markdown text: joined by spaces for a word-level walk, as written
    (whitespace made visible) for a character-level one."""
    words = [md_token(t) for t in view.current.context]
    return ("" if view.walk.get("level") == "char" else " ").join(words)


def cast(code: str, step: int, token_id: int) -> None:
    try:
        room_store.vote(code, st.session_state[VOTER], step, token_id)
    except room_store.RoomError as e:
        st.session_state[NOTICE] = str(e)


@st.fragment
def ballot(code: str, step: room_store.Step) -> None:
    """One button per token (the chosen one highlighted), or a searchable list; a click reruns
    only this part of the page."""
    if NOTICE in st.session_state:  # a refused click; the next whole-page run shows it once more, then drops it
        st.error(st.session_state[NOTICE])
    mine = room_store.my_vote(code, st.session_state[VOTER], step.step)
    if len(step.vocab) > MAX_BUTTONS:
        key = f"vote_find_{step.step}"
        st.selectbox("Find your token", range(len(step.vocab)), index=mine, key=key,
                     format_func=lambda i: show_token(step.vocab[i]), placeholder="Type to search…")
        chosen = st.session_state.get(key)
        st.button("Vote", type="primary", disabled=chosen is None, width="stretch", on_click=cast,
                  args=(code, step.step, chosen))
    else:
        with st.container(key="vote_choices"):
            for i, token in enumerate(step.vocab):
                st.button(md_token(token), key=f"vote_{step.step}_{i}", width="stretch",
                          type="primary" if i == mine else "secondary", on_click=cast, args=(code, step.step, i))
    if mine is not None:
        st.success(f"Your vote: “{md_token(step.vocab[mine])}”. You can change it until the reveal.")


def revealed(code: str, step: room_store.Step) -> None:
    mine = room_store.my_vote(code, st.session_state[VOTER], step.step)
    if step.pick is not None:
        pick = f"“{md_token(step.vocab[step.pick])}”"
        if mine is None:
            st.info(f"Revealed: the pick was {pick}. Look at the screen for the class's votes.")
        elif mine == step.pick:
            st.success(f"Revealed: the pick was {pick}, your vote too. Look at the screen for the class's votes.")
        else:
            st.warning(f"Revealed: the pick was {pick}; you voted “{md_token(step.vocab[mine])}”.")
    else:
        st.info("Revealed: voting for this step is closed. Look at the screen.")
    st.caption("The next step appears here by itself.")


@st.fragment(run_every=POLL_SECONDS)
def follow(code: str) -> None:
    """Every second: has the presenter changed anything (or ended the room)? Then redraw the page."""
    try:
        now = room_store.version(code)
    except room_store.RoomError:
        now = None
    if now != st.session_state.get(DRAWN):
        st.rerun(scope="app")


def room(code: str) -> None:
    """The room's current step and the ballot, kept up to date by ``follow``."""
    try:
        view = room_store.view(code)
    except room_store.RoomError as e:
        st.error(str(e))
        join_form()
        return
    st.session_state[DRAWN] = view.version
    title = view.walk.get("title")
    st.caption(f"Room {room_store.show_code(code)}" + (f" · {md_literal(title)}" if isinstance(title, str) else ""))
    step = view.current
    if NOTICE in st.session_state:
        st.error(st.session_state.pop(NOTICE))
    if step.step == 0:
        st.info("Waiting for the presenter to show the first step…")
    else:
        st.markdown(f"**Step {step.step}.** The text so far:")
        st.container(key="vote_context").markdown(context_text(view))
        if step.revealed:
            revealed(code, step)
        else:
            st.markdown("**What comes next?**")
            ballot(code, step)
    follow(code)


leave_legacy_pages_mode()
st.html(PHONE_CSS)
st.title("Guess the next token")
voter_id()
link_code = st.query_params.get(ROOM_KEY)
code = check_code(link_code) if link_code else None
if code:
    room(code)
else:
    if link_code:
        del st.query_params[ROOM_KEY]  # a wrong code counts once, not at every rerun
    join_form()
