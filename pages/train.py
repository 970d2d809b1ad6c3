"""Train: pick a corpus and settings, train live, watch the model learn, look inside it, save/load.

Session keys (prefix ``train_``): the runs (ui/train_state.py), ``train_file_notice`` (how the last
model upload went), ``train_txt`` (an uploaded corpus or its error); the rest are widget keys.

Stop: a click on any button reruns the script, and Streamlit stops the running script at its next
element update, i.e. inside the training callback. The callback records every update in
``train_live`` first, so the next run finds the interrupted run there and keeps what it learned.
"""

import time

import streamlit as st

import rnn_core as rc
from rnn_core.corpora import BUILTINS, builtin_corpus
from ui import train_view as tv
from ui.charts import show_token
from ui.state import current_model, model_version, set_model, start_page
from ui.text import md_literal
from ui.train_state import LIVE, NOTICE, RUN, finish_interrupted, install

TXT, FILE_NOTICE = "train_txt", "train_file_notice"
SOURCES = ("Built-in", "Paste text", "Upload .txt")
SEED_NAME = rc.seed_corpus().name
ss = st.session_state


def suggest_settings() -> None:
    """A built-in corpus comes with the steps and H that train it well."""
    b = BUILTINS[ss["train_builtin"]]
    ss["train_steps"], ss["train_H"] = b.steps, b.hidden_size


def read_txt_upload() -> None:
    """Decode an uploaded .txt once, when it arrives (UTF-8 and size checked by rnn_core)."""
    f = ss.get("train_txt_file")
    if f is None:
        ss.pop(TXT, None)
        return
    try:
        ss[TXT] = {"name": f.name, "text": rc.decode_upload(f.getvalue())}
    except rc.CorpusError as e:
        ss[TXT] = {"name": f.name, "error": f"{f.name}: {e}"}


def read_model_upload() -> None:
    """Load an uploaded .npz; anything the loader refuses leaves the current model as it was."""
    f = ss.get("train_npz_file")
    if f is None:
        return
    try:
        model = rc.from_bytes(f.getvalue())
    except rc.RnnCoreError as e:
        ss[FILE_NOTICE] = ("error", f"Could not load **{md_literal(f.name)}**: {md_literal(e)} Your current model is unchanged.")
        return
    set_model(model)
    ss[FILE_NOTICE] = ("success", f"Loaded **{md_literal(f.name)}**: {md_literal(model.corpus_name)}, "
                              f"{model.steps_trained} steps trained.")


def adopt_diverged() -> None:
    """The user chose the last finite weights of a run that diverged."""
    run = ss[RUN]
    set_model(run.model)
    run.version = model_version()
    ss[NOTICE] = ("info", f"Using the last finite weights ({run.model.steps_trained} steps trained).")


def train_live(corpus: rc.Corpus, config: rc.TrainConfig) -> None:
    """Train with a progress bar and a live loss curve, redrawn a few times a second."""
    try:
        start = tv.start_model(corpus, config)
    except rc.RnnCoreError as e:
        st.error(f"Cannot train: {md_literal(e)}")
        return
    run = tv.Run(start, config.steps, start.params)
    ss[LIVE] = run
    stop = st.empty()
    stop.button("⏹ Stop (keep what was learned)", key="train_stop")
    bar, chart, throttle = st.progress(0.0, text="starting…"), st.empty(), tv.Throttle()

    def on_step(info: rc.StepInfo) -> None:
        run.on_step(info)
        if throttle.due(final=info.step == info.total):
            started = time.perf_counter()
            bar.progress(info.step / info.total, text=f"step {info.step} / {info.total} · loss "
                         f"{info.loss:.4f} · {info.tokens_per_s:,.0f} tokens/s")
            chart.plotly_chart(tv.loss_figure(run.losses, info.total), width="stretch")
            throttle.drew(started)

    try:
        model, report = rc.train(start, corpus, config, on_step)
    except rc.RnnCoreError as e:
        ss.pop(LIVE, None)
        st.error(f"Cannot train: {md_literal(e)}")
        return
    for slot in (stop, bar, chart):
        slot.empty()
    run.finish(model, report.status, report.message, report.losses)
    install(run, model, report.status, report.message)


# ---------------------------------------------------------------- page

model = start_page()
finish_interrupted()

st.title("Train a model")
st.caption("Choose a corpus and settings, press **Train**, and watch the loss fall. The trained model "
           "becomes your current model on every page. Your model is yours alone: other visitors "
           "train their own.")

