"""The training loop: the seed preset learns its sentence, runs are reproducible, the callback can
stop a run, divergence keeps the last good weights, and every precision and level trains."""

import importlib
from dataclasses import replace

import numpy as np
import pytest

import rnn_core
from rnn_core import (
    GREEDY,
    TrainConfig,
    VocabularyError,
    generate,
    make_corpus,
    new_model,
    seed_corpus,
    seed_model,
    train,
)
from rnn_core.corpora import BUILTINS, builtin_corpus
from rnn_core.decoding import text_of
from rnn_core.train import is_diverging, mean_loss
from rnn_core.weights import NAMES

train_mod = importlib.import_module("rnn_core.train")  # the package's ``train`` is the function


def same_weights(a, b) -> bool:
    return all(np.array_equal(getattr(a, k), getattr(b, k)) for k in NAMES)


@pytest.fixture(scope="module")
def trained_seed():
    model = seed_model()
    return model, *train(model, seed_corpus(), model.config)


def test_seed_preset_regenerates_its_sentence(trained_seed):
    _, trained, report = trained_seed
    assert report.status == "done" and report.message == ""
    traces = generate(trained, ["I"], GREEDY, max_tokens=10)
    assert [t.token for t in traces] == ["love", "deep", "learning", "</s>"]
    assert text_of(trained, traces) == "I love deep learning </s>"
    assert trained.steps_trained == trained.config.steps == len(report.losses)
    assert trained.last_loss == report.losses[-1]


def test_seed_loss_decreases(trained_seed):
    model, trained, report = trained_seed
    assert report.losses[0] == pytest.approx(mean_loss(model, seed_corpus()), rel=1e-12)
    assert report.losses[-1] < 0.25 * report.losses[0]
    assert mean_loss(trained, seed_corpus()) < 0.25 * mean_loss(model, seed_corpus())
    assert report.perplexities[-1] == pytest.approx(np.exp(report.losses[-1]))
    assert report.tokens_per_s > 0


def test_train_does_not_modify_the_input_model(trained_seed):
    model, _, _ = trained_seed
    assert same_weights(model.params, seed_model().params)
    assert model.steps_trained == 0


def test_same_seed_gives_bit_identical_weights_and_losses():
    config = rnn_core.seed_config(steps=30)
    a, ra = train(seed_model(config), seed_corpus(), config)
    b, rb = train(seed_model(config), seed_corpus(), config)
    assert same_weights(a.params, b.params)
    assert ra.losses == rb.losses


def test_different_seed_gives_different_weights():
    a, _ = train(seed_model(rnn_core.seed_config(steps=10)), seed_corpus(), rnn_core.seed_config(steps=10))
    c2 = rnn_core.seed_config(steps=10, seed=1)
    b, _ = train(seed_model(c2), seed_corpus(), c2)
    assert not np.array_equal(a.params.W_h, b.params.W_h)


@pytest.mark.parametrize("optimizer,lr", [("sgd", 0.5), ("adam", 0.02), ("adagrad", 0.1)])
def test_each_optimizer_reduces_the_loss(optimizer, lr):
    config = rnn_core.seed_config(optimizer=optimizer, lr=lr, steps=100)
    model = seed_model(config)
    trained, report = train(model, seed_corpus(), config)
    assert report.status == "done"
    assert mean_loss(trained, seed_corpus()) < 0.5 * mean_loss(model, seed_corpus())


def test_callback_sees_every_step_and_can_stop_keeping_weights():
    config = rnn_core.seed_config(steps=20)
    seen, snapshots = [], {}

    def on_step(info):
        seen.append((info.step, info.total, info.loss))
        snapshots[info.step] = info.params.copy()
        return info.step < 7

    trained, report = train(seed_model(config), seed_corpus(), config, on_step)
    assert [s[0] for s in seen] == list(range(1, 8))
    assert all(s[1] == 20 for s in seen)
    assert [s[2] for s in seen] == report.losses
    assert report.status == "stopped" and "7" in report.message
    assert trained.steps_trained == 7
    assert same_weights(trained.params, snapshots[7])
    # the stopped run is exactly the first 7 steps of an uninterrupted one
    full, _ = train(seed_model(config), seed_corpus(), replace(config, steps=7))
    assert same_weights(trained.params, full.params)


