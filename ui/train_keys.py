"""Every ``st.session_state`` key of the Train page, in one place (all start with ``train_``).

Widget keys hold what a widget shows; the others hold what the page keeps between reruns. Keys
that end in a model version (``versioned``) belong to one model: a new model starts them afresh.
"""

# the corpus (section 1)
SOURCE = "train_source"  # radio: Built-in / Paste text / Upload .txt
BUILTIN = "train_builtin"  # selectbox: the built-in corpus's name
LEVEL = "train_level"  # radio: word / char, for pasted or uploaded text
PASTE = "train_paste"  # text area
TXT_FILE = "train_txt_file"  # uploader of a .txt corpus
TXT = "train_txt"  # {"name", "text"} or {"name", "error"}: the decoded upload

# the settings (section 2): one widget per rnn_core setting, keyed by the setting's name
SETTING_KEYS = {
    "hidden_size": "train_H", "embed_dim": "train_E", "optimizer": "train_opt", "lr": "train_lr",
    "steps": "train_steps", "clip": "train_clip", "seed": "train_seed", "batch_size": "train_batch",
    "seq_len": "train_seq", "dtype": "train_dtype",
}

# a run (section 3)
GO = "train_go"  # the Train button
STOP = "train_stop"  # the Stop button of a live run
ADOPT = "train_adopt"  # "use the last finite weights" after a divergence
LIVE = "train_live"  # the ``ui.train_worker.Job`` while a run trains
RUN = "train_run"  # ``ui.train_state.RunRecord``: how the last run ended
NOTICE = "train_notice"  # (kind, Markdown) saying how the last run ended
CURVE = "train_curve"  # (model version, smoothed losses) of a model trained elsewhere

# looking at the model (sections 4 and 5), and its file (section 6)
SNAPSHOT = "train_snap"  # select slider over the model's checkpoints
SENTENCE = "train_sentence"  # selectbox: which sentence to look inside
REACH_MODEL = "train_reach_model"  # selectbox: the model of the W_h what-if
REACH_SCALE = "train_reach_scale"  # slider: the factor W_h is scaled by
REACH_RESET = "train_reach_reset"  # button: the factor back to 1
UNIT = "train_unit"  # selectbox: the hidden unit that colours the text
NPZ_FILE = "train_npz_file"  # uploader of a model file
FILE_NOTICE = "train_file_notice"  # (kind, Markdown) saying how the last model upload went
DOWNLOAD = "train_download"


def versioned(key: str, version: int) -> str:
    """A widget key that belongs to one model version (a new model gets fresh widgets)."""
    return f"{key}_{version}"
