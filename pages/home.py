"""Home: one way in (the walk-through of the "I love deep learning" model on Step-Through), then what
autoregressive generation is and the source document's walk-through told with this app's numbers,
and where to go next."""

import numpy as np
import streamlit as st

import rnn_core as rc
from ui.common import links
from ui.common.session import current_model, seed_model_bytes, set_model, start_page

model = start_page()
V, E, H = model.params.sizes


def numbers(v) -> str:
    """A short vector as text: [0.100, 0.300, 0.500]."""
    return "[" + ", ".join(f"{float(z):.3f}" for z in v) + "]"


def first_step(preset: rc.Model) -> rc.StepTrace:
    """Step 1 of the preset from "I" (untrained: x_1 = [0.1, 0.3, 0.5] as in the source document)."""
    return rc.generate(preset, "I", rc.GREEDY, max_tokens=1)[0]


def trained_preset() -> rc.Model:
    """The model every visitor starts with: the preset trained on its sentence."""
    return rc.from_bytes(seed_model_bytes())


def is_trained_preset(m: rc.Model, preset: rc.Model) -> bool:
    """Is ``m`` the preset as every visitor gets it (same text, steps and weights)?"""
    same = (m.corpus_name, m.corpus_text, m.level, m.steps_trained, m.params.sizes) == (
        preset.corpus_name, preset.corpus_text, preset.level, preset.steps_trained, preset.params.sizes)
    return same and all(np.array_equal(a, b) for a, b in zip(m.params.as_dict().values(),
                                                            preset.params.as_dict().values()))


def walk_preset(query: dict[str, str]) -> None:
    """Open Step-Through on the trained preset (made the current model if it is not) with
    ``query`` as its link."""
    preset = trained_preset()
    if not is_trained_preset(current_model(), preset):
        set_model(preset)
    st.switch_page(links.STEP_THROUGH, query_params=query)


preset = trained_preset()
untrained, trained = first_step(rc.seed_model()), first_step(preset)
st.title("RNN Autoregression Lab")
st.markdown("A recurrent network writes a sentence **one word at a time**, feeding every word it picks back in "
            "as its next input. Walk through it step by step, with the real numbers of every step.")
if st.button("Start the walk-through ▶", type="primary", key="home_start"):
    walk_preset(links.step_through(step=1))
walked = "the model trained on *“I love deep learning”*: from “I”, one step per click"
if is_trained_preset(model, preset):
    st.caption(f"Step-Through with {walked}.")
else:
    st.caption(f"Step-Through with {walked}. It replaces your current model, which was trained on other text.")

st.header("What autoregressive generation is")
st.markdown(
    """
**Autoregressive generation** builds a sequence one token at a time: each token the model
generates is **fed back as the input** of the next step. At inference the model has **no access
to the ground-truth future tokens** — every prediction is conditioned only on its own past
outputs. That is how language models write text, how machine translation produces a sentence,
and how a model composes poetry or a song.

Here a vanilla recurrent network is trained on a tiny corpus (by default the single sentence
*"I love deep learning"*). Given its first word, **"I"**, it generates the rest itself. At step $t$:
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

st.header("The example, step by step")
st.caption("The source document this app is built on, in our words, with the numbers of this app's "
           "“I love deep learning” preset.")
st.markdown(
    f"""
**The task.** The training set is one sentence, *"I love deep learning"*. After training, the
model is given only the first word, "I", and must write the rest on its own. With the end token
the vocabulary has $V = 5$ tokens: I, love, deep, learning, `</s>`.

**Step 1 · Parameters.** The hidden state has 3 numbers ($H = 3$). The weights start random:
$W_x$ (3 × 3, input to hidden), $W_h$ (3 × 3, hidden to hidden), $W_y$ (hidden to output) and the
biases $b_h$, $b_y$. The source document writes $W_y$ as $3\\times3$; it gives one score per
vocabulary token, so it has $V$ rows: **5 × 3** here ($V \\times H$; with the {V} tokens of your
current model, **{V} × {H}**).

**Step 2 · The start.** Generation starts from an empty memory, $h_0 = [0, 0, 0]$, and the
embedding of "I", $x_1 = [0.1, 0.3, 0.5]$.

**Step 3 · The first hidden state.** $h_1 = \\tanh(W_x x_1 + W_h h_0 + b_h)$; because
$h_0 = 0$ the middle term vanishes and $h_1 = \\tanh(W_x x_1 + b_h)$. With this app's preset
before training: $W_x x_1 = {numbers(untrained.Wx_x)}$, $b_h = {numbers(untrained.b_h)}$, so
$h_1 = {numbers(untrained.h)}$.

**Step 4 · The first output.** $o_1 = W_y h_1 + b_y$ gives one score per token and
$y_1 = \\mathrm{{softmax}}(o_1)$ turns the scores into probabilities. The next word $w_1$ is
sampled from $y_1$ (or taken greedily: the most probable). Untrained, $y_1 = {numbers(untrained.probs)}$
over I, love, deep, learning, `</s>` — nearly flat; training makes "love" stand out.
"""
)
st.info(f"These are the numbers **before training**. Training moved every weight, the embedding of “I” "
        f"included: after {preset.steps_trained} steps $x_1 = {numbers(trained.x)}$ and "
        f"$y_1$ gives “love” {trained.probs[preset.vocab.id('love')]:.3f}. Step-Through opens on the trained "
        "weights; at training step 0 it shows exactly the numbers above.")
if st.button("See step 1 at training step 0 on Step-Through ▶", key="home_step_0"):
    walk_preset(links.step_through(step=1, weights=0))
st.markdown(
    """
**Step 5 · Feeding back.** The picked word is embedded as $x_2$, and
$h_2 = \\tanh(W_x x_2 + W_h h_1 + b_h)$, $y_2 = \\mathrm{softmax}(W_y h_2 + b_y)$; $w_2$ is picked
from $y_2$, and so on, until the model picks `</s>` or a length limit is reached.

**Why generate this way?**
- *Contextual coherence*: every choice is conditioned on all the tokens before it (through $h_t$),
  so what comes next stays consistent with what was said.
- *Flexible length*: the model decides when to stop by producing `</s>`.
"""
)

st.subheader("Then")
c1, c2, c3 = st.columns(3)
with c1:
    st.page_link(links.STEP_THROUGH, label="Step-Through", icon="👣")
    st.caption("The walk-through above with the real numbers, one step at a time.")
with c2:
    st.page_link("pages/generate.py", label="Generate", icon="✨")
    st.caption("Many samples, every step's distribution and hidden state.")
with c3:
    st.page_link("pages/train.py", label="Train", icon="🏋️")
    st.caption("Paste a paragraph and train it, or pick a built-in corpus; inspect the weights, save or load a model.")