def test_callback_returning_none_does_not_stop():
    config = rnn_core.seed_config(steps=5)
    calls = []
    _, report = train(seed_model(config), seed_corpus(), config, lambda info: calls.append(info.step))
    assert calls == [1, 2, 3, 4, 5] and report.status == "done"


def test_is_diverging():
    assert is_diverging(float("nan"), 1.0)
    assert is_diverging(float("inf"), 1.0)
    assert is_diverging(3.5, 1.0)  # more than first + 2 and more than 3x first
    assert not is_diverging(2.5, 1.0)  # 2.5x but only 1.5 nats above: noise on a small loss
    assert not is_diverging(1.2, 1.0)


@pytest.mark.parametrize("bad", [float("nan"), float("inf"), 1e6])
def test_divergence_stops_and_keeps_the_last_weights_with_a_good_loss(monkeypatch, bad):
    """Step 5's loss (of the weights after update 4) is made non-finite or exploding: the run
    stops there and keeps the weights after update 3, whose loss (step 4's) was fine."""
    real, calls = train_mod.loss_and_grads, []

    def poisoned(*args, **kwargs):
        loss, grads, fwd = real(*args, **kwargs)
        calls.append(1)
        return (bad if len(calls) == 5 else loss), grads, fwd

    config = rnn_core.seed_config(steps=20)
    snapshots = {}
    monkeypatch.setattr(train_mod, "loss_and_grads", poisoned)
    trained, report = train(seed_model(config), seed_corpus(), config,
                            lambda info: snapshots.__setitem__(info.step, info.params.copy()))
    assert len(calls) == 5
    assert report.status == "diverged"
    assert "step 5" in report.message and "learning rate" in report.message
    assert sorted(snapshots) == [1, 2, 3, 4]
    assert trained.steps_trained == 3 == len(report.losses)
    assert all(np.isfinite(report.losses))
    assert same_weights(trained.params, snapshots[3])


def test_real_explosion_stops_with_finite_weights(trained_seed):
    """Adam at lr 3 without clipping, continuing the trained preset, blows up for real."""
    _, trained, _ = trained_seed
    config = rnn_core.seed_config(lr=3.0, clip=0.0, steps=100)
    more, report = train(trained, seed_corpus(), config)
    assert report.status == "diverged" and "diverged at step" in report.message
    assert 0 < len(report.losses) < 100 and more.steps_trained == trained.steps_trained + len(report.losses)
    assert all(np.isfinite(getattr(more.params, k)).all() for k in NAMES)
    assert not is_diverging(mean_loss(more, seed_corpus()), report.losses[0])


def test_char_level_trains_on_alphabet_and_regenerates_it():
    b = BUILTINS["alphabet (char level)"]
    corpus = builtin_corpus("alphabet (char level)")
    config = TrainConfig(hidden_size=b.hidden_size, embed_dim=b.hidden_size, steps=b.steps,
                         batch_size=2, seq_len=4)
    model = new_model(corpus, config)
    trained, report = train(model, corpus, config)
    assert report.status == "done"
    assert report.losses[-1] < 0.05
    traces = generate(trained, ["a"], GREEDY, max_tokens=26)
    assert text_of(trained, traces) == "abcdefghijklmnopqrstuvwxyz\n"


def test_word_level_with_several_sentences_learns_them():
    corpus = builtin_corpus("counting")
    b = BUILTINS["counting"]
    config = TrainConfig(hidden_size=b.hidden_size, embed_dim=b.hidden_size, steps=b.steps)
    trained, report = train(new_model(corpus, config), corpus, config)
    assert report.status == "done"
    traces = generate(trained, ["one"], GREEDY, max_tokens=20)
    assert text_of(trained, traces) == "one two three four five six seven eight nine ten </s>"


