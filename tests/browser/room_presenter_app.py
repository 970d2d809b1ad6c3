"""A stand-in for Step-Through's guess mode, for the browser tests of the presenter's room panel:
the seed walk's first steps with Reveal and Next, the panel on top, the class's votes after each
reveal. Run as its own `streamlit run` script (the panel's place on Step-Through is the lead's)."""

import streamlit as st

from ui import room_view as rv
from ui.theme import presenter_theme

SEED = ["I", "love", "deep", "learning", "</s>"]
PATH = ["I", "love", "deep", "learning", "</s>"]  # the walk
P = [0.97, 0.95, 0.96, 0.93]  # the model's probability of each pick

st.set_page_config(page_title="Room panel", layout="wide")
presenter_theme()
ss = st.session_state
ss.setdefault("step", 1)
ss.setdefault("revealed", False)
st.title("Room panel")
room = rv.room_panel({"title": "seed model: I love deep learning", "level": "word"})
step, revealed = ss["step"], ss["revealed"]
rv.follow(step, PATH[:step], SEED, revealed, SEED.index(PATH[step]) if revealed else None,
          P[step - 1] if revealed else None)
st.markdown(f"**Step {step}**: " + " ".join(PATH[:step]) + (f" → **{PATH[step]}**" if revealed else " → ?"))
if not revealed and st.button("Reveal"):
    ss["revealed"] = True
    st.rerun()
if revealed and step < 4 and st.button("Next"):
    ss["step"], ss["revealed"] = step + 1, False
    st.rerun()
summary = rv.reveal_summary(step) if revealed else None
if summary:
    rv.draw_reveal(summary)
