"""rnn_core: the seed's vanilla RNN language model in pure numpy, with traced autoregressive generation.

    h_t = tanh(W_x x_t + W_h h_{t-1} + b_h)     o_t = W_y h_t + b_y     y_t = softmax(o_t)
"""

from . import limits
from .config import TrainConfig
from .errors import ConfigError, CorpusError, ModelFileError, RnnCoreError, VocabularyError
from .filters import Distribution, sampling_distribution
from .limits import Limit
from .metrics import effective_vocab, entropy, perplexity
from .model_file import from_bytes, load, save, to_bytes
from .panels import Panel, rule_panels
from .params import Model, Params, init_params, new_model, seed_config, seed_corpus, seed_model
from .rule import GREEDY, Rule
from .sample import (StepSummary, draw_token, draws, ends_with_eos, fork, generate, generate_summary, log_prob,
                     pick, prompt_ids, regenerates, slices, teacher_forced, text_of, traces_json)
from .step import Pick, Stage, StepTrace, forward_step, softmax
from .tokens import EOS, Corpus, Vocab, decode, decode_upload, first_sentence, make_corpus
from .train import StepInfo, TrainReport, mean_loss, sentence_grad_norms, train

__all__ = [
    "EOS", "GREEDY", "ConfigError", "Corpus", "CorpusError", "Distribution", "Limit", "Model", "ModelFileError",
    "Panel", "Params", "Pick", "RnnCoreError", "Rule", "Stage", "StepInfo", "StepSummary", "StepTrace",
    "TrainConfig", "TrainReport", "Vocab", "VocabularyError", "decode", "decode_upload", "draw_token", "draws",
    "effective_vocab", "ends_with_eos", "entropy", "first_sentence", "fork", "forward_step", "from_bytes",
    "generate", "generate_summary", "init_params", "limits", "load", "log_prob", "make_corpus", "mean_loss",
    "new_model", "perplexity", "pick", "prompt_ids", "regenerates", "rule_panels", "sampling_distribution",
    "save", "seed_config", "seed_corpus", "seed_model", "sentence_grad_norms", "slices", "softmax",
    "teacher_forced", "text_of", "to_bytes", "traces_json", "train",
]
