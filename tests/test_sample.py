"""Generation semantics: stopping, limits, greedy, temperature, top-k, top-p, forcing, seeds."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.sample import draw_token, draws

SAMPLE = rc.Rule("sample", temperature=1.0)


def tokens(traces):
    return [tr.token for tr in traces]


def test_greedy_from_I_regenerates_the_seed_sentence(trained_seed):
    traces = rc.generate(trained_seed, "I", rc.GREEDY)
    assert tokens(traces) == ["love", "deep", "learning", "</s>"]
    assert rc.decoding.text_of(trained_seed, traces) == "I love deep learning </s>"
    assert [tr.how for tr in traces] == ["greedy"] * 4
    assert all(tr.rank == 1 and tr.draw is None for tr in traces)


def test_generation_stops_at_end_of_sentence(make_hand_model):
    always_eos = make_hand_model(b_y=(0.0, 0.0, 100.0))
    traces = rc.generate(always_eos, "a", rc.GREEDY, max_tokens=50)
    assert tokens(traces) == ["</s>"]


def test_generation_respects_max_tokens(make_hand_model):
    never_eos = make_hand_model(b_y=(0.0, 0.0, -100.0))
    for n in (1, 7):
        assert len(rc.generate(never_eos, "a", rc.GREEDY, max_tokens=n)) == n
        assert len(rc.generate(never_eos, "a", SAMPLE, max_tokens=n, seed=5)) == n
    # a prompt of two tokens adds one prompt step before the n generated ones
    traces = rc.generate(never_eos, "a b", rc.GREEDY, max_tokens=3)
    assert [tr.how for tr in traces] == ["prompt", "greedy", "greedy", "greedy"]


def test_end_of_sentence_inside_a_prompt_does_not_stop_generation(trained_seed):
    traces = rc.generate(trained_seed, ["I", "</s>", "I"], rc.GREEDY, max_tokens=2)
    assert [tr.how for tr in traces] == ["prompt", "prompt", "greedy", "greedy"]


def test_temperature_zero_is_greedy(random_model):
    greedy = rc.generate(random_model, "one", rc.GREEDY, max_tokens=10)
    cold = rc.generate(random_model, "one", rc.Rule("sample", temperature=0), max_tokens=10, seed=9)
    assert tokens(cold) == tokens(greedy)
    assert all(tr.how == "greedy" and tr.draw is None for tr in cold)


def test_greedy_picks_the_argmax(random_model):
    for tr in rc.generate(random_model, "one", rc.GREEDY, max_tokens=10):
        assert tr.p_token == max(tr.probs.tolist())


# A known distribution: y = [0.1, 0.4, 0.2, 0.3] (logits are its logs, so T = 1 gives y back).
Y = [0.1, 0.4, 0.2, 0.3]
LOGITS = np.log(np.array(Y))


@pytest.mark.parametrize("k, kept", [(1, [1]), (2, [1, 3]), (3, [1, 2, 3]), (4, [0, 1, 2, 3]), (9, [0, 1, 2, 3])])
def test_top_k_keeps_exactly_the_k_most_probable(k, kept):
    d = rc.decoding.sampling_distribution(LOGITS, rc.Rule("sample", top_k=k))
    q, got = d.q, d.kept
    assert got.tolist() == kept
    mass = sum(Y[i] for i in kept)
    np.testing.assert_allclose(q, [Y[i] / mass if i in kept else 0.0 for i in range(4)], rtol=1e-12)


@pytest.mark.parametrize("p, kept", [
    (0.3, [1]),  # 0.4 alone reaches 0.3
    (0.4, [1]),  # exactly 0.4: still the single most probable token
    (0.65, [1, 3]),  # 0.4 + 0.3 = 0.7 >= 0.65
    (0.7, [1, 3]),  # reaches exactly 0.7
    (0.71, [1, 2, 3]),  # needs 0.2 more: 0.9
    (0.95, [0, 1, 2, 3]),
    (1.0, [0, 1, 2, 3]),
])
def test_top_p_keeps_the_smallest_set_reaching_p(p, kept):
    d = rc.decoding.sampling_distribution(LOGITS, rc.Rule("sample", top_p=p))
    q, got = d.q, d.kept
    assert got.tolist() == kept
    mass = sum(Y[i] for i in kept)
    np.testing.assert_allclose(q, [Y[i] / mass if i in kept else 0.0 for i in range(4)], rtol=1e-12)


def test_top_k_then_top_p_and_temperature():
    # T = 0.5 squares and renormalises: [1, 16, 4, 9] / 30; top-k 3 keeps ids 1, 3, 2, renormalised
    # to [16, 9, 4] / 29; top-p 0.8 of that: 16/29 + 9/29 = 25/29 >= 0.8, so ids 1 and 3.
    d = rc.decoding.sampling_distribution(LOGITS, rc.Rule("sample", temperature=0.5, top_k=3, top_p=0.8))
    q, kept = d.q, d.kept
    assert kept.tolist() == [1, 3]
    np.testing.assert_allclose(q, [0.0, 16 / 25, 0.0, 9 / 25], rtol=1e-12)


def test_sampled_steps_record_q_kept_and_draw(random_model):
    rule = rc.Rule("sample", temperature=1.3, top_k=3)
    traces = rc.generate(random_model, "one", rule, max_tokens=10, seed=4, sample=2)
    u = np.random.default_rng([4, 2]).random(10)
    for tr in traces:
        assert tr.how == "sampled" and tr.draw == u[tr.t - 1]
        # expected q by hand: softmax(logits / T) over the 3 largest, renormalised
        e = [math.exp(z / 1.3) for z in tr.logits.tolist()]
        top3 = sorted(range(len(e)), key=lambda i: -e[i])[:3]
        assert list(tr.kept) == sorted(top3)
        np.testing.assert_allclose(tr.q, [e[i] / sum(e[j] for j in top3) if i in top3 else 0 for i in range(len(e))],
                                   rtol=1e-12)
        # inverse CDF: the chosen token's slice of [0, 1) holds u, slices stacked most probable first
        lo, hi = slices_by_hand(tr.q.tolist())
        assert lo[tr.token_id] <= tr.draw < hi[tr.token_id]


def test_same_seed_same_sample_other_seed_or_index_other_draws(random_model):
    run = lambda seed, sample: rc.generate(random_model, "one", SAMPLE, max_tokens=12, seed=seed, sample=sample)  # noqa: E731
    first, again = run(1, 0), run(1, 0)
    assert tokens(first) == tokens(again)
    assert [tr.draw for tr in first] == [tr.draw for tr in again]
    for other in (run(2, 0), run(1, 1)):
        assert other[0].draw != first[0].draw
    texts = {" ".join(tokens(run(1, s))) for s in range(10)}
    assert len(texts) > 1  # sampling an untrained model gives varied texts


def test_prompt_tokens_are_fed_in_not_sampled(trained_seed):
    traces = rc.generate(trained_seed, "I love deep", SAMPLE, seed=0)
    assert [tr.input for tr in traces[:3]] == ["I", "love", "deep"]
    assert [tr.how for tr in traces[:2]] == ["prompt", "prompt"]
    assert [tr.token for tr in traces[:2]] == ["love", "deep"]
    assert traces[2].how == "sampled"
    assert traces[0].h_prev.tolist() == [0.0, 0.0, 0.0]
    assert traces[1].h_prev is traces[0].h  # h_t is fed to step t + 1


def test_fork_forces_a_token_and_recomputes_only_later_steps(random_model):
    rule = rc.Rule("sample", temperature=2.0)
    original = rc.generate(random_model, "one two", rule, max_tokens=8, seed=3)
    assert len(original) == 9  # seed 3 happens to run to the limit: there are later steps to compare
    t = 3  # the second generated step
    new_token = next(v for v in random_model.vocab.tokens if v not in (original[t - 1].token, "</s>"))
    forked = rc.fork(random_model, original, t, new_token, rule, max_tokens=8, seed=3)

    assert all(a is b for a, b in zip(forked[: t - 1], original[: t - 1]))  # reused, not recomputed
    step = forked[t - 1]
    assert (step.token, step.how, step.draw) == (new_token, "forced", None)
    np.testing.assert_array_equal(step.probs, original[t - 1].probs)
    np.testing.assert_array_equal(step.h, original[t - 1].h)
    assert forked[t].input == new_token
    assert forked[t].h_prev is step.h
    u = np.random.default_rng([3, 0]).random(20)
    for tr in forked[t:]:
        assert tr.draw == u[tr.t - 1]  # later steps meet the same random numbers as before
    # the fork is what generation with that token forced gives
    assert len(forked) > t + 1
    again = rc.generate(random_model, "one two", rule, max_tokens=8, seed=3,
                        forced={t: random_model.vocab.id(new_token)})
    assert tokens(again) == tokens(forked)
    assert [tr.how for tr in again] == [tr.how for tr in forked]


def test_fork_refuses_prompt_steps_and_bad_tokens(trained_seed):
    traces = rc.generate(trained_seed, "I love")
    with pytest.raises(rc.ConfigError, match="prompt"):
        rc.fork(trained_seed, traces, 1, "deep")
    with pytest.raises(rc.ConfigError, match="step"):
        rc.fork(trained_seed, traces, 99, "deep")
    with pytest.raises(rc.VocabularyError, match="'cats'"):
        rc.fork(trained_seed, traces, 2, "cats")


def test_draws_of_a_longer_run_extend_those_of_a_shorter_one():
    np.testing.assert_array_equal(draws(3, 1, 5), draws(3, 1, 50)[:5])


def test_unknown_prompt_word_is_named_with_close_suggestions(trained_seed):
    with pytest.raises(rc.VocabularyError) as e:
        rc.generate(trained_seed, "I lov")
    message = str(e.value)
    assert "'lov'" in message and "love" in message and "</s>" not in message


@pytest.mark.parametrize("prompt", ["", "   ", "\n", []])
def test_empty_prompt_is_refused(trained_seed, prompt):
    with pytest.raises(rc.VocabularyError, match="empty"):
        rc.generate(trained_seed, prompt)


@pytest.mark.parametrize("kwargs, word", [
    ({"temperature": -0.1}, "temperature"),
    ({"temperature": float("nan")}, "temperature"),
    ({"temperature": float("inf")}, "temperature"),
    ({"top_k": -1}, "top-k"),
    ({"top_k": 1.5}, "top-k"),
    ({"top_p": 0.0}, "top-p"),
    ({"top_p": -0.5}, "top-p"),
    ({"top_p": 1.01}, "top-p"),
    ({"top_p": float("nan")}, "top-p"),
    ({"strategy": "beam"}, "strategy"),
    ({"min_p": -0.1}, "min-p"),
    ({"min_p": 1.1}, "min-p"),
    ({"typical_p": 0.0}, "typical-p"),
    ({"typical_p": float("nan")}, "typical-p"),
    ({"repetition_penalty": 0.5}, "repetition penalty"),
    ({"repetition_penalty": float("inf")}, "repetition penalty"),
])
def test_rule_validation(kwargs, word):
    with pytest.raises(rc.ConfigError, match=word):
        rc.Rule(**{"strategy": "sample", **kwargs})


@pytest.mark.parametrize("kwargs", [{"max_tokens": 0}, {"max_tokens": -3}, {"max_tokens": 10**6}, {"seed": -1}])
def test_generation_limits_are_checked(trained_seed, kwargs):
    with pytest.raises(rc.ConfigError):
        rc.generate(trained_seed, "I", **kwargs)


def test_teacher_forcing_feeds_the_true_tokens(trained_seed):
    traces = rc.decoding.teacher_forced(trained_seed, ["I", "love", "deep", "learning", "</s>"])
    assert [tr.input for tr in traces] == ["I", "love", "deep", "learning"]
    assert tokens(traces) == ["love", "deep", "learning", "</s>"]
    # the trained model gives each true next token most of its mass; log_prob of a prompt-only path is 0
    assert all(tr.p_token > 0.5 for tr in traces)
    assert rc.decoding.log_prob(traces) == 0.0


def test_log_prob_sums_the_chosen_tokens_log_probabilities(trained_seed):
    traces = rc.generate(trained_seed, "I")
    assert rc.decoding.log_prob(traces) == pytest.approx(sum(math.log(tr.probs[tr.token_id]) for tr in traces),
                                                         rel=1e-12)


def test_traces_json_has_one_step_per_token_fed_in(trained_seed):
    traces = rc.generate(trained_seed, "I love")
    doc = rc.decoding.traces_json(trained_seed, traces)
    assert doc["vocab"] == ["I", "love", "deep", "learning", "</s>"]
    assert doc["text"] == "I love deep learning </s>"
    assert [s["input"] for s in doc["steps"]] == ["I", "love", "deep", "learning"]
    assert doc["steps"][0]["how"] == "prompt"


def slices_by_hand(q: list[float]) -> tuple[list[float], list[float]]:
    """[lo, hi) per token: tokens in order of decreasing q (ties by id), each slice after the last."""
    lo, hi, start = [0.0] * len(q), [0.0] * len(q), 0.0
    for i in sorted(range(len(q)), key=lambda i: (-q[i], i)):
        lo[i], hi[i] = start, start + q[i]
        start += q[i]
    return lo, hi


def test_small_draws_pick_the_most_probable_token():
    """q = [0.1, 0.4, 0.2, 0.3] stacks as 'b' [0, 0.4), 'd' [0.4, 0.7), 'c' [0.7, 0.9), 'a' [0.9, 1)."""
    q = np.array([0.1, 0.4, 0.2, 0.3])
    picks = {u: draw_token(q, u) for u in (0.0, 0.39, 0.4, 0.69, 0.7, 0.89, 0.9, 0.9999, 1.0)}
    assert picks == {0.0: 1, 0.39: 1, 0.4: 3, 0.69: 3, 0.7: 2, 0.89: 2, 0.9: 0, 0.9999: 0, 1.0: 0}
    assert draw_token(np.array([0.0, 0.6, 0.4]), 0.99999999) == 2  # never a token with q = 0


def test_default_sample_from_I_regenerates_the_seed_sentence(trained_seed):
    """The Step-Through page's default (sample, RNG seed 0) tells the seed document's story."""
    traces = rc.generate(trained_seed, "I", rc.Rule("sample"), seed=0)
    assert rc.decoding.text_of(trained_seed, traces) == "I love deep learning </s>"


# ---- more rules inside generation ------------------------------------------------------------

def test_greedy_with_a_repetition_penalty_takes_the_argmax_of_the_penalised_logits(make_hand_model):
    # from 'a': o_1 = [3, -4, 0] + b_y = [1, -4, 0.8]; greedy picks 'a' (1 > 0.8), but 'a' is in
    # the context: a penalty of 2 makes its logit 0.5 < 0.8, so '</s>' wins
    model = make_hand_model(b_y=(-2.0, 0.0, 0.8))
    assert tokens(rc.generate(model, "a", rc.GREEDY, max_tokens=1)) == ["a"]
    (step,) = rc.generate(model, "a", rc.Rule("greedy", repetition_penalty=2.0), max_tokens=1)
    assert (step.token, step.how) == ("</s>", "greedy")
    e = [math.exp(0.5), math.exp(-4.0), math.exp(0.8)]
    np.testing.assert_allclose(step.q, [v / sum(e) for v in e], rtol=1e-12)
    assert step.penalised.tolist() == [0]
    np.testing.assert_allclose(step.logits, [1.0, -4.0, 0.8], atol=1e-14)  # o_t itself is untouched


def test_the_penalty_context_is_every_token_fed_in_so_far(random_model):
    rule = rc.Rule("sample", repetition_penalty=1.5)
    traces = rc.generate(random_model, "one two", rule, max_tokens=8, seed=2)
    for tr in traces:
        fed = {s.input_id for s in traces[: tr.t]}
        assert tr.penalised.tolist() == ([] if tr.how == "prompt" else sorted(fed))


def test_a_tiny_temperature_samples_the_greedy_path_without_warnings(random_model):
    greedy = rc.generate(random_model, "one", rc.GREEDY, max_tokens=10)
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        cold = rc.generate(random_model, "one", rc.Rule("sample", temperature=1e-310), max_tokens=10, seed=9)
    assert tokens(cold) == tokens(greedy)
    assert all(tr.how == "sampled" and tr.q.max() == 1.0 for tr in cold)


def test_sampled_traces_record_each_filter_in_order(random_model):
    rule = rc.Rule("sample", temperature=1.5, top_k=5, min_p=0.2)
    for tr in rc.generate(random_model, "one", rule, max_tokens=6, seed=1):
        top_k, min_p = tr.stages
        assert (top_k.name, min_p.name) == ("top-k", "min-p")
        e = [math.exp(z / 1.5) for z in tr.logits.tolist()]
        five = sorted(sorted(range(len(e)), key=lambda v: -e[v])[:5])
        assert top_k.kept.tolist() == five
        assert min_p.kept.tolist() == [v for v in five if e[v] >= 0.2 * max(e)]
        assert list(tr.kept) == min_p.kept.tolist()
        doc = tr.to_json(random_model.vocab.tokens)
        assert [s["filter"] for s in doc["stages"]] == ["top-k", "min-p"]
        assert doc["kept"] == doc["stages"][-1]["kept"]


@pytest.mark.parametrize("rule", [
    rc.Rule("sample"), rc.Rule("sample", temperature=2.0, top_k=3), rc.Rule("sample", top_p=0.8),
    rc.Rule("sample", min_p=0.3), rc.Rule("sample", temperature=1.5, typical_p=0.7),
], ids=lambda r: r.describe())
def test_each_rule_draws_from_the_distribution_it_reports(rule):
    """Chi-square over 4,000 draws with fixed random numbers: a deterministic check, not a flaky one."""
    o = np.log(np.array([0.05, 0.35, 0.15, 0.25, 0.2]))
    q = rc.decoding.sampling_distribution(o, rule).q
    u = np.random.default_rng(20).random(4000)
    counts = np.bincount([rc.decoding.pick(o, rc.softmax(o), rule, x).token_id for x in u], minlength=5)
    assert (counts[q == 0] == 0).all()
    expected = 4000 * q[q > 0]
    chi2 = float((((counts[q > 0] - expected) ** 2) / expected).sum())
    critical = {1: 10.83, 2: 13.82, 3: 16.27, 4: 18.47}  # chi-square at p = 0.001, by degrees of freedom
    assert chi2 < critical[int((q > 0).sum()) - 1]


# ---- compact traces and cheap summaries ------------------------------------------------------

def test_an_uncut_step_shares_y_as_q_and_stores_no_kept_list(random_model):
    V = len(random_model.vocab)
    for rule in (rc.GREEDY, rc.Rule("sample")):
        for tr in rc.generate(random_model, "one two", rule, max_tokens=5, seed=1):
            assert tr.q is tr.probs and tr.stages == ()
            assert tr.kept == range(V) and len(tr.penalised) == 0
    cut = rc.generate(random_model, "one", rc.Rule("sample", top_k=2), max_tokens=3, seed=1)
    assert all(len(tr.kept) == 2 and tr.q is not tr.probs for tr in cut)


@pytest.mark.parametrize("rule", [
    rc.GREEDY, rc.Rule("sample"), rc.Rule("sample", temperature=1.7, top_p=0.9, repetition_penalty=1.3),
    rc.Rule("sample", temperature=0.8, typical_p=0.8, min_p=0.05),
], ids=lambda r: r.describe())
def test_summaries_pick_exactly_what_generate_picks(random_model, rule):
    for seed, sample in ((0, 0), (0, 1), (7, 3)):
        for forced in (None, {3: 0}):
            traces = rc.generate(random_model, "one two", rule, max_tokens=12, seed=seed, sample=sample, forced=forced)
            summary = rc.decoding.generate_summary(random_model, "one two", rule, max_tokens=12, seed=seed,
                                                   sample=sample,
                                          forced=forced)
            assert [(s.t, s.input, s.token, s.how, s.draw) for s in summary] == \
                   [(tr.t, tr.input, tr.token, tr.how, tr.draw) for tr in traces]
            for s, tr in zip(summary, traces):
                assert (s.p_token, s.rank, s.q_token) == (tr.p_token, tr.rank, float(tr.q[tr.token_id]))
                assert s.log_p == math.log(tr.p_token)
            assert rc.decoding.text_of(random_model, summary) == rc.decoding.text_of(random_model, traces)
            assert rc.decoding.log_prob(summary) == rc.decoding.log_prob(traces)
            assert rc.decoding.ends_with_eos(summary) == rc.decoding.ends_with_eos(traces)


def test_a_summary_holds_no_arrays(random_model):
    (step, *_) = rc.decoding.generate_summary(random_model, "one", rc.Rule("sample", top_k=3), max_tokens=3)
    assert not any(isinstance(getattr(step, f), np.ndarray) for f in step.__dataclass_fields__)


def test_ends_with_eos_is_true_only_when_end_of_sentence_was_picked(trained_seed, make_hand_model):
    assert rc.decoding.ends_with_eos(rc.generate(trained_seed, "I"))
    never_eos = make_hand_model(b_y=(0.0, 0.0, -100.0))
    assert not rc.decoding.ends_with_eos(rc.generate(never_eos, "a", max_tokens=3))
    forced = rc.decoding.teacher_forced(trained_seed, ["I", "love", "deep", "learning", "</s>"])
    assert not rc.decoding.ends_with_eos(forced)
    assert not rc.decoding.ends_with_eos([])


# ---- prompts and the model check -------------------------------------------------------------

def test_a_prompt_longer_than_the_limit_is_refused(random_model):
    longest = " ".join(["one"] * rc.limits.PROMPT_TOKENS.high)
    assert len(rc.generate(random_model, longest, max_tokens=1)) == rc.limits.PROMPT_TOKENS.high
    with pytest.raises(rc.ConfigError, match="501 tokens; the limit is 500"):
        rc.generate(random_model, longest + " one")
    with pytest.raises(rc.ConfigError, match="501 tokens"):
        rc.decoding.generate_summary(random_model, ["one"] * 501)


def test_end_of_sentence_typed_as_the_prompt_is_one_token(trained_seed):
    traces = rc.generate(trained_seed, "</s>", max_tokens=2)
    assert traces[0].input == "</s>" and traces[0].how == "greedy"


def test_regenerates_checks_at_most_the_max_tokens_limit_of_a_long_first_sentence(make_hand_model):
    always_a = make_hand_model(b_y=(100.0, 0.0, 0.0))  # o_a >= 95 > o_b, o_</s>: greedy repeats 'a'
    n = rc.limits.MAX_TOKENS.high
    ok, text = rc.decoding.regenerates(always_a, ["a"] * 12_000)
    assert ok and text == " ".join(["a"] * (n + 1))
    # a difference inside the checked part still counts
    assert rc.decoding.regenerates(always_a, ["a"] * 10 + ["b"] + ["a"] * 12_000) == (False, " ".join(["a"] * (n + 1)))


def test_the_trained_seed_regenerates_its_sentence(trained_seed):
    sentence = ("I", "love", "deep", "learning", "</s>")
    assert rc.decoding.regenerates(trained_seed, sentence) == (True, "I love deep learning </s>")


def draw_by_slices(q: np.ndarray, u: float) -> int:
    """The rule as ``slices`` states it: the first id whose slice holds u, else the last stacked."""
    lo, hi = rc.decoding.slices(q)
    inside = np.flatnonzero((lo <= u) & (u < hi) & (q > 0))
    if len(inside):
        return int(inside[0])
    order = np.argsort(-q, kind="stable")
    return int(order[q[order] > 0][-1])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_draw_token_picks_the_token_whose_slice_holds_u_with_ties_and_zeros(dtype):
    """Random distributions with many equal values and zeros, u anywhere (the slice bounds
    included): the same id as searching ``slices`` itself."""
    rng = np.random.default_rng(7)
    for _ in range(300):
        V = int(rng.integers(1, 40))
        q = rng.choice([0.0, 1.0, 2.0, 3.0, rng.random()], size=V).astype(dtype)
        q[rng.integers(V)] += 1  # at least one token can be drawn
        q /= q.sum()
        _, hi = rc.decoding.slices(q)
        for u in np.concatenate([rng.random(5), hi[q > 0] - 1e-9, hi[q > 0], [0.0, 1.0, 1.0 - 1e-12]]):
            assert draw_token(q, float(u)) == draw_by_slices(q, float(u))


def test_iter_generate_checks_its_arguments_at_once_and_makes_the_steps_generate_makes(trained_seed):
    with pytest.raises(rc.VocabularyError):
        rc.decoding.iter_generate(trained_seed, "you")  # no step asked for yet
    with pytest.raises(rc.ConfigError):
        rc.decoding.iter_generate(trained_seed, "I", max_tokens=0)
    steps = rc.decoding.iter_generate(trained_seed, "I", rc.Rule("sample"), seed=5)
    first = next(steps)
    assert first.t == 1 and first.input == "I"
    expected = rc.generate(trained_seed, "I", rc.Rule("sample"), seed=5)
    assert [tr.token for tr in [first, *steps]] == [tr.token for tr in expected]
