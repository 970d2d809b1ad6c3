"""The Train page's corpus section: where the text comes from (a built-in, pasted text, an
uploaded .txt), and folded below it what the text holds and whether some of it is held out for a
validation loss."""

from __future__ import annotations

import streamlit as st

import rnn_core as rc
from ui.common.text import md_literal, md_token, show_token
from ui.train import keys

SOURCES = ("Built-in", "Paste text", "Upload .txt")
PASTED = "the cat sat on the mat\nthe dog sat on the log"  # the text area's first content
TOKENS_SHOWN, VOCAB_SHOWN = 50, 300
ss = st.session_state


def read_txt_upload() -> None:
    """Decode an uploaded .txt once, when it arrives (UTF-8 and size checked by rnn_core)."""
    f = ss.get(keys.TXT_FILE)
    if f is None:
        ss.pop(keys.TXT, None)
        return
    try:
        ss[keys.TXT] = {"name": f.name, "text": rc.decode_upload(f.getvalue())}
    except rc.CorpusError as e:
        ss[keys.TXT] = {"name": f.name, "error": f"{f.name}: {e}"}


def corpus_section() -> rc.Corpus | None:
    """The corpus widgets; the corpus they give (None, with the reason shown, if none). What the
    corpus holds is drawn apart (``corpus_details``), below the settings and the Train button, so
    those stay on the first screen."""
    ss.setdefault(keys.BUILTIN, rc.seed_corpus().name)
    c1, c2 = st.columns([3, 2])
    source = c1.radio("Where the training text comes from", SOURCES, horizontal=True, key=keys.SOURCE)
    if source == "Built-in":
        corpus, error = rc.training.builtin_corpus(st.selectbox(
            "Built-in corpus", list(rc.training.BUILTINS), key=keys.BUILTIN,
            help="Small corpora, each chosen to show one thing. Choosing one sets suggested steps and H.")), None
    else:
        level = c2.radio("Level", ("word", "char"), horizontal=True, key=keys.LEVEL,
                         help="word: each line is a sentence ending in </s>; char: every character is a token.")
        corpus, error = text_corpus(source, level)
    if error:
        st.error(f"This corpus cannot be trained on: {md_literal(error)}")
    return corpus


def corpus_details(corpus: rc.Corpus | None) -> None:
    """A built-in corpus's lesson (and its known answer), and what the text holds, folded."""
    if corpus is None:
        return
    b = rc.training.BUILTINS.get(corpus.name)
    if b is not None and b.text == corpus.text:
        known = ""
        if b.check is not None:
            known = (f" **Known answer:** after training, the page {b.check_text(md_token(corpus.first_word()))} "
                     "and checks the text against the pattern.")
        st.caption(md_literal(b.lesson) + known)
    describe(corpus)


def text_corpus(source: str, level: str) -> tuple[rc.Corpus | None, str | None]:
    """Pasted or uploaded text at ``level``: (corpus, None), or (None, why not)."""
    if source == "Paste text":
        ss.setdefault(keys.PASTE, PASTED)
        text, name = st.text_area("Training text (one sentence per line)", key=keys.PASTE, height=110), "pasted text"
    else:
        st.file_uploader("A UTF-8 .txt file (up to 2 MB)", type=["txt"], key=keys.TXT_FILE, on_change=read_txt_upload)
        upload = ss.get(keys.TXT)
        if upload is None:
            st.info("Upload a text file to train on.")
            return None, None
        if "error" in upload:
            return None, upload["error"]
        text, name = upload["text"], upload["name"]
    try:
        return rc.make_corpus(text, level, name=name), None
    except rc.CorpusError as e:
        return None, str(e)


def describe(corpus: rc.Corpus) -> None:
    """Tokens, vocabulary, the first tokens, and what is held out for validation, folded."""
    tokens = [t for s in corpus.sentences for t in s]
    vocab = list(dict.fromkeys(tokens))
    with st.expander(f"What the text holds: {len(tokens):,} tokens, {len(vocab):,} distinct ({corpus.level} level)"):
        show_tokens(corpus, tokens, vocab)


def show_tokens(corpus: rc.Corpus, tokens: list[str], vocab: list[str]) -> None:
    c1, c2, c3 = st.columns(3)
    c1.metric("tokens", f"{len(tokens):,}")
    c2.metric("vocabulary V", f"{len(vocab):,}")
    c3.metric("sentences" if corpus.level == "word" else "level",
              len(corpus.sentences) if corpus.level == "word" else "char")
    st.caption(f"The first {min(TOKENS_SHOWN, len(tokens))} tokens (␣ is a space, ⏎ a new line):")
    st.code("  ".join(show_token(t) for t in tokens[:TOKENS_SHOWN]), language=None, wrap_lines=True)
    more = f"  … and {len(vocab) - VOCAB_SHOWN:,} more" if len(vocab) > VOCAB_SHOWN else ""
    st.caption("Vocabulary, in order of first appearance (a token's id is its position):")
    st.code("  ".join(show_token(t) for t in vocab[:VOCAB_SHOWN]) + more, language=None, wrap_lines=True)
    st.caption(held_out_text(rc.training.split_corpus(corpus)))


def held_out_text(split) -> str:
    """What the page says about held-out text (``rc.training.split_corpus`` decides)."""
    if split.validation is None:
        return ("**Validation:** this text is too short to hold any out, so the model trains on all of it and "
                "there is no validation loss.")
    unit = "sentences" if split.validation.level == "word" else "characters"
    held = len(split.validation.sentences) if unit == "sentences" else len(split.validation.text)
    return (f"**Validation:** the last {held:,} {unit} ({split.validation.n_tokens:,} tokens) are held out: the "
            "model never trains on them, and its loss on them (the validation loss) is drawn beside the "
            "training loss. A validation loss that rises while the training loss falls means memorising.")
