"""rnn_core.training: everything around ``train`` beyond the model and its config.

Every training setting declared once and the settings suggested for a text (``rnn_core.config``),
the built-in corpora and their known answers (``rnn_core.corpora``), the memory a run needs
(``rnn_core.footprint``), the training history a model keeps and its recorder (``history``,
``recorder``), and the loss and its pieces (``rnn_core.train``).
"""

from .config import SETTING, SETTINGS, TRAIN_MEMORY_BUDGET, Setting, Suggestion, model_dtype, suggest_config
from .corpora import BUILTINS, Builtin, Verdict, builtin_corpus, suggest_for
from .footprint import MemoryEstimate, check_training_memory, memory_estimate, training_memory
from .history import History
from .model import start_model
from .recorder import LiveSample, Recorder, ValidationLoss, ema, record_training, split_corpus
from .tokens import first_sentence, first_sentence_of
from .train import StepInfo, TrainReport, mean_loss, sentence_grad_norms
from .weights import init_params

__all__ = [
    # settings declared once, suggested for a text; the memory a run needs
    "SETTING", "SETTINGS", "Setting", "TRAIN_MEMORY_BUDGET", "Suggestion", "model_dtype", "suggest_config",
    "suggest_for", "MemoryEstimate", "check_training_memory", "memory_estimate", "training_memory",
    # built-in corpora, some with a known answer a trained model's text is checked against
    "BUILTINS", "Builtin", "Verdict", "builtin_corpus", "first_sentence", "first_sentence_of",
    # a run: where it starts, what each update reports, the loss
    "start_model", "init_params", "StepInfo", "TrainReport", "mean_loss", "sentence_grad_norms",
    # training history: the record a model keeps, the recorder, held-out text
    "History", "LiveSample", "Recorder", "ValidationLoss", "ema", "record_training", "split_corpus",
]
