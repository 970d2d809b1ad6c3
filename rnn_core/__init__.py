"""rnn_core: the seed's vanilla RNN language model in pure numpy, with traced autoregressive generation.

    h_t = tanh(W_x x_t + W_h h_{t-1} + b_h)     o_t = W_y h_t + b_y     y_t = softmax(o_t)
"""

from .beam import BeamResult, BeamStep, Hypothesis, beam_json, beam_search
from .config import TrainConfig
from .errors import ConfigError, CorpusError, ModelFileError, RnnCoreError, VocabularyError
from .intervention import HiddenEdit, Intervention, continue_greedy, intervene
from .memory import GradientReach, Influence, gradient_reach, influence, path_tokens, scale_W_h, spectral_radius
from .model_file import from_bytes, load, save, to_bytes
from .params import Model, Params, init_params, new_model, seed_config, seed_corpus, seed_model
from .probe import UnitActivity, unit_activity
from .sample import GREEDY, Rule, fork, generate, log_prob, reshape, teacher_forced, text_of, traces_json
from .stats import ChiSquare, DrawCounts, chi2_sf, chi_square, draw_counts
from .step import StepTrace, forward_step, softmax
from .tokens import EOS, Corpus, Vocab, decode, decode_upload, make_corpus
from .train import StepInfo, TrainReport, mean_loss, sentence_grad_norms, train
from .tree import ContinuationTree, FlatTree, Node, merge_paths, sample_tree

__all__ = [
    "EOS", "GREEDY", "ConfigError", "Corpus", "CorpusError", "Model", "ModelFileError", "Params",
    "RnnCoreError", "Rule", "StepInfo", "StepTrace", "TrainConfig", "TrainReport", "Vocab",
    "VocabularyError", "decode", "decode_upload", "fork", "forward_step", "from_bytes", "generate",
    "init_params", "load", "log_prob", "make_corpus", "mean_loss", "new_model", "reshape", "save",
    "seed_config", "seed_corpus", "seed_model", "sentence_grad_norms", "softmax", "teacher_forced",
    "text_of", "to_bytes", "traces_json", "train",
    # memory: influence of past tokens, reach of the gradient
    "GradientReach", "Influence", "gradient_reach", "influence", "path_tokens", "scale_W_h", "spectral_radius",
    # interventions on h_{t-1}
    "HiddenEdit", "Intervention", "continue_greedy", "intervene",
    # what each hidden unit tracks
    "UnitActivity", "unit_activity",
    # beam search, recorded step by step as a tree
    "BeamResult", "BeamStep", "Hypothesis", "beam_json", "beam_search",
    # draws against theory: N draws at a step, chi-square
    "ChiSquare", "DrawCounts", "chi2_sf", "chi_square", "draw_counts",
    # the tree of sampled continuations
    "ContinuationTree", "FlatTree", "Node", "merge_paths", "sample_tree",
]
