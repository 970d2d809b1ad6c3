"""Training memory is known before a run starts and bounded: a huge vocabulary with long lines is
trained in seq_len pieces within the budget, settings that cannot fit (with the estimate's margin)
are refused before any large allocation with the settings that would fit, and the estimate, less
the process's own share, is an upper bound of what a recorded run really allocates (tracemalloc
counts numpy's buffers). benchmarks/train_memory.py compares the whole estimate with the peak RSS
of a training worker."""

import tracemalloc
from dataclasses import replace

import numpy as np
import pytest

import rnn_core as rc
from rnn_core import bptt
from rnn_core.batches import batches
from rnn_core.config import TRAIN_MEMORY_BUDGET
from rnn_core.footprint import MARGIN, check_training_memory, memory_estimate, training_memory, within

MB = 2**20


def single_line_of_20k_words(n_bytes: int = 610_000) -> str:
    """One line, no newline, of 19,999 distinct words repeated to n_bytes: with </s>, a vocabulary
    of 20,000, the most make_corpus accepts."""
    line = " ".join(f"w{i}" for i in range(19_999))
    return " ".join([line] * (n_bytes // len(line) + 1))[:n_bytes].rsplit(" ", 1)[0]


@pytest.fixture(scope="module")
def long_line():
    corpus = rc.make_corpus(single_line_of_20k_words(), "word")
    assert len(corpus.text.encode()) > 600_000 and len(corpus.sentences) == 1
    assert len(set(corpus.sentences[0])) == 20_000
    return corpus


def traced_peak(run) -> int:
    """Peak bytes allocated (and traced) while ``run()`` runs."""
    tracemalloc.start()
    try:
        run()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_a_610_kb_single_line_of_20k_words_trains_in_pieces_within_the_budget(long_line):
    """Before: one (T ~ 80k) x 20k step, about 18 GiB. Now: pieces of seq_len = 32 words."""
    config = rc.TrainConfig(steps=2)
    need = memory_estimate(long_line, config)
    assert (need.shape.T, need.shape.B) == (config.seq_len, 1)
    assert need.total < 128 * MB < TRAIN_MEMORY_BUDGET
    model = rc.new_model(long_line, config)
    result = {}
    peak = traced_peak(lambda: result.update(run=rc.train(model, long_line, config)))
    trained, report = result["run"]
    assert report.status == "done" and len(report.losses) == 2
    assert peak <= need.total - need.process


def cut_words(n_lines: int, words_per_line: int, vocab: int) -> str:
    rng = np.random.default_rng(0)
    words = np.array([f"w{i}" for i in range(vocab)])
    return "\n".join(" ".join(rng.choice(words, words_per_line)) for _ in range(n_lines))


@pytest.fixture(scope="module")
def wide_corpus():
    """128 lines of 128 words from 5,000: with batch 128 and seq_len 128 a step holds 16,384
    positions x 5,000 probabilities, 2 x 328 MB in float32."""
    return rc.make_corpus(cut_words(128, 128, 5_000), "word")


def test_settings_too_large_are_refused_before_any_large_allocation(wide_corpus):
    config = rc.TrainConfig(steps=1, batch_size=128, seq_len=128)
    model = rc.new_model(wide_corpus, config)
    assert training_memory(wide_corpus, config, model) > TRAIN_MEMORY_BUDGET
    refusals = []

    def attempt():
        try:
            rc.train(model, wide_corpus, config)
        except rc.ConfigError as e:
            refusals.append(str(e))

    peak = traced_peak(attempt)
    assert len(refusals) == 1
    assert "memory" in refusals[0] and "batch size of at most" in refusals[0]
    assert "sequence length of at most" in refusals[0]
    assert peak < 16 * MB  # the refusal costs a few index lists, not the 656 MB of a step


def suggested(message: str, what: str) -> int:
    return int(message.split(f"{what} of at most ")[1].split(",")[0].split(" ")[0].rstrip("."))


def test_the_suggested_settings_are_the_largest_that_fit(wide_corpus):
    config = rc.TrainConfig(steps=1, batch_size=128, seq_len=128)
    with pytest.raises(rc.ConfigError) as refused:
        check_training_memory(wide_corpus, config)
    batch, seq = suggested(str(refused.value), "batch size"), suggested(str(refused.value), "sequence length")
    for change, fits in (("batch_size", batch), ("seq_len", seq)):
        assert within(training_memory(wide_corpus, replace(config, **{change: fits})), TRAIN_MEMORY_BUDGET)
        assert not within(training_memory(wide_corpus, replace(config, **{change: fits + 1})), TRAIN_MEMORY_BUDGET)


def test_a_run_is_refused_when_its_estimate_plus_the_margin_passes_the_budget(wide_corpus):
    """An estimate just under the budget could, 10% short, pass it: refused; one the margin
    keeps under the budget is not."""
    config = rc.TrainConfig(steps=1, batch_size=128, seq_len=128)
    need = training_memory(wide_corpus, config)
    with pytest.raises(rc.ConfigError, match="10% short"):
        check_training_memory(wide_corpus, config, budget=int(need * (1 + MARGIN / 2)))
    assert check_training_memory(wide_corpus, config, budget=int(need * (1 + MARGIN)) + 1).total == need


def test_float64_that_would_fit_in_float32_says_so(wide_corpus):
    config = rc.TrainConfig(steps=1, batch_size=64, seq_len=128, dtype="float64")
    assert within(training_memory(wide_corpus, replace(config, dtype="float32")), TRAIN_MEMORY_BUDGET)
    with pytest.raises(rc.ConfigError, match="float32"):
        check_training_memory(wide_corpus, config)
    with pytest.raises(rc.ConfigError, match="float32"):  # a model already built: the same advice
        rc.train(rc.new_model(wide_corpus, config), wide_corpus, config)


@pytest.mark.parametrize("level, text, config", [
    ("word", cut_words(40, 90, 3_000), rc.TrainConfig(steps=3, hidden_size=32, embed_dim=16, dtype="float64")),
    ("word", cut_words(40, 20, 500), rc.TrainConfig(steps=3, batch_size=64, optimizer="sgd")),
    ("char", "the quick brown fox jumps over the lazy dog\n" * 2_000,
     rc.TrainConfig(steps=3, hidden_size=64, embed_dim=32, batch_size=32, seq_len=48)),
])
def test_the_estimate_bounds_what_a_run_allocates(level, text, config):
    corpus = rc.make_corpus(text, level)
    model = rc.new_model(corpus, config)
    need = memory_estimate(corpus, config, model)
    result = {}
    peak = traced_peak(lambda: result.update(run=rc.training.record_training(model, corpus, config)))
    assert result["run"][1].status == "done"
    allocated = need.total - need.process  # the run's own arrays and objects
    assert 0.5 * allocated < peak <= allocated  # an upper bound, and not a wild one


def test_a_run_allocates_one_buffer_set_for_all_its_batch_shapes(monkeypatch):
    """Sentences of 2 to 30 words in batches of 3, cut at 16: many (T, B) shapes, one storage."""
    rng = np.random.default_rng(1)
    lines = [" ".join(f"w{j}" for j in rng.integers(0, 9, n)) for n in range(2, 31)]
    corpus = rc.make_corpus("\n".join(lines), "word")
    config = rc.TrainConfig(steps=40, batch_size=3, seq_len=16)
    model = rc.new_model(corpus, config)
    stream = batches(model, corpus, config)
    assert len({next(stream).X.shape for _ in range(config.steps)}) > 5
    made, real = [], bptt._Storage
    monkeypatch.setattr(bptt, "_Storage", lambda *sizes: made.append(sizes) or real(*sizes))
    _, report = rc.train(model, corpus, config)
    assert report.status == "done"
    assert len(made) == 1 and made[0][:2] == (16 * 3, 3)  # (T*B, B) of the largest batch, once


def test_a_model_too_large_to_build_is_refused_for_its_parameters_before_its_memory():
    corpus = rc.make_corpus(" ".join(f"w{i}" for i in range(12_000)), "word")
    config = rc.TrainConfig(hidden_size=1024, embed_dim=1024)  # 12,001 x 1024 x 2 + ... > 20M parameters
    with pytest.raises(rc.ConfigError, match="parameters"):
        check_training_memory(corpus, config)
