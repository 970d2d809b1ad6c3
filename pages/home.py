"""Home: what autoregressive generation is, the three equations, and where to go next."""

import streamlit as st

from ui.state import start_page

model = start_page()
V, E, H = model.params.sizes

st.title("RNN Autoregression Lab")
st.markdown(
    """
**Autoregressive generation** builds a sequence one token at a time: each token the model
generates is **fed back as the input** of the next step. At inference the model has **no access
to the ground-truth future tokens** — every prediction is conditioned only on its own past
outputs. That is how language models write text, how machine translation produces a sentence,
and how a model composes poetry or a song.

Here a vanilla recurrent network is trained on a tiny corpus (by default the single sentence
*"I love deep learning"*). Given the seed word **"I"** it generates the rest itself. At step $t$:
"""
)
st.latex(r"h_t = \tanh\left(W_x\,x_t + W_h\,h_{t-1} + b_h\right)")
st.latex(r"o_t = W_y\,h_t + b_y")
st.latex(r"y_t = \mathrm{softmax}(o_t)")
st.markdown(
    f"""
then the next word is picked from $y_t$ (sampled, or the most probable one), **embedded** as
$x_{{t+1}}$ and fed back, until the end token `</s>` or a length limit. It starts from
$h_0 = 0$, and in the seed example $x_1 = [0.1, 0.3, 0.5]$ is the embedding of "I".

**Why generate this way?**
- *Contextual coherence*: every choice is conditioned on all the tokens before it (through $h_t$),
  so what comes next stays consistent with what was said.
- *Flexible length*: the model decides when to stop by producing `</s>`.

**A note on shapes.** The seed document writes $W_y$ as $3\\times3$. It maps the hidden state
($H$ numbers) to one score per vocabulary token, so with the {V} tokens of the current model it
is **{V} × {H}** ($V \\times H$).
"""
)
st.subheader("Try it")
c1, c2, c3 = st.columns(3)
with c1:
    st.page_link("pages/step-through.py", label="Step-Through", icon="👣")
    st.caption("The seed's walk-through with the real numbers, one step at a time.")
with c2:
    st.page_link("pages/generate.py", label="Generate", icon="✨")
    st.caption("Many samples, every step's distribution and hidden state.")
with c3:
    st.page_link("pages/train.py", label="Train", icon="🏋️")
    st.caption("Pick a corpus, train live, inspect the weights, save or load a model.")
