"""Every ``st.session_state`` key of the Train page, in one place (all start with ``train_``).

Widget keys hold what a widget shows; the others hold what the page keeps between reruns. Keys
that end in a model version (``versioned``) belong to one model: a new model starts them afresh;
the suggested settings' keys end in the suggestion's version (``setting_key``).
"""

import rnn_core as rc

# the corpus
SOURCE = "train_source"  # radio: Built-in / Paste text / Upload .txt
BUILTIN = "train_builtin"  # selectbox: the built-in corpus's name
LEVEL = "train_level"  # radio: word / char, for pasted or uploaded text
PASTE = "train_paste"  # text area
TXT_FILE = "train_txt_file"  # uploader of a .txt corpus
TXT = "train_txt"  # {"name", "text"} or {"name", "error"}: the decoded upload

# the settings: one widget per rnn_core setting, keyed by the setting's name
SETTING_KEYS = {
    "hidden_size": "train_H", "embed_dim": "train_E", "optimizer": "train_opt", "lr": "train_lr",
    "steps": "train_steps", "clip": "train_clip", "seed": "train_seed", "batch_size": "train_batch",
    "seq_len": "train_seq", "dtype": "train_dtype",
}
SUGGESTED = "train_suggested"  # {setting: value}: the suggestion for the corpus on screen
EDITED = "train_edited"  # {setting: value}: suggested settings the visitor changed (kept over text changes)
SUGGESTION_VERSION = "train_suggestion_version"  # bumped by a new suggestion: its settings get new widgets
USE_SUGGESTION = "train_use_suggestion"  # button: every suggested setting back to its suggested value
SUMMARY = "train_summary"  # container: the settings in one line, beside the Train button

# a run, and the loss curves
GO = "train_go"  # the Train button
STOP = "train_stop"  # the Stop button of a live run
ADOPT = "train_adopt"  # "use the last finite weights" after a divergence
LIVE = "train_live"  # the ``ui.train.worker.Job`` while a run trains
LIVE_TAG = "train_live_tag"  # which model it trains, in words (``ui.train.state.model_tag``)
RUN = "train_run"  # ``ui.train.state.RunRecord``: how the last run ended
NOTICE = "train_notice"  # (kind, Markdown) saying how the last run ended
CURVE = "train_curve"  # (model version, smoothed losses) of a model trained elsewhere
LOG_AXIS = "train_log_axis"  # toggle: the loss curves on a log axis

# looking at the model (folded sections, drawn only when open), and its file
FOLDS = {  # expanders, one per view of the current model: open or not
    "learn": "train_fold_learn", "sentence": "train_fold_sentence", "what_if": "train_fold_what_if",
    "units": "train_fold_units", "weights": "train_fold_weights",
}
SNAPSHOT = "train_snap"  # select slider over the model's checkpoints
SENTENCE = "train_sentence"  # selectbox: which sentence to look inside
REACH_MODEL = "train_reach_model"  # selectbox: the model of the W_h what-if
REACH_SCALE = "train_reach_scale"  # slider: the factor W_h is scaled by
REACH_RESET = "train_reach_reset"  # button: the factor back to 1
UNIT = "train_unit"  # selectbox: the hidden unit that colours the text
NPZ_FILE = "train_npz_file"  # uploader of a model file
FILE_NOTICE = "train_file_notice"  # (kind, Markdown) saying how the last model upload went
DOWNLOAD = "train_download"


def setting_key(name: str, version: int) -> str:
    """The widget key of setting ``name``; a suggested one's carries the suggestion's ``version``."""
    key = SETTING_KEYS[name]
    return versioned(key, version) if name in rc.training.Suggestion.names else key


def versioned(key: str, version: int) -> str:
    """A widget key that belongs to one model version (a new model gets fresh widgets)."""
    return f"{key}_{version}"
