"""rnn_core: the source document's vanilla RNN language model in pure numpy, with traced
autoregressive generation.

    h_t = tanh(W_x x_t + W_h h_{t-1} + b_h)     o_t = W_y h_t + b_y     y_t = softmax(o_t)

The names a reader meets first are here: a ``Model`` (its ``Params``, ``Vocab``, ``TrainConfig``),
a ``Corpus``, one step's ``StepTrace``, a ``Rule``, ``generate`` and ``fork``, ``train``, model
files, the errors a user can fix, the limits of every generation setting, and the preset of the
source document. The rest sits in namespaces: ``rnn_core.decoding`` (sampling, beam search, the
tree, draws), ``rnn_core.analysis`` (influence, gradients, interventions, unit activity, measures)
and ``rnn_core.training`` (settings, suggestions, built-in corpora, history, memory).
"""

from . import analysis, decoding, limits, training
from .config import TrainConfig
from .errors import ConfigError, CorpusError, ModelFileError, RnnCoreError, VocabularyError
from .limits import Limit
from .model import Model, new_model, seed_config, seed_corpus, seed_model
from .model_file import from_bytes, load, save, to_bytes
from .rule import GREEDY, Rule
from .sample import fork, generate
from .step import StepTrace, forward_step, softmax
from .tokens import EOS, Corpus, Vocab, decode, decode_upload, make_corpus
from .train import train
from .weights import Params

__all__ = [
    # the model, its vocabulary and text, training it
    "Model", "Params", "Vocab", "TrainConfig", "Corpus", "EOS", "make_corpus", "decode", "decode_upload",
    "new_model", "train",
    # the preset of the source document: "I love deep learning"
    "seed_corpus", "seed_config", "seed_model",
    # one step and its trace; generation and the picking rules
    "StepTrace", "forward_step", "softmax", "Rule", "GREEDY", "generate", "fork",
    # model files
    "from_bytes", "load", "save", "to_bytes",
    # errors a user can fix
    "ConfigError", "CorpusError", "ModelFileError", "RnnCoreError", "VocabularyError",
    # every generation setting's range; the namespaces
    "Limit", "limits", "decoding", "analysis", "training",
]
