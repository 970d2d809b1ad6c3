"""rnn_core: the seed's vanilla RNN language model in pure numpy, with traced autoregressive generation.

    h_t = tanh(W_x x_t + W_h h_{t-1} + b_h)     o_t = W_y h_t + b_y     y_t = softmax(o_t)
"""

from .config import TrainConfig
from .errors import ConfigError, CorpusError, ModelFileError, RnnCoreError, VocabularyError
from .history import Recorder, record_training, split_corpus
from .model_file import from_bytes, load, save, to_bytes
from .params import Model, Params, init_params, new_model, seed_config, seed_corpus, seed_model
from .record import History
from .sample import GREEDY, Rule, fork, generate, log_prob, reshape, teacher_forced, text_of, traces_json
from .step import StepTrace, forward_step, softmax
from .tokens import EOS, Corpus, Vocab, decode, decode_upload, make_corpus
from .train import StepInfo, TrainReport, mean_loss, sentence_grad_norms, train

__all__ = [
    "EOS", "GREEDY", "ConfigError", "Corpus", "CorpusError", "History", "Model", "ModelFileError", "Params",
    "Recorder", "RnnCoreError", "Rule", "StepInfo", "StepTrace", "TrainConfig", "TrainReport", "Vocab",
    "VocabularyError", "decode", "decode_upload", "fork", "forward_step", "from_bytes", "generate",
    "init_params", "load", "log_prob", "make_corpus", "mean_loss", "new_model", "reshape", "save",
    "seed_config", "seed_corpus", "seed_model", "sentence_grad_norms", "softmax", "teacher_forced",
    "text_of", "to_bytes", "traces_json", "train",
    "record_training", "split_corpus",
]