def test_continuing_a_trained_model(trained_seed):
    _, trained, _ = trained_seed
    config = replace(trained.config, steps=5)
    more, report = train(trained, make_corpus("I love learning", "word"), config)
    assert more.steps_trained == trained.config.steps + 5 and report.status == "done"
    with pytest.raises(VocabularyError, match="cats"):
        train(trained, make_corpus("I love cats", "word"), config)
    with pytest.raises(VocabularyError, match="level"):
        train(trained, make_corpus("I love", "char"), config)


def test_zero_steps_returns_the_same_weights():
    config = rnn_core.seed_config(steps=0)
    model = seed_model(config)
    trained, report = train(model, seed_corpus(), config)
    assert same_weights(trained.params, model.params)
    assert report.losses == [] and report.status == "done" and trained.steps_trained == 0


def test_float32_training_stays_float32_and_learns():
    config = rnn_core.seed_config(dtype="float32")
    model = seed_model(config)
    trained, report = train(model, seed_corpus(), config)
    assert all(getattr(trained.params, k).dtype == np.float32 for k in NAMES)
    assert report.losses[-1] < 0.25 * report.losses[0]
    assert text_of(trained, generate(trained, ["I"], GREEDY)) == "I love deep learning </s>"


def test_char_level_trains_in_float32_by_default_and_float64_when_asked():
    corpus = builtin_corpus("alphabet (char level)")
    for dtype, expected in (("auto", np.float32), ("float64", np.float64)):
        config = TrainConfig(hidden_size=16, embed_dim=16, steps=20, batch_size=2, seq_len=4, dtype=dtype)
        trained, report = train(new_model(corpus, config), corpus, config)
        assert report.status == "done" and report.losses[-1] < report.losses[0]
        assert trained.config.dtype == np.dtype(expected).name
        assert all(getattr(trained.params, k).dtype == expected for k in NAMES)


def test_a_hand_built_model_trains_in_the_precision_of_its_weights(tiny_model):
    assert tiny_model.config.dtype == "auto"  # built by hand, not by new_model
    corpus = make_corpus("a b\nb a", "word")
    trained, report = train(tiny_model, corpus, replace(tiny_model.config, steps=3))
    assert report.status == "done" and trained.config.dtype == "float64"
    assert trained.params.W_h.dtype == np.float64


def _diverged_at_step_2(monkeypatch, config: TrainConfig) -> str:
    """The message of a run whose second loss is made to explode (the run's own settings)."""
    real, calls = train_mod.loss_and_grads, []

    def exploding(*args, **kwargs):
        loss, grads, fwd = real(*args, **kwargs)
        calls.append(1)
        return (1e6 if len(calls) == 2 else loss), grads, fwd

    monkeypatch.setattr(train_mod, "loss_and_grads", exploding)
    _, report = train(seed_model(config), seed_corpus(), config)
    assert report.status == "diverged"
    return report.message


def test_divergence_with_sgd_and_no_clipping_says_to_turn_clipping_on(monkeypatch):
    message = _diverged_at_step_2(monkeypatch, rnn_core.seed_config(steps=10, optimizer="sgd", lr=5.0, clip=0.0))
    assert message.startswith("training diverged at step 2 (loss 1e+06)")
    assert "Lower the learning rate (now 5; try 0.5), or turn on clipping (it is off; try 5)." in message


def test_divergence_with_clipping_on_says_to_clip_harder_not_to_turn_it_on(monkeypatch):
    message = _diverged_at_step_2(monkeypatch, rnn_core.seed_config(steps=10, optimizer="sgd", lr=2.0, clip=5.0))
    assert "turn on clipping" not in message
    assert "Lower the learning rate (now 2; try 0.2), or clip harder (now 5; try 1)" in message
    assert "at most lr x clip = 10." in message  # 2 x 5


@pytest.mark.parametrize("optimizer", ["adam", "adagrad"])
def test_divergence_with_an_adaptive_optimizer_asks_only_for_a_lower_learning_rate(monkeypatch, optimizer):
    message = _diverged_at_step_2(monkeypatch, rnn_core.seed_config(steps=10, optimizer=optimizer, lr=3.0, clip=0.0))
    assert "Lower the learning rate (now 3; try 0.3)" in message
    assert "turn on clipping" not in message and "clip harder" not in message

