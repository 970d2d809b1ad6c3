"""rnn_core.model: the start model of a run (one rule for the CLI's --preset and the Train page), and
a model as it was at one of its training checkpoints."""

import numpy as np
import pytest

import rnn_core as rc


def test_the_seed_corpus_starts_from_the_seed_preset_with_the_documents_x_for_I():
    model = rc.training.start_model(rc.seed_corpus(), rc.TrainConfig())
    assert model.params.embedding[model.vocab.id("I")].tolist() == [0.1, 0.3, 0.5]
    preset = rc.seed_model(rc.TrainConfig())
    assert all(np.array_equal(a, b) for a, b in zip(model.params.as_dict().values(), preset.params.as_dict().values()))


def test_the_built_in_seed_corpus_is_the_seed_corpus():
    name = "I love deep learning"
    model = rc.training.start_model(rc.training.builtin_corpus(name), rc.TrainConfig())
    assert model.params.embedding[model.vocab.id("I")].tolist() == [0.1, 0.3, 0.5]


@pytest.mark.parametrize("corpus", [rc.make_corpus("I love deep learning", "word", "pasted text"),
                                    rc.make_corpus("I love deep learning", "char", "I love deep learning")])
def test_the_same_words_under_another_name_or_level_start_from_random_weights(corpus):
    model = rc.training.start_model(corpus, rc.TrainConfig())
    fresh = rc.new_model(corpus, rc.TrainConfig())
    assert np.array_equal(model.params.embedding, fresh.params.embedding)
    assert model.params.embedding[0].tolist() != [0.1, 0.3, 0.5]


def test_too_big_a_start_model_is_refused_with_a_config_error():
    corpus = rc.make_corpus(" ".join(f"w{i}" for i in range(12_000)), "word")
    with pytest.raises(rc.ConfigError, match="parameters"):
        rc.training.start_model(corpus, rc.TrainConfig(hidden_size=1024, embed_dim=1024))


def test_a_model_at_a_checkpoint_has_that_steps_weights_and_loss_and_no_history():
    """Trained 60 steps with its history: the snapshot of step 0 is the untrained preset's
    weights, and a middle snapshot's loss is the one recorded for that update."""
    preset = rc.seed_model()
    trained, _, _ = rc.training.record_training(preset, rc.seed_corpus(), preset.config)
    assert trained.at_checkpoint(trained.steps_trained) is trained
    start = trained.at_checkpoint(0)
    for name, array in start.params.as_dict().items():
        np.testing.assert_array_equal(array, preset.params.as_dict()[name])
    assert (start.steps_trained, start.history) == (0, None) and np.isnan(start.last_loss)
    middle = [step for step, _ in trained.checkpoints()][len(trained.checkpoints()) // 2]
    assert 0 < middle < trained.steps_trained
    at = trained.at_checkpoint(middle)
    assert at.steps_trained == middle and at.last_loss == trained.history.losses[middle - 1]
    with pytest.raises(rc.ConfigError, match="keeps the weights after training steps 0, "):
        trained.at_checkpoint(middle + 1 if middle + 1 not in dict(trained.checkpoints()) else 10**6)
