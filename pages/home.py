"""Home: what autoregressive generation is, the seed document's walk-through told with this app's
numbers, and where to go next."""

import streamlit as st

import rnn_core as rc
from ui.state import start_page

model = start_page()
V, E, H = model.params.sizes


def numbers(v) -> str:
    """A short vector as text: [0.100, 0.300, 0.500]."""
    return "[" + ", ".join(f"{float(z):.3f}" for z in v) + "]"


def first_step_untrained() -> rc.StepTrace:
    """Step 1 of the seed preset before any training: x_1 = [0.1, 0.3, 0.5] as in the seed."""
    preset = rc.seed_model()
    return rc.generate(preset, "I", rc.GREEDY, max_tokens=1)[0]


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
    """
then the next word is picked from $y_t$ (sampled, or the most probable one), **embedded** as
$x_{t+1}$ and fed back, until the end token `</s>` or a length limit.
"""
)

st.header("The seed walk-through")
st.caption("The source document this app is built on, in our words. The pages refer to it as "
           "“the seed document” and to its steps by number.")
tr = first_step_untrained()
st.markdown(
    f"""
**The task.** The training set is one sentence, *"I love deep learning"*. After training, the
model is given only the first word, "I", and must write the rest on its own. With the end token
the vocabulary has $V = 5$ tokens: I, love, deep, learning, `</s>`.

**Step 1 · Parameters.** The hidden state has 3 numbers ($H = 3$). The weights start random:
$W_x$ (3 × 3, input to hidden), $W_h$ (3 × 3, hidden to hidden), $W_y$ (hidden to output) and the
biases $b_h$, $b_y$. The seed document writes $W_y$ as $3\\times3$; it gives one score per
vocabulary token, so it has $V$ rows: **5 × 3** here ($V \\times H$; with the {V} tokens of your
current model, **{V} × {H}**).

**Step 2 · The seed.** Generation starts from an empty memory, $h_0 = [0, 0, 0]$, and the
embedding of "I", $x_1 = [0.1, 0.3, 0.5]$.

**Step 3 · The first hidden state.** $h_1 = \\tanh(W_x x_1 + W_h h_0 + b_h)$; because
$h_0 = 0$ the middle term vanishes and $h_1 = \\tanh(W_x x_1 + b_h)$. With this app's seed
preset before training: $W_x x_1 = {numbers(tr.Wx_x)}$, $b_h = {numbers(tr.b_h)}$, so
$h_1 = {numbers(tr.h)}$.

**Step 4 · The first output.** $o_1 = W_y h_1 + b_y$ gives one score per token and
$y_1 = \\mathrm{{softmax}}(o_1)$ turns the scores into probabilities. The next word $w_1$ is
sampled from $y_1$ (or taken greedily: the most probable). Untrained, $y_1 = {numbers(tr.probs)}$
over I, love, deep, learning, `</s>` — nearly flat; training makes "love" stand out.

**Step 5 · Feeding back.** The picked word is embedded as $x_2$, and
$h_2 = \\tanh(W_x x_2 + W_h h_1 + b_h)$, $y_2 = \\mathrm{{softmax}}(W_y h_2 + b_y)$; $w_2$ is picked
from $y_2$, and so on, until the model picks `</s>` or a length limit is reached.

**Why generate this way?**
- *Contextual coherence*: every choice is conditioned on all the tokens before it (through $h_t$),
  so what comes next stays consistent with what was said.
- *Flexible length*: the model decides when to stop by producing `</s>`.
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