st.header("1 · Corpus")
ss.setdefault("train_builtin", SEED_NAME)
source = st.radio("Where the training text comes from", SOURCES, horizontal=True, key="train_source")
corpus, error = None, None
if source == "Built-in":
    name = st.selectbox("Built-in corpus", list(BUILTINS), key="train_builtin", on_change=suggest_settings,
                        help="Small corpora, each chosen to show one thing. Choosing one sets suggested steps and H.")
    st.caption(BUILTINS[name].lesson)
    corpus = builtin_corpus(name)
else:
    level = st.radio("Level", ("word", "char"), horizontal=True, key="train_level",
                     help="word: each line is a sentence ending in </s>; char: every character is a token.")
    if source == "Paste text":
        text = st.text_area("Training text (one sentence per line)", key="train_paste", height=130,
                            value="the cat sat on the mat\nthe dog sat on the log")
        name = "pasted text"
    else:
        st.file_uploader("A UTF-8 .txt file (up to 2 MB)", type=["txt"], key="train_txt_file",
                         on_change=read_txt_upload)
        upload = ss.get(TXT)
        text, name = (upload.get("text"), upload["name"]) if upload else (None, "")
        if upload and "error" in upload:
            error = upload["error"]
        elif not upload:
            st.info("Upload a text file to train on.")
    if text is not None and error is None:
        try:
            corpus = rc.make_corpus(text, level, name=name)
        except rc.CorpusError as e:
            error = f"{e}"
if error:
    st.error(f"This corpus cannot be trained on: {md_literal(error)}")

if corpus is not None:
    tokens = [t for s in corpus.sentences for t in s]
    vocab = list(dict.fromkeys(tokens))
    c1, c2, c3 = st.columns(3)
    c1.metric("tokens", f"{len(tokens):,}")
    c2.metric("vocabulary V", f"{len(vocab):,}")
    c3.metric("sentences" if corpus.level == "word" else "level", len(corpus.sentences) if corpus.level == "word" else "char")
    st.caption(f"The first {min(50, len(tokens))} tokens (␣ is a space, ⏎ a new line):")
    st.code("  ".join(show_token(t) for t in tokens[:50]), language=None, wrap_lines=True)
    more = f"  … and {len(vocab) - 300:,} more" if len(vocab) > 300 else ""
    st.caption("Vocabulary, in order of first appearance (a token's id is its position):")
    st.code("  ".join(show_token(t) for t in vocab[:300]) + more, language=None, wrap_lines=True)

st.header("2 · Settings")
for key, default in (("train_H", 3), ("train_E", 3), ("train_opt", "adam"), ("train_lr", 0.02), ("train_steps", 60),
                     ("train_clip", 5.0), ("train_seed", 0), ("train_batch", 16), ("train_seq", 32)):
    ss.setdefault(key, default)
c1, c2, c3, c4 = st.columns(4)
H = c1.number_input("hidden size H", 1, 1024, key="train_H", help="Length of h_t. The seed uses 3.")
E = c2.number_input("embedding size E", 1, 1024, key="train_E", help="Length of x_t. The seed uses 3.")
opt = c3.selectbox("optimizer", ("adam", "sgd", "adagrad"), key="train_opt",
                   help="Adam adapts the step per weight and is the most forgiving.")
lr = c4.number_input("learning rate", 0.0001, 10.0, key="train_lr", step=0.01, format="%.4f",
                     help="Too large and the loss explodes (try 5 with sgd and no clipping).")
c1, c2, c3, c4 = st.columns(4)
steps = c1.number_input("steps", 0, 100_000, key="train_steps", step=10,
                        help="Optimizer updates. 0 keeps the random initial weights.")
clip = c2.number_input("clip gradient norm", 0.0, 1000.0, key="train_clip", step=1.0,
                       help="Scale the gradient down to this global norm when larger; 0 turns clipping off.")
seed = c3.number_input("seed", 0, 2**32 - 1, key="train_seed", help="Same seed and settings, same model, bit for bit.")
batch = c4.number_input("batch size", 1, 4096, key="train_batch",
                        help="Word level: sentences per update. Char level: parallel streams of text.")
seq_len = ss["train_seq"]
if corpus is not None and corpus.level == "char":
    seq_len = st.number_input("sequence length (char level)", 1, 4096, key="train_seq",
                              help="Characters per chunk of truncated backpropagation through time.")
