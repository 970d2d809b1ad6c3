"""The Generate page's builders: export round trips, table numbers, temperature figure, coloured HTML.

Expected numbers are computed here from the traces' own probabilities and logits with ``math``,
not with the functions under test.
"""

import html
import io
import json
import math
import re
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

import rnn_core as rc
from rnn_core.corpora import builtin_corpus
from ui import generate_view as gv


@pytest.fixture(scope="module")
def seed():
    """The seed preset trained with its defaults: greedy from "I" gives the sentence back."""
    model = rc.seed_model()
    return rc.train(model, rc.seed_corpus(), model.config)[0]


@pytest.fixture(scope="module")
def char_model():
    """An untrained char-level model: its vocabulary holds the newline, which CSV must quote."""
    corpus = builtin_corpus("alphabet (char level)")
    return rc.new_model(corpus, rc.TrainConfig(hidden_size=8, embed_dim=4))


def test_samples_are_generate_with_sample_index(seed):
    rule = rc.Rule("sample", 1.5)
    paths = gv.samples(seed, "I", rule, 12, 7, 4)
    assert len(paths) == 4
    for i, traces in enumerate(paths):
        expected = rc.generate(seed, "I", rule, max_tokens=12, seed=7, sample=i)
        assert [tr.token for tr in traces] == [tr.token for tr in expected]


@pytest.mark.parametrize("which", ["seed", "char_model"])
def test_csv_reads_back_equal_to_the_trace(which, request):
    model = request.getfixturevalue(which)
    traces = rc.generate(model, model.vocab.tokens[0], rc.Rule("sample", 2.0), max_tokens=40, seed=3)
    vocab = model.vocab.tokens
    back = pd.read_csv(io.StringIO(gv.trace_csv(traces, vocab)), keep_default_na=False)
    assert list(back.columns) == ["t", "input", "chosen", "how", "p", "rank"] + [f"y({v})" for v in vocab]
    assert len(back) == len(traces)
    assert back["t"].tolist() == [tr.t for tr in traces]
    assert back["input"].tolist() == [tr.input for tr in traces]
    assert back["chosen"].tolist() == [tr.token for tr in traces]
    assert back["how"].tolist() == [tr.how for tr in traces]
    assert back["p"].tolist() == [float(tr.probs[tr.token_id]) for tr in traces]
    assert back["rank"].tolist() == [1 + sorted(tr.probs, reverse=True).index(tr.probs[tr.token_id]) for tr in traces]
    probs = back[[f"y({v})" for v in vocab]].to_numpy()
    assert np.array_equal(probs, np.array([tr.probs for tr in traces]))  # every digit survives


def test_char_csv_keeps_the_newline_token(char_model):
    traces = rc.generate(char_model, "z", rc.Rule("sample", 1.0), max_tokens=60, seed=0)
    back = pd.read_csv(io.StringIO(gv.trace_csv(traces, char_model.vocab.tokens)), keep_default_na=False)
    assert "y(\n)" in back.columns
    assert "".join(back["chosen"]) == "".join(tr.token for tr in traces)


def test_json_is_the_cli_document(seed):
    traces = rc.generate(seed, "I love", rc.Rule("sample", 1.0), max_tokens=10, seed=1)
    doc = json.loads(gv.trace_json(seed, traces))
    assert set(doc) == {"vocab", "text", "steps"}
    assert doc["vocab"] == ["I", "love", "deep", "learning", "</s>"]
    assert doc["text"] == " ".join(["I"] + [tr.token for tr in traces])
    assert doc["steps"] == [tr.to_json(seed.vocab.tokens) for tr in traces]
    assert [s["probs"] for s in doc["steps"]] == [list(map(float, tr.probs)) for tr in traces]


def test_table_log_prob_and_perplexity_from_the_probabilities(seed):
    paths = gv.samples(seed, "I love", rc.Rule("sample", 1.5), 8, 0, 6)
    table = gv.samples_table(seed, paths, seed.corpus())
    assert table["sample"].tolist() == [1, 2, 3, 4, 5, 6]
    for row, traces in zip(table.itertuples(index=False), paths):
        generated = traces[1:]  # "I love": step 1 feeds "I" and takes the prompt's "love"
        assert traces[0].how == "prompt" and all(tr.how == "sampled" for tr in generated)
        lp = sum(math.log(tr.probs[tr.token_id]) for tr in generated)
        assert row[2] == len(generated)
        assert row[5] == pytest.approx(lp, rel=1e-12)
        assert row[6] == pytest.approx(math.exp(-lp / len(generated)), rel=1e-12)
        assert row[1] == "I love " + " ".join(tr.token for tr in generated)
        assert row[3] == (generated[-1].token == "</s>")


