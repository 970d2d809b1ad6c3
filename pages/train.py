"""Train: pick a text, take the settings suggested for it (or change them), train live, then look
inside the model, and save or load a model file.

The first screen holds the corpus, the settings in one line and the Train button; everything else
folds open on request. The widgets and views live in ui/train/corpus.py, ui/train/settings.py,
ui/train/state.py (runs, which train in a worker process, see ui/train/worker.py), ui/train/inside.py
and ui/train/folds.py; every session key is named in ui/train/keys.py. The model file's section is
drawn first (at the bottom of the page), so a model whose views fail can always be replaced.
"""

from functools import partial

import streamlit as st

import rnn_core as rc
from ui.common.session import current_model, model_version, start_page
from ui.common.text import md_token
from ui.common.theme import plotly_chart
from ui.train import inside, keys, worker
from ui.train import state as train_state
from ui.train import view as train_view
from ui.train.corpus import corpus_details, corpus_section
from ui.train.folds import folded, guarded
from ui.train.settings import memory_check, settings_section

FILE_NAME_CHARS = 60  # of a corpus name in a download's file name
ss = st.session_state


def train_section(corpus: rc.Corpus | None, config: rc.TrainConfig | None, button) -> None:
    """The memory the run needs, the Train button (in ``button``, a column beside the settings),
    the live run or the current model's curves."""
    fits = corpus is not None and config is not None and memory_check(corpus, config)
    if button.button("▶ Train", type="primary", key=keys.GO, disabled=not fits or keys.LIVE in ss, width="stretch",
                     help="Starts from fresh random weights; the result replaces your current model."):
        train_state.start_run(corpus, config)
        st.rerun()  # draw the page again with the Train button off and the live run on
    if keys.LIVE in ss:
        train_state.live_run()
    train_state.show_notice(ss.get(keys.NOTICE))
    diverged = train_state.diverged_record()
    if diverged is not None:
        st.button(f"Use the last finite weights anyway ({diverged.model.steps_trained} steps)", key=keys.ADOPT,
                  on_click=train_state.adopt_diverged)
    if keys.LIVE not in ss:
        with guarded("The loss curve"):
            loss_curves(diverged.model if diverged else current_model(), diverged)


def loss_curves(model: rc.Model, diverged: train_state.RunRecord | None) -> None:
    """The loss curves of the current model (or of a run that diverged), its samples, its known answer."""
    curves = (model.history.losses, diverged.smoothed, diverged.validation) if diverged else train_state.curves(model)
    if curves is None:
        st.info("This model carries no record of its training, so there is no loss curve to show.")
        return
    losses, smoothed, validation = curves
    st.caption(f"{'The run that diverged' if diverged else 'Your current model'}: {train_state.model_tag(model)}")
    plotly_chart(train_view.loss_figure(losses, smoothed, validation, start=model.steps_trained - len(losses),
                                log=train_state.log_axis_toggle()), key="train_loss")
    samples = diverged.samples if diverged else train_state.last_samples(model)
    if samples:
        with st.expander("Samples written while it trained"):
            train_state.show_samples(samples)
    if not diverged:
        known_answer(model)


def known_answer(model: rc.Model) -> None:
    """For a model of a built-in corpus with a known answer: does its generated text show it?"""
    b = rc.training.BUILTINS.get(model.corpus_name)
    if b is None or b.check is None or b.text != model.corpus_text:
        return
    verdict = b.verify(model)
    say = st.success if verdict.ok else st.warning
    say(f"**Known answer:** {'learned ✅' if verdict.ok else 'not learned yet ❌'}. The check "
        f"{b.check_text(md_token(model.first_word()))}: {verdict.why}")
    st.code(verdict.text, language=None, wrap_lines=True)


def views(model: rc.Model) -> None:
    """The current model's views, each folded and guarded (``ui.train.folds``)."""
    st.subheader("Look inside your current model")
    tag = train_state.model_tag(model)
    if keys.LIVE in ss:
        st.caption("A run is training: these views show your current model until it ends.")
    corpus = model.corpus()
    folded("Watch it learn: one sentence under the weights of each snapshot", keys.FOLDS["learn"], tag,
           partial(watch_it_learn, model))
    folded("Teacher forcing, and how far back the gradient reaches", keys.FOLDS["sentence"], tag,
           partial(one_sentence, model))
    folded("Vanishing and exploding gradients: scale W_h", keys.FOLDS["what_if"], tag,
           partial(inside.vanishing_what_if, model))
    if corpus is not None:
        folded("What each hidden unit tracks", keys.FOLDS["units"], tag, partial(inside.unit_activity, model))
    folded("The weights", keys.FOLDS["weights"], tag, partial(inside.weights, model))


def watch_it_learn(model: rc.Model) -> None:
    if model.corpus() is None:
        st.info("This model carries no training text, so there is no sentence to replay its training on.")
        return
    inside.watch_it_learn(model, train_view.sentence_choices(model.corpus())[0])


def one_sentence(model: rc.Model) -> None:
    """A sentence of the training text, fed in: teacher forcing and the gradient's reach."""
    corpus = model.corpus()
    if corpus is None:
        st.info("This model carries no training text, so there is no sentence to look at; its weights are in "
                "“The weights”.")
        return
    choices = train_view.sentence_choices(corpus)
    pick = st.selectbox("Sentence", range(len(choices)), key=keys.versioned(keys.SENTENCE, model_version()),
                        format_func=lambda k: rc.decode(list(choices[k]), model.level))
    inside.teacher_forcing(model, choices[pick])
    inside.gradient_reach(model, choices[pick])


def file_section(model: rc.Model) -> None:
    """The uploader first, so nothing the current model holds can keep it from being drawn; the
    model's bytes are made only when the download is clicked (a large model's are megabytes)."""
    st.subheader("Model file")
    st.file_uploader("Load a model file (.npz saved by this app or its CLI)", type=["npz"], key=keys.NPZ_FILE,
                     on_change=train_state.read_model_upload)
    with guarded("The upload's notice"):
        train_state.show_notice(ss.get(keys.FILE_NOTICE))
    with guarded("The download"):
        name = "".join(ch if ch.isalnum() else "-" for ch in model.corpus_name[:FILE_NAME_CHARS]).strip("-")
        st.download_button("⬇ Download the current model (.npz)", partial(rc.to_bytes, model),
                           file_name=f"rnn-{name or 'model'}.npz", mime="application/octet-stream",
                           on_click="ignore", key=keys.DOWNLOAD)


start_page()
worker.warm()  # a worker ready before the first click on Train
st.title("Train a model")
st.caption("Choose a text, press **Train**, watch the loss fall: the trained model becomes your current model on "
           "every page (yours alone).")
top, inside_views, files = st.container(), st.container(), st.container()
with files:
    file_section(current_model())
with top:
    corpus = corpus_section()
    settings, go = st.columns([5, 1], vertical_alignment="top")
    details = st.container()  # below the settings and the Train button, above the settings' widgets
    config = settings_section(corpus, settings)
    with details:
        corpus_details(corpus)
    train_section(corpus, config, go)
with inside_views, guarded("The views of the model"):
    views(current_model())