config = None
try:
    config = rc.TrainConfig(hidden_size=int(H), embed_dim=int(E), steps=int(steps), lr=float(lr), optimizer=opt,
                            clip=float(clip), batch_size=int(batch), seq_len=int(seq_len), seed=int(seed))
except rc.ConfigError as e:
    st.error(f"Check the settings: {md_literal(e)}")

st.header("3 · Train")
clicked = st.button("▶ Train", type="primary", key="train_go", disabled=corpus is None or config is None,
                    help="Starts from fresh random weights; the result replaces your current model.")
if clicked and corpus is not None and config is not None:
    train_live(corpus, config)
notice = ss.get(NOTICE)
if notice:
    getattr(st, notice[0])(notice[1])
run = ss.get(RUN)
if run is not None and run.status == "diverged" and run.version is None:
    st.button(f"Use the last finite weights anyway ({run.model.steps_trained} steps)", key="train_adopt",
              on_click=adopt_diverged)
if run is not None and (run.version == model_version() or run.status == "diverged"):
    st.plotly_chart(tv.loss_figure(run.losses), width="stretch", key="train_loss")

    st.header("4 · Watch it learn")
    sentence = tv.sentence_choices(run.model.corpus())[0]
    rows = [(step, rc.teacher_forced(run.snapshot_model(i), sentence)) for i, (step, _) in enumerate(run.snapshots)]
    shown = st.select_slider("Training step of the snapshot", [s for s, _ in rows], value=rows[-1][0],
                             key=f"train_snap_{ss['train_runs']}")
    i = [s for s, _ in rows].index(shown)
    st.plotly_chart(tv.learning_heatmap(rows, i), width="stretch", key="train_learn")
    greedy = rc.generate(run.snapshot_model(i), sentence[:1], rc.GREEDY, max_tokens=min(len(sentence) + 5, 80))
    st.markdown(f"At step **{shown}**, greedy generation from “{show_token(sentence[0])}” gives: "
                f"**{rc.text_of(run.model, greedy)}**")
    st.caption("Each row is the model at one moment of training; each cell is the probability it gave "
               "the correct next token, feeding in the true sentence (teacher forcing).")

model = current_model()
st.header("5 · Inside the current model")
model_corpus = model.corpus()
if model_corpus is None:
    st.info("This model carries no training text, so there is no sentence to look at; its weights are below.")
else:
    choices = tv.sentence_choices(model_corpus)
    pick = st.selectbox("Sentence", range(len(choices)), key=f"train_sentence_{model_version()}",
                        format_func=lambda k: rc.decode(list(choices[k]), model.level))
    sentence = choices[pick]
    traces = rc.teacher_forced(model, sentence)
    st.subheader("Teacher forcing: the true sentence fed in, position by position")
    st.dataframe(tv.teacher_forced_table(traces, model.vocab.tokens), hide_index=True, width="stretch",
                 column_config={"p(target)": st.column_config.ProgressColumn("p(target)", format="%.3f", min_value=0, max_value=1),
                                "p(top)": st.column_config.NumberColumn(format="%.3f")})
    st.subheader("How far back the gradient reaches")
    st.plotly_chart(tv.grad_norm_figure(rc.sentence_grad_norms(model, sentence), sentence), width="stretch",
                    key="train_grads")
    st.caption("Each bar is the size of the loss's gradient with respect to h_t. Going back one step "
               "multiplies it by W_hᵀ and by tanh′ (at most 1), so it usually shrinks step after step: "
               "early tokens get little say in learning. That is the vanishing gradient problem, and why "
               "a vanilla RNN struggles to remember far back.")
st.subheader("Weights")
figs = tv.weight_figures(model.params, model.vocab.tokens)
for left, right in (("embedding", "W_x"), ("W_h", "W_y")):
    c1, c2 = st.columns(2)
    c1.plotly_chart(figs[left], width="stretch", key=f"train_w_{left}")
    c2.plotly_chart(figs[right], width="stretch", key=f"train_w_{right}")

st.header("6 · Model file")
safe = "".join(ch if ch.isalnum() else "-" for ch in model.corpus_name).strip("-") or "model"
st.download_button("⬇ Download the current model (.npz)", rc.to_bytes(model), file_name=f"rnn-{safe}.npz",
                   mime="application/octet-stream", key="train_download")
st.file_uploader("Load a model file (.npz saved by this app or its CLI)", type=["npz"], key="train_npz_file",
                 on_change=read_model_upload)
file_notice = ss.get(FILE_NOTICE)
if file_notice:
    getattr(st, file_notice[0])(file_notice[1])
