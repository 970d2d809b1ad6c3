"""The Samples view's builders: table numbers, coloured HTML, distinct texts, rules compared.

Samples are ``StepSummary`` lists (what the page keeps); expected numbers are computed here from
full traces' own probabilities with ``math``, not with the functions under test.
"""

import html
import math
import re
from dataclasses import replace

import pytest

import rnn_core as rc
from rnn_core.corpora import builtin_corpus
from ui.generate import samples_view as sv
from ui.generate.state import Settings


@pytest.fixture(scope="module")
def seed():
    """The seed preset trained with its defaults: greedy from "I" gives the sentence back."""
    model = rc.seed_model()
    return rc.train(model, rc.seed_corpus(), model.config)[0]


def summaries(model, prompt, rule, max_tokens, seed, n):
    return [rc.decoding.generate_summary(model, prompt, rule, max_tokens=max_tokens, seed=seed,
                                         sample=i) for i in range(n)]


def test_table_log_prob_and_perplexity_from_the_probabilities(seed):
    rule = rc.Rule("sample", 1.5)
    paths = summaries(seed, "I love", rule, 8, 0, 6)
    table = sv.samples_table(seed, paths, seed.corpus())
    assert table["sample"].tolist() == [1, 2, 3, 4, 5, 6]
    for i, row in enumerate(table.itertuples(index=False)):
        traces = rc.generate(seed, "I love", rule, max_tokens=8, seed=0, sample=i)
        generated = traces[1:]  # "I love": step 1 feeds "I" and takes the prompt's "love"
        assert traces[0].how == "prompt" and all(tr.how == "sampled" for tr in generated)
        lp = sum(math.log(tr.probs[tr.token_id]) for tr in generated)
        assert row[2] == len(generated)
        assert row[5] == pytest.approx(lp, rel=1e-12)
        assert row[6] == pytest.approx(math.exp(-lp / len(generated)), rel=1e-12)
        assert row[1] == "I love " + " ".join(tr.token for tr in generated)
        assert row[3] == (generated[-1].token == "</s>")


def test_table_marks_the_training_sentence_and_counts_distinct(seed):
    greedy = summaries(seed, "I", rc.GREEDY, 10, 0, 3)
    other = summaries(seed, "love", rc.GREEDY, 10, 0, 1)
    table = sv.samples_table(seed, greedy + other, seed.corpus())
    assert table["text"].tolist()[:3] == ["I love deep learning </s>"] * 3
    assert table["training sentence"].tolist() == [True, True, True, False]
    s = sv.summary(table)
    assert (s["samples"], s["distinct"], s["reproduced"]) == (4, 2, 3)
    assert s["mean length"] == pytest.approx((4 * 3 + table["tokens generated"][3]) / 4)


def test_without_stored_text_reproduction_is_unknown(seed):
    bare = replace(seed, corpus_text="")
    table = sv.samples_table(bare, summaries(bare, "I", rc.GREEDY, 10, 0, 2), bare.corpus())
    assert table["training sentence"].isna().all()
    assert sv.summary(table)["reproduced"] is None


def test_char_level_reproduction_compares_lines():
    corpus = builtin_corpus("alphabet (char level)")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=16, embed_dim=16, steps=300))
    model = rc.train(model, corpus, model.config)[0]
    steps = rc.decoding.generate_summary(model, "a", rc.GREEDY, max_tokens=40)
    assert rc.decoding.text_of(model, steps).startswith("abcdefghijklmnopqrstuvwxyz\n")
    table = sv.samples_table(model, [steps, steps[:5]], corpus)
    assert table["training sentence"].tolist() == [True, False]


@pytest.mark.parametrize("record", [rc.generate, rc.decoding.generate_summary])
def test_colored_html_escapes_tokens_and_shows_p_and_rank(record):
    corpus = rc.make_corpus("a < b & c\nc > a", "word")
    model = rc.new_model(corpus, rc.TrainConfig(hidden_size=4, embed_dim=4))
    steps = record(model, "a <", rc.Rule("sample", 1.0), max_tokens=12, seed=5)
    traces = rc.generate(model, "a <", rc.Rule("sample", 1.0), max_tokens=12, seed=5)
    out = sv.colored_html(steps, "word", "#3")
    text_part = re.sub(r"<[^>]+>", "|", out)
    shown = [html.unescape(s) for s in text_part.split("|") if s.strip()]
    assert shown == ["#3", "a", "<"] + [tr.token for tr in traces[1:]]
    assert "<b" not in out and "< " not in out  # nothing from a token became markup
    for tr in traces[1:]:
        p = tr.probs[tr.token_id]
        rank = 1 + sorted(tr.probs, reverse=True).index(p)
        tip = f"step {tr.t} ({tr.how}): p = {p:.4f}, rank {rank}"
        assert f'class="p{min(9, int(p * 10))}" title="{tip}"' in out


def test_p_bins_cover_zero_to_one():
    assert [sv.p_bin(p) for p in (0.0, 0.099, 0.1, 0.55, 0.9, 1.0)] == [0, 0, 1, 5, 9, 9]


def test_distinct_paths_groups_equal_token_sequences(seed):
    paths = summaries(seed, "I", rc.Rule("sample", 1.5), 10, 0, 12)
    groups = sv.distinct_paths(paths)
    texts = [rc.decoding.text_of(seed, p) for p in paths]
    assert [rc.decoding.text_of(seed, p) for p, _ in groups] == list(dict.fromkeys(texts))
    assert [n for _, n in groups] == [texts.count(t) for t in dict.fromkeys(texts)]
    assert sum(n for _, n in groups) == 12 and len(groups) < 12


def test_compared_rules_share_prompt_seed_and_sample_numbers(seed):
    s = Settings("I", rc.Rule("sample"), max_tokens=10, n=4, seed=7, weights=60)
    runs = sv.compare_rules(seed, s, 4, 0.5, 2.0)
    assert list(runs) == ["greedy", "sample, T = 0.5", "sample, T = 2"]
    for (label, paths), rule in zip(runs.items(), [rc.GREEDY, rc.Rule("sample", 0.5), rc.Rule("sample", 2.0)]):
        for i, steps in enumerate(paths):
            expected = rc.generate(seed, "I", rule, max_tokens=10, seed=7, sample=i)
            assert [st.token for st in steps] == [tr.token for tr in expected], label
