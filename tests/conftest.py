"""Shared fixtures: the trained seed model (trained once per test session) and tiny models
whose weights are chosen by hand, so tests can write their expected numbers down."""

from __future__ import annotations

import math

import numpy as np
import pytest

import rnn_core as rc
from ui.common import datadir


@pytest.fixture(scope="session", autouse=True)
def data_folder(tmp_path_factory):
    """What the app keeps on disk (stored models) goes to a folder of this test run, not to the
    repository's data/; app servers started by browser tests inherit it."""
    with pytest.MonkeyPatch.context() as mp:
        path = tmp_path_factory.mktemp("data")
        mp.setenv(datadir.ENV, str(path))
        yield path


@pytest.fixture(scope="session")
def trained_seed() -> rc.Model:
    """The seed preset trained with its default settings (the model every visitor starts with)."""
    model = rc.seed_model()
    trained, report = rc.train(model, rc.seed_corpus(), model.config)
    assert report.status == "done", report.message
    return trained


def hand_model(b_y=(0.0, 0.0, 0.0)) -> rc.Model:
    """V = 3 ('a', 'b', '</s>'), E = H = 2, with weights chosen so that from 'a' and h_0 = 0:
    a_1 = [ln 2, -ln 3], h_1 = tanh(a_1) = [0.6, -0.8] exactly, o_1 = [3, -4, 0] + b_y."""
    params = rc.Params(
        embedding=np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]]),
        W_x=np.array([[math.log(2), 0.0], [0.0, 0.0]]),
        W_h=np.array([[0.0, -1.0], [1.0, 0.0]]),
        b_h=np.array([0.0, -math.log(3)]),
        W_y=np.array([[5.0, 0.0], [0.0, 5.0], [0.0, 0.0]]),
        b_y=np.array(b_y, dtype=float),
    )
    return rc.Model(params, rc.Vocab(("a", "b", rc.EOS)), "word", rc.TrainConfig(hidden_size=2, embed_dim=2))


@pytest.fixture
def tiny_model() -> rc.Model:
    return hand_model()


@pytest.fixture
def random_model() -> rc.Model:
    """An untrained word model with 8 tokens (7 words and </s>), so sampling has choices."""
    corpus = rc.make_corpus("one two three four five six seven", "word")
    return rc.new_model(corpus, rc.TrainConfig(hidden_size=4, embed_dim=4, seed=3))


@pytest.fixture
def make_hand_model():
    """``hand_model`` itself, for tests that need other output biases b_y."""
    return hand_model
