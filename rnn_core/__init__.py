"""rnn_core: the seed's vanilla RNN language model in pure numpy, with traced autoregressive generation.

    h_t = tanh(W_x x_t + W_h h_{t-1} + b_h)     o_t = W_y h_t + b_y     y_t = softmax(o_t)
"""

from . import limits
from .beam import BeamResult, BeamRun, BeamStep, Hypothesis, beam_document, beam_search
from .config import (
                     SETTING,
                     SETTINGS,
                     TRAIN_MEMORY_BUDGET,
                     Setting,
                     Suggestion,
                     TrainConfig,
                     model_dtype,
                     suggest_config,
)
from .corpora import BUILTINS, Builtin, Verdict, builtin_corpus, suggest_for
from .errors import ConfigError, CorpusError, ModelFileError, RnnCoreError, VocabularyError
from .filters import Distribution, kept_mass, sampling_distribution
from .footprint import MemoryEstimate, check_training_memory, memory_estimate, training_memory
from .history import LiveSample, Recorder, ValidationLoss, ema, record_training, split_corpus
from .intervention import HiddenEdit, Intervention, continue_greedy, intervene
from .limits import Limit
from .memory import GradientReach, Influence, gradient_reach, influence, path_tokens, scale_W_h, spectral_radius
from .metrics import effective_vocab, entropy, perplexity
from .model_file import from_bytes, load, save, to_bytes
from .panels import Panel, rule_panels
from .params import Model, Params, init_params, new_model, seed_config, seed_corpus, seed_model, start_model
from .probe import UnitActivity, unit_activity
from .record import History
from .rule import GREEDY, Rule
from .sample import (
                     StepSummary,
                     draw_token,
                     draws,
                     ends_with_eos,
                     fork,
                     generate,
                     generate_summary,
                     iter_generate,
                     log_prob,
                     pick,
                     prompt_ids,
                     regenerates,
                     slices,
                     teacher_forced,
                     text_of,
                     traces_document,
                     traces_json,
)
from .stats import ChiSquare, DrawCounts, chi2_sf, chi_square, draw_counts
from .step import Pick, Stage, StepTrace, forward_step, softmax
from .tokens import EOS, Corpus, Vocab, decode, decode_upload, first_sentence, first_sentence_of, make_corpus
from .train import StepInfo, TrainReport, mean_loss, sentence_grad_norms, train
from .tree import ContinuationTree, FlatTree, Node, merge_paths, sample_tree

__all__ = [
    # model, vocabulary, training
    "EOS", "Corpus", "Model", "Params", "StepInfo", "TrainConfig", "TrainReport", "Vocab", "decode",
    "decode_upload", "first_sentence", "first_sentence_of", "init_params", "make_corpus", "mean_loss", "new_model",
    "seed_config", "seed_corpus", "seed_model", "sentence_grad_norms", "start_model", "train",
    # training settings declared once; memory a run needs
    "SETTING", "SETTINGS", "Setting", "TRAIN_MEMORY_BUDGET", "model_dtype", "MemoryEstimate", "memory_estimate",
    "training_memory", "check_training_memory", "Suggestion", "suggest_config", "suggest_for",
    # built-in corpora, some with a known answer a trained model's text is checked against
    "BUILTINS", "Builtin", "Verdict", "builtin_corpus",
    # errors a user can fix
    "ConfigError", "CorpusError", "ModelFileError", "RnnCoreError", "VocabularyError",
    # model files
    "from_bytes", "load", "save", "to_bytes",
    # one step and its trace; generation and the picking rules
    "Distribution", "GREEDY", "Pick", "Rule", "Stage", "StepSummary", "StepTrace", "draw_token", "draws",
    "ends_with_eos", "fork", "forward_step", "generate", "generate_summary", "iter_generate", "kept_mass", "log_prob",
    "pick", "prompt_ids", "regenerates", "sampling_distribution", "slices", "softmax", "teacher_forced", "text_of",
    "traces_document", "traces_json",
    # limits of every generation setting; measures of a distribution; the rules side by side
    "Limit", "limits", "effective_vocab", "entropy", "perplexity", "Panel", "rule_panels",
    # memory: influence of past tokens, reach of the gradient
    "GradientReach", "Influence", "gradient_reach", "influence", "path_tokens", "scale_W_h", "spectral_radius",
    # interventions on h_{t-1}
    "HiddenEdit", "Intervention", "continue_greedy", "intervene",
    # what each hidden unit tracks
    "UnitActivity", "unit_activity",
    # beam search, recorded step by step as a tree
    "BeamResult", "BeamRun", "BeamStep", "Hypothesis", "beam_document", "beam_search",
    # draws against theory: N draws at a step, chi-square
    "ChiSquare", "DrawCounts", "chi2_sf", "chi_square", "draw_counts",
    # the tree of sampled continuations
    "ContinuationTree", "FlatTree", "Node", "merge_paths", "sample_tree",
    # training history: the record a model keeps, the recorder, held-out text
    "History", "LiveSample", "Recorder", "ValidationLoss", "ema", "record_training", "split_corpus",
]