def test_table_marks_the_training_sentence_and_counts_distinct(seed):
    greedy = gv.samples(seed, "I", rc.GREEDY, 10, 0, 3)
    other = gv.samples(seed, "love", rc.GREEDY, 10, 0, 1)
    table = gv.samples_table(seed, greedy + other, seed.corpus())
    assert table["text"].tolist()[:3] == ["I love deep learning </s>"] * 3
    assert table["training sentence"].tolist() == [True, True, True, False]
    s = gv.summary(table)
    assert (s["samples"], s["distinct"], s["reproduced"]) == (4, 2, 3)
    assert s["mean length"] == pytest.approx((4 * 3 + table["tokens generated"][3]) / 4)


def test_without_stored_text_reproduction_is_unknown(seed):
    bare = replace(seed, corpus_text="")
    table = gv.samples_table(bare, gv.samples(bare, "I", rc.GREEDY, 10, 0, 2), bare.corpus())
    assert table["training sentence"].isna().all()
    assert gv.summary(table)["reproduced"] is None


def test_char_level_reproduction_compares_lines():
    corpus = builtin_corpus("alphabet (char level)")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=16, embed_dim=16, steps=300))
    model = rc.train(model, corpus, model.config)[0]
    traces = rc.generate(model, "a", rc.GREEDY, max_tokens=40)
    assert rc.text_of(model, traces).startswith("abcdefghijklmnopqrstuvwxyz\n")
    table = gv.samples_table(model, [traces, traces[:5]], corpus)
    assert table["training sentence"].tolist() == [True, False]


@pytest.mark.parametrize("T", [0.25, 1.0, 2.5])
def test_temperature_figure_is_softmax_of_logits_over_T(seed, T):
    traces = rc.generate(seed, "I", rc.Rule("sample", 1.0), max_tokens=5, seed=2)
    trace = traces[1]
    fig = gv.temperature_figure(trace, seed.vocab.tokens, T)
    e = [math.exp(o / T) for o in trace.logits.tolist()]
    expected = [v / sum(e) for v in e]
    base, reshaped = fig.data
    labels = ["I", "love", "deep", "learning", "&lt;/s&gt;"]  # Plotly reads labels as HTML
    assert list(base.x) == labels and list(reshaped.x) == labels
    assert list(reshaped.y) == pytest.approx(expected, rel=1e-12, abs=1e-15)
    e1 = [math.exp(o) for o in trace.logits.tolist()]
    assert list(base.y) == pytest.approx([v / sum(e1) for v in e1], rel=1e-12, abs=1e-15)


def test_low_temperature_sharpens_high_flattens(seed):
    trace = rc.generate(seed, "I", rc.Rule("sample", 1.0), max_tokens=3, seed=0)[0]
    top = int(np.argmax(trace.probs))
    cold = gv.temperature_figure(trace, seed.vocab.tokens, 0.3).data[1].y
    hot = gv.temperature_figure(trace, seed.vocab.tokens, 3.0).data[1].y
    assert cold[top] > trace.probs[top] > hot[top]


def test_colored_html_escapes_tokens_and_shows_p_and_rank():
    corpus = rc.make_corpus("a < b & c\nc > a", "word")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=4, embed_dim=4))
    traces = rc.generate(model, "a <", rc.Rule("sample", 1.0), max_tokens=12, seed=5)
    out = gv.colored_html(traces, "word", "#3")
    text_part = re.sub(r"<[^>]+>", "|", out)
    shown = [html.unescape(s) for s in text_part.split("|") if s.strip()]
    assert shown == ["#3", "a", "<"] + [tr.token for tr in traces[1:]]
    assert "<b" not in out and "< " not in out  # nothing from a token became markup
    for tr in traces[1:]:
        tip = f"step {tr.t} ({tr.how}): p = {tr.probs[tr.token_id]:.4f}, rank {tr.rank}"
        assert f'class="p{min(9, int(tr.probs[tr.token_id] * 10))}" title="{tip}"' in out


def test_p_bins_cover_zero_to_one():
    assert [gv.p_bin(p) for p in (0.0, 0.099, 0.1, 0.55, 0.9, 1.0)] == [0, 0, 1, 5, 9, 9]


def test_distinct_paths_groups_equal_token_sequences(seed):
    paths = gv.samples(seed, "I", rc.Rule("sample", 1.5), 10, 0, 12)
    groups = gv.distinct_paths(paths)
    texts = [rc.text_of(seed, p) for p in paths]
    assert [rc.text_of(seed, p) for p, _ in groups] == list(dict.fromkeys(texts))
    assert [n for _, n in groups] == [texts.count(t) for t in dict.fromkeys(texts)]
    assert sum(n for _, n in groups) == 12 and len(groups) < 12
