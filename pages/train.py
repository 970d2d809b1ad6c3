"""Train: pick a corpus and settings, train live, watch the model learn, look inside it, save/load.

A short script of sections. The widgets and views live in ui/train_corpus.py (1), ui/train_settings.py
(2), ui/train_state.py (3: runs, which train in a worker process, see ui/train_worker.py) and
ui/train_inside.py (4, 5); every session key is named in ui/train_keys.py.
"""

import streamlit as st

import rnn_core as rc
from ui import train_inside as inside
from ui import train_keys as K
from ui import train_state as ts
from ui import train_view as tv
from ui import train_worker as tw
from ui.state import current_model, model_version, start_page
from ui.theme import plotly_chart
from ui.token_text import md_token
from ui.train_corpus import corpus_section
from ui.train_settings import memory_check, settings_section

ss = st.session_state


def train_section(corpus: rc.Corpus | None, config: rc.TrainConfig | None, fits: bool) -> None:
    st.header("3 · Train")
    if st.button("▶ Train", type="primary", key=K.GO, disabled=corpus is None or config is None or not fits
                 or K.LIVE in ss, help="Starts from fresh random weights; the result replaces your current model."):
        ts.start_run(corpus, config)
        st.rerun()  # draw the page again with the Train button off and the live run on
    if K.LIVE in ss:
        ts.live_run()
    ts.show_notice(ss.get(K.NOTICE))
    diverged = ts.diverged_record()
    if diverged is not None:
        st.button(f"Use the last finite weights anyway ({diverged.model.steps_trained} steps)", key=K.ADOPT,
                  on_click=ts.adopt_diverged)
    if K.LIVE not in ss:
        loss_curves(diverged.model if diverged else current_model(), diverged)


def loss_curves(model: rc.Model, diverged: ts.RunRecord | None) -> None:
    """The loss curves of the current model (or of a run that diverged), its samples, its known answer."""
    curves = (model.history.losses, diverged.smoothed, diverged.validation) if diverged else ts.curves(model)
    if curves is None:
        st.info("This model carries no record of its training, so there is no loss curve to show.")
        return
    losses, smoothed, validation = curves
    plotly_chart(tv.loss_figure(losses, smoothed, validation, start=model.steps_trained - len(losses)),
                 key="train_loss")
    samples = diverged.samples if diverged else ts.last_samples(model)
    if samples:
        with st.expander("Samples written while it trained"):
            ts.show_samples(samples)
    if not diverged:
        known_answer(model)


def known_answer(model: rc.Model) -> None:
    """For a model of a built-in corpus with a known answer: does greedy generation show it?"""
    b = rc.BUILTINS.get(model.corpus_name)
    if b is None or b.check is None or b.text != model.corpus_text:
        return
    verdict = b.verify(model)
    say = st.success if verdict.ok else st.warning
    say(f"**Known answer:** {'learned ✅' if verdict.ok else 'not learned yet ❌'}. "
        f"Greedy generation of {b.check_tokens} tokens from “{md_token(model.first_word())}”: "
        f"{verdict.why}")
    st.code(verdict.text, language=None, wrap_lines=True)


def inside_section(model: rc.Model) -> None:
    st.header("5 · Inside the current model")
    corpus = model.corpus()
    if corpus is None:
        st.info("This model carries no training text, so there is no sentence to look at; its weights are below.")
    else:
        choices = tv.sentence_choices(corpus)
        pick = st.selectbox("Sentence", range(len(choices)), key=K.versioned(K.SENTENCE, model_version()),
                            format_func=lambda k: rc.decode(list(choices[k]), model.level))
        inside.teacher_forcing(model, choices[pick])
        inside.gradient_reach(model, choices[pick])
    inside.vanishing_what_if(model)
    if corpus is not None:
        inside.unit_activity(model)
    inside.weights(model)


def file_section(model: rc.Model) -> None:
    st.header("6 · Model file")
    safe = "".join(ch if ch.isalnum() else "-" for ch in model.corpus_name).strip("-") or "model"
    st.download_button("⬇ Download the current model (.npz)", rc.to_bytes(model), file_name=f"rnn-{safe}.npz",
                       mime="application/octet-stream", key=K.DOWNLOAD)
    st.file_uploader("Load a model file (.npz saved by this app or its CLI)", type=["npz"], key=K.NPZ_FILE,
                     on_change=ts.read_model_upload)
    ts.show_notice(ss.get(K.FILE_NOTICE))


start_page()
tw.warm()  # a worker ready before the first click on Train
st.title("Train a model")
st.caption("Choose a corpus and settings, press **Train**, and watch the loss fall. The trained model "
           "becomes your current model on every page. Your model is yours alone: other visitors "
           "train their own.")
st.header("1 · Corpus")
corpus = corpus_section()
st.header("2 · Settings")
config = settings_section()
fits = corpus is not None and config is not None and memory_check(corpus, config)
train_section(corpus, config, fits)
model = current_model()
st.header("4 · Watch it learn")
if model.corpus() is None:
    st.info("This model carries no training text, so there is no sentence to replay its training on.")
else:
    inside.watch_it_learn(model, tv.sentence_choices(model.corpus())[0])
inside_section(model)
file_section(model)
