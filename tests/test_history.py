"""Training history: the recorder (losses, smoothed curve, snapshots, live samples, validation
loss), the held-out split, and what happens to a history when training goes on."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

import rnn_core as rc
from rnn_core.history import MAX_SNAPSHOTS, History, spread
from rnn_core.recorder import MAX_VALIDATION_TOKENS, Recorder, ema, interval, record_training, split_corpus
from rnn_core.weights import NAMES

CHAR_TEXT = "".join(f"line {i} says {'ab' * (i % 5)} and stops.\n" for i in range(120))  # 3,500+ characters


def same_params(a: rc.Params, b: rc.Params) -> bool:
    return all(np.array_equal(getattr(a, n), getattr(b, n)) for n in NAMES)


@pytest.fixture(scope="module")
def seed_run():
    model = rc.seed_model()
    trained, report, recorder = record_training(model, rc.seed_corpus(), model.config)
    return model, trained, report, recorder


# ---------------------------------------------------------------- held-out text


def test_char_level_holds_out_the_last_tenth_when_the_text_is_long_enough():
    text = "abcdefghij" * 300  # 3,000 characters
    split = split_corpus(rc.make_corpus(text, "char"))
    assert split.validation.text == text[-300:] and split.train.text == text[:-300]
    assert split.validation.level == "char"


def test_char_level_holds_out_nothing_below_two_thousand_characters():
    corpus = rc.make_corpus("abcdefghij" * 199 + "abcdefghi", "char")  # 1,999
    split = split_corpus(corpus)
    assert split.validation is None and split.train is corpus
    assert split_corpus(rc.make_corpus("abcdefghij" * 200, "char")).validation.text == "abcdefghij" * 20


def test_held_out_text_is_capped_so_validation_stays_cheap():
    text = "abcdefghij" * 5_000  # 50,000 characters: 10% would be 5,000
    split = split_corpus(rc.make_corpus(text, "char"))
    assert len(split.validation.text) == MAX_VALIDATION_TOKENS == 1_000
    assert split.train.text + split.validation.text == text


def test_word_level_holds_out_the_last_tenth_of_the_sentences_from_twenty_on():
    lines = [f"sentence number {i} ends here" for i in range(30)]
    split = split_corpus(rc.make_corpus("\n\n".join(lines), "word"))
    assert [" ".join(s[:-1]) for s in split.validation.sentences] == lines[27:]
    assert [" ".join(s[:-1]) for s in split.train.sentences] == lines[:27]
    assert split_corpus(rc.make_corpus("\n".join(lines[:19]), "word")).validation is None


def test_word_level_held_out_sentences_stop_at_the_token_cap_but_keep_one():
    lines = ["w " * 300 + "end" for _ in range(40)]  # 302 tokens per sentence with </s>
    split = split_corpus(rc.make_corpus("\n".join(lines), "word"))
    assert len(split.validation.sentences) == 3  # 4 would pass 1,000 tokens
    huge = ["w " * 1_500 + "end" for _ in range(20)]
    assert len(split_corpus(rc.make_corpus("\n".join(huge), "word")).validation.sentences) == 1


# ---------------------------------------------------------------- smoothing and schedules


def test_ema_is_bias_corrected_so_it_starts_at_the_first_loss():
    # beta 0.5: m = 0.5, 1.25, 2.625; divided by 1 - 0.5^k = 0.5, 0.75, 0.875
    np.testing.assert_allclose(ema([1.0, 2.0, 4.0], 0.5), [1.0, 1.25 / 0.75, 3.0])
    np.testing.assert_allclose(ema([3.0] * 50), [3.0] * 50)  # a constant stays constant


def test_intervals_give_at_most_ten_points_and_respect_the_cost_bound():
    assert interval(1000, 0.0) == 100  # 10 points
    assert interval(1000, 6.0) == 300  # a 6-step sample may take 2% (OVERHEAD): one per 300 steps
    assert interval(5, 0.0) == 1


def test_spread_keeps_the_first_and_last_and_spaces_the_rest_by_step():
    steps = [0, 1, 2, 3, 4, 5, 100, 200, 300, 400, 500]
    assert [steps[i] for i in spread(steps, 6)] == [0, 100, 200, 300, 400, 500]
    assert spread(steps, 20) == list(range(11))
    assert spread(steps, 1) == [0] and spread(steps, 0) == []


# ---------------------------------------------------------------- what the recorder keeps


def test_recording_does_not_change_training(seed_run):
    model, trained, report, _ = seed_run
    plain, plain_report = rc.train(model, rc.seed_corpus(), model.config)
    assert same_params(trained.params, plain.params)
    assert report.losses == plain_report.losses


def test_losses_and_smoothed_curve_are_kept_for_every_step(seed_run):
    _, trained, report, recorder = seed_run
    assert recorder.losses == report.losses and len(recorder.losses) == 60
    np.testing.assert_allclose(recorder.smoothed, ema(report.losses))
    np.testing.assert_array_equal(trained.history.losses, report.losses)


def test_snapshots_are_the_weights_a_shorter_run_ends_with(seed_run):
    model, trained, _, _ = seed_run
    steps = trained.history.steps.tolist()
    assert steps[0] == 0 and len(steps) == MAX_SNAPSHOTS - 1  # and the final weights are the model's
    assert steps == sorted(set(round(60 * i / 19) for i in range(20)))[:-1]
    assert same_params(trained.history.snapshots[0], model.params)
    for k in (steps[1], steps[10], steps[-1]):
        shorter, _ = rc.train(model, rc.seed_corpus(), replace(model.config, steps=k))
        assert same_params(trained.history.snapshots[steps.index(k)], shorter.params), k
    checkpoints = trained.checkpoints()
    assert [s for s, _ in checkpoints] == steps + [60] and checkpoints[-1][1] is trained.params


def test_live_samples_come_from_the_weights_of_their_step(seed_run):
    model, trained, _, recorder = seed_run
    first, *_, last = recorder.samples
    assert first.step == 0 and last.step == 60
    assert first.text == rc.decoding.text_of(model, rc.generate(model, ["I"], rc.GREEDY, max_tokens=15))
    assert last.text == "I love deep learning </s>"
    assert all(s.step % recorder.sample_every == 0 for s in recorder.samples[:-1])


def test_validation_losses_are_the_mean_loss_on_the_held_out_text():
    corpus = rc.make_corpus(CHAR_TEXT, "char")
    config = rc.TrainConfig(hidden_size=8, embed_dim=4, steps=40)
    model = rc.new_model(corpus, config)  # the vocabulary of the whole text
    trained, report, recorder = record_training(model, corpus, config, validate_every=10)
    split = split_corpus(corpus)
    assert [v.step for v in recorder.validation] == [10, 20, 30, 40]
    assert recorder.validation[-1].loss == pytest.approx(rc.training.mean_loss(trained, split.validation), rel=1e-12)
    at_20, _ = rc.train(model, split.train, replace(config, steps=20))  # trained on the rest only
    assert recorder.validation[1].loss == pytest.approx(rc.training.mean_loss(at_20, split.validation), rel=1e-12)


def test_a_short_corpus_has_no_validation_and_trains_on_everything(seed_run):
    _, _, _, recorder = seed_run
    assert recorder.validation == [] and recorder.validation_corpus is None


def test_a_validation_text_the_vocabulary_lacks_is_refused_before_training():
    model = rc.new_model(rc.make_corpus("ab" * 50, "char"), rc.TrainConfig(steps=5))
    with pytest.raises(rc.VocabularyError):
        Recorder(model, model.config, validation=rc.make_corpus("xyz", "char"))


def test_the_next_callback_is_called_and_can_stop_training():
    model = rc.seed_model()
    seen = []
    trained, report, recorder = record_training(model, rc.seed_corpus(), model.config,
                                                on_step=lambda info: seen.append(info.step) or info.step < 5)
    assert seen == [1, 2, 3, 4, 5] and report.status == "stopped"
    assert trained.steps_trained == 5 and len(trained.history.losses) == 5
    assert trained.history.steps.max() < 5  # the weights of step 5 are the model's own
    assert [s.step for s in recorder.samples] == [0, 5]  # step 0, then the weights it stopped with
    assert recorder.samples[-1].text == rc.decoding.text_of(trained, rc.generate(trained, ["I"], max_tokens=12))


def test_a_diverged_run_keeps_a_history_that_ends_at_the_kept_weights():
    corpus = rc.make_corpus("the cat sat on the mat\nthe dog sat on the log")
    config = rc.TrainConfig(hidden_size=8, embed_dim=8, steps=200, lr=10.0, optimizer="sgd", clip=0.0)
    trained, report, recorder = record_training(rc.new_model(corpus, config), corpus, config)
    assert report.status == "diverged"
    assert trained.history.losses.tolist() == report.losses
    assert trained.history.steps.max() <= trained.steps_trained == len(report.losses)
    assert recorder.losses == report.losses and len(recorder.smoothed) == len(report.losses)
    assert recorder.samples[-1].step == trained.steps_trained  # what the kept weights write


# ---------------------------------------------------------------- training goes on


def test_continuing_a_model_with_history_appends_to_it(seed_run):
    _, trained, _, _ = seed_run
    more, report, recorder = record_training(trained, rc.seed_corpus(), trained.config)
    h = more.history
    assert more.steps_trained == 120
    np.testing.assert_array_equal(h.losses, np.concatenate([trained.history.losses, report.losses]))
    assert recorder.samples[0].step == 60 and recorder.losses == report.losses
    steps = h.steps.tolist()
    assert len(steps) == MAX_SNAPSHOTS and steps[0] == 0 and steps[-1] < 120
    assert max(np.diff(steps + [120])) <= 12  # about evenly spaced over both runs (120 / 20 = 6)
    early = next(i for i, s in enumerate(steps) if 0 < s < 60)
    first_run = dict(zip(trained.history.steps.tolist(), trained.history.snapshots))
    assert same_params(h.snapshots[early], first_run[steps[early]])
    late = next(i for i, s in enumerate(steps) if s > 60)
    again, _ = rc.train(trained, rc.seed_corpus(), replace(trained.config, steps=steps[late] - 60))
    assert same_params(h.snapshots[late], again.params)  # the second run's weights at that step


def test_continuing_a_model_without_history_starts_one_at_its_steps(trained_seed):
    assert trained_seed.history is None
    more, report, _ = record_training(trained_seed, rc.seed_corpus(), replace(trained_seed.config, steps=30))
    assert more.steps_trained == 90 and len(more.history.losses) == 30
    assert more.history.steps[0] == 60 and same_params(more.history.snapshots[0], trained_seed.params)
    loaded = rc.from_bytes(rc.to_bytes(more))
    assert [s for s, _ in loaded.checkpoints()][0] == 60 and len(loaded.history.losses) == 30


def test_with_training_without_a_record_drops_the_history_unless_nothing_changed(seed_run):
    _, trained, _, _ = seed_run
    assert trained.with_training(trained.params, 0, trained.last_loss).history is trained.history
    plain, _ = rc.train(trained, rc.seed_corpus(), replace(trained.config, steps=5))  # no recorder
    assert plain.history is None and plain.steps_trained == 65


def test_with_training_appends_a_record_and_thins_the_snapshots(seed_run):
    _, trained, _, _ = seed_run
    p = trained.params
    record = History(np.full(40, 0.5), np.arange(60, 100, 2, dtype=np.int64), (p,) * 20)
    more = trained.with_training(p, 40, 0.5, record)
    assert more.steps_trained == 100 and len(more.history.losses) == 100
    assert len(more.history.steps) == MAX_SNAPSHOTS and more.history.steps[0] == 0
    assert more.history.steps[-1] == 98  # the latest kept; 100 is the model's own weights


def test_a_model_refuses_an_incoherent_history(seed_run):
    _, trained, _, _ = seed_run
    h = trained.history
    with pytest.raises(ValueError, match="losses"):
        replace(trained, steps_trained=10)  # 60 losses for 10 steps
    with pytest.raises(ValueError, match="increase"):
        replace(trained, history=History(h.losses, h.steps[::-1].copy(), h.snapshots[::-1]))
    small = rc.new_model(rc.make_corpus("a b c"), rc.TrainConfig())
    with pytest.raises(ValueError, match="snapshot"):
        replace(trained, history=History(h.losses, h.steps[:1], (small.params,)))


def test_on_start_hands_over_the_recorder_so_its_samples_can_be_read_while_training():
    model = rc.seed_model()
    seen, live = [], []
    record_training(model, rc.seed_corpus(), model.config, on_start=seen.append,
                    on_step=lambda info: live.append([s.step for s in seen[0].samples]))
    assert len(seen) == 1 and isinstance(seen[0], Recorder)
    assert live[0] == [0]  # the sample of the untrained weights exists before the first step
    assert live[-2] == [0] and live[-1] == [0, 60]  # the last step's sample is there at that step
