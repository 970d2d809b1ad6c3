"""Model files: one ``.npz`` of plain arrays, loaded with ``allow_pickle=False`` and checked.

Keys (format ``rnn-autoregression-lab/1``):

- the six parameters ``embedding`` (V, E), ``W_x`` (H, E), ``W_h`` (H, H), ``b_h`` (H,),
  ``W_y`` (V, H), ``b_y`` (V,): all float32 or all float64, as ``config`` says;
- ``vocab`` (unicode, (V,)), ``level``, ``config`` (the TrainConfig as JSON), ``corpus_name``,
  ``corpus_text`` (the training text, possibly empty), ``format`` (unicode scalars),
  ``steps_trained`` (int64 scalar), ``last_loss`` (float64 scalar, nan if untrained);
- optionally the training history, all or none of: ``history_losses`` (float64, (n,)),
  ``history_steps`` (int64, (S,)), and per parameter ``history_<name>`` (S, *its shape), its
  dtype) holding the S snapshots (see ``record.History``). Files without them (written before
  history existed) load with ``history`` None.

Loading checks everything that needs no array data first (``archive.Archive``): the member
count, every header's dtype and shape against the config and the limits below, so a small
hostile file is refused before anything large is allocated. Saving writes a temporary file
beside the target and renames it over the target, and removes temporary files that a killed
save left behind.
"""

from __future__ import annotations

import io
import json
import os
import re

import numpy as np

from .archive import Archive, Header
from .config import MAX_PARAMS, TrainConfig, check_param_count
from .errors import ConfigError, CorpusError, ModelFileError, VocabularyError
from .history import MAX_HISTORY_STEPS, MAX_SNAPSHOT_BYTES, MAX_SNAPSHOTS, History, history_problem
from .model import Model
from .tokens import LEVELS, MAX_CORPUS_BYTES, MAX_TOKEN_CHARS, MAX_VOCAB, Vocab, check_vocab, make_corpus
from .untrusted import JsonBoundError, bounded_json
from .weights import NAMES, Params

FORMAT = "rnn-autoregression-lab/1"
ZIP_MAGIC = b"PK\x03\x04"
MAX_ABS_WEIGHT = 1e6  # far beyond any trained weight; bounds every logit, so the forward pass stays finite
META = ("vocab", "level", "config", "corpus_name", "corpus_text", "steps_trained", "last_loss", "format")
HISTORY = ("history_losses", "history_steps") + tuple(f"history_{name}" for name in NAMES)
TEXT_CHARS = {"level": 16, "format": 64, "config": 10_000, "corpus_name": 1_000, "corpus_text": MAX_CORPUS_BYTES}
CONFIG_DEPTH, CONFIG_DIGITS = 2, 30  # 'config' is one flat object; its largest integer (a seed) has 10 digits
MAX_STEPS_TRAINED = 10**12  # a million runs of the longest; also far inside int64, which the file stores
# the largest file the limits allow: parameters, snapshots, losses, vocabulary, text, and 1 MB for the rest
MAX_FILE_BYTES = (8 * MAX_PARAMS + MAX_SNAPSHOT_BYTES + 8 * MAX_HISTORY_STEPS + 4 * MAX_VOCAB * MAX_TOKEN_CHARS
                  + 4 * MAX_CORPUS_BYTES + 1_000_000)


def to_bytes(model: Model) -> bytes:
    """The model as ``.npz`` bytes (for downloads and for ``save``)."""
    buf = io.BytesIO()
    np.savez(
        buf,
        **model.params.as_dict(),
        vocab=np.array(model.vocab.tokens, dtype=str),
        level=np.array(model.level),
        # the weights' own precision: a config built by hand may still say "auto"
        config=np.array(json.dumps({**model.config.as_dict(), "dtype": model.params.W_h.dtype.name})),
        corpus_name=np.array(model.corpus_name),
        corpus_text=np.array(model.corpus_text),
        steps_trained=np.array(model.steps_trained, np.int64),
        last_loss=np.array(model.last_loss, np.float64),
        format=np.array(FORMAT),
        **(history_arrays(model.history, model.params) if model.history is not None else {}),
    )
    return buf.getvalue()


def history_arrays(history: History, params: Params) -> dict[str, np.ndarray]:
    """The history as plain arrays: losses, snapshot steps, and each parameter's snapshots stacked."""
    arrays = {"history_losses": np.asarray(history.losses, np.float64),
              "history_steps": np.asarray(history.steps, np.int64)}
    for name in NAMES:
        empty = np.zeros((0,) + getattr(params, name).shape, getattr(params, name).dtype)
        stacked = [getattr(s, name) for s in history.snapshots]
        arrays[f"history_{name}"] = np.stack(stacked) if stacked else empty
    return arrays


def save(model: Model, path: str) -> None:
    """Write the model to ``path`` atomically: a half-written file never replaces a good one.

    The data goes to ``PATH.tmp-PID`` beside the target, then is renamed over it. A save killed
    before the rename (kill -9, power loss) leaves that file behind; the next save to the same
    path removes those of processes that no longer run.
    """
    data = to_bytes(model)
    remove_stale_temporaries(path)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())  # the rename must not land before the data
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):  # only when writing or replacing failed
            os.remove(tmp)


def remove_stale_temporaries(path: str) -> None:
    """Delete ``PATH.tmp-PID`` files whose process PID has ended. Files of running processes (a
    save in progress) and every other file are left alone."""
    folder = os.path.dirname(os.path.abspath(path))
    pattern = re.compile(re.escape(os.path.basename(path)) + r"\.tmp-(\d+)")
    try:
        names = os.listdir(folder)
    except OSError:
        return  # the save itself will report the folder
    for name in names:
        m = pattern.fullmatch(name)
        if m and not process_exists(int(m.group(1))):
            try:
                os.remove(os.path.join(folder, name))
            except OSError:
                pass  # another save removed it first, or it is not ours to remove


def process_exists(pid: int) -> bool:
    """Whether process ``pid`` runs (or might: one we may not signal, or cannot ask about)."""
    try:
        os.kill(pid, 0)  # signal 0: no signal, only the check
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True
    return True


def load(path: str) -> Model:
    """Read and check a model file; ModelFileError names what is wrong."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ModelFileError(f"cannot read model file {path!r}: {e.strerror}.") from None
    return from_bytes(data)


def from_bytes(data: bytes) -> Model:
    """Parse ``.npz`` bytes into a Model, refusing anything that is not exactly our format.

    Every header is checked before any array is read; the few small text arrays that the shape
    checks need (vocab, config, ...) are read before the parameters.
    """
    if len(data) > MAX_FILE_BYTES:
        raise ModelFileError(f"the model file is larger than {MAX_FILE_BYTES:,} bytes.")
    if not data.startswith(ZIP_MAGIC):  # else np.load would try, and name, pickle
        raise ModelFileError("not a model file of this app: it is not an .npz archive.")
    archive = Archive(data, MAX_FILE_BYTES)
    headers = archive.headers
    check_keys(headers)
    check_meta_headers(headers)
    meta = {k: archive.read(k) for k in META}
    vocab, level, config = check_meta(meta)
    V, E, H = len(vocab), config.embed_dim, config.hidden_size
    check_shapes(headers, V, E, H, np.dtype(config.dtype))
    if HISTORY[0] in headers:
        check_history_headers(headers, V, E, H)
    check_total(headers)
    params = Params(**{k: checked_values(k, archive.read(k)) for k in NAMES})
    history = read_history(archive, params, int(meta["steps_trained"])) if HISTORY[0] in headers else None
    return Model(params, Vocab(vocab), level, config, _text(meta, "corpus_name"), _corpus_text(meta, vocab, level),
                 int(meta["steps_trained"]), float(meta["last_loss"]), history)


def check_keys(headers: dict[str, Header]) -> None:
    """Every required key, no unknown one, and the history's keys all or none."""
    missing = [k for k in NAMES + META if k not in headers]
    extra = [k for k in headers if k not in NAMES + META + HISTORY]
    if missing or extra:
        raise ModelFileError(
            "not a model file of this app: "
            + "; ".join(p for p in (_names("missing", missing), _names("unexpected", extra)) if p)
        )
    present = [k for k in HISTORY if k in headers]
    if present and len(present) != len(HISTORY):
        raise ModelFileError("the training history is incomplete: "
                             + _names("missing", [k for k in HISTORY if k not in headers]))


def check_meta_headers(h: dict[str, Header]) -> None:
    """Kinds, shapes and sizes of the metadata, from the headers alone."""
    vocab = h["vocab"]
    if vocab.dtype.kind != "U" or vocab.ndim != 1 or vocab.shape[0] == 0:
        raise ModelFileError("'vocab' must be a non-empty 1-D array of distinct strings.")
    if vocab.shape[0] > MAX_VOCAB:
        raise ModelFileError(f"'vocab' has {vocab.shape[0]:,} tokens; the limit is {MAX_VOCAB:,}.")
    if vocab.chars > MAX_TOKEN_CHARS:
        raise ModelFileError(f"'vocab' holds tokens of up to {vocab.chars:,} characters; "
                             f"the limit is {MAX_TOKEN_CHARS}.")
    for key, limit in TEXT_CHARS.items():
        if h[key].dtype.kind != "U" or h[key].shape != ():
            raise ModelFileError(f"'{key}' must be a unicode string scalar.")
        if h[key].chars > limit:
            raise ModelFileError(f"'{key}' is {h[key].chars:,} characters long; the limit is {limit:,}.")
    if h["steps_trained"].shape != () or h["steps_trained"].dtype.kind not in "iu":
        raise ModelFileError("'steps_trained' must be a non-negative integer scalar.")
    if h["last_loss"].shape != () or h["last_loss"].dtype.kind != "f":
        raise ModelFileError("'last_loss' must be a finite float scalar of at least 0 (or nan for untrained).")


def check_meta(a: dict[str, np.ndarray]) -> tuple[tuple[str, ...], str, TrainConfig]:
    """(vocab tokens, level, config) once the metadata's values are read."""
    if _text(a, "format") != FORMAT:
        raise ModelFileError(f"unknown model format {_text(a, 'format')[:64]!r}; expected {FORMAT!r}.")
    level = _text(a, "level")
    if level not in LEVELS:
        raise ModelFileError(f"'level' must be word or char, not {level!r}.")
    tokens = tuple(a["vocab"].tolist())
    try:
        check_vocab(tokens, level)
    except VocabularyError as e:
        raise ModelFileError(f"'vocab' cannot be the vocabulary of a {level}-level model: {e}") from None
    if not 0 <= int(a["steps_trained"]) <= MAX_STEPS_TRAINED:
        raise ModelFileError(f"'steps_trained' must be a whole number from 0 to {MAX_STEPS_TRAINED:,}, "
                             f"not {int(a['steps_trained']):,}.")
    if np.isinf(a["last_loss"]) or a["last_loss"] < 0:  # a cross-entropy is never negative
        raise ModelFileError("'last_loss' must be a finite float scalar of at least 0 (or nan for untrained).")
    return tokens, level, _config(a, len(tokens))


def check_shapes(h: dict, V: int, E: int, H: int, dtype: np.dtype) -> None:
    """Every parameter (header or array: anything with ``shape`` and ``dtype``) has the shape
    V, E and H imply, and all share the config's float dtype."""
    dtypes = {h[k].dtype for k in NAMES}
    if len(dtypes) != 1 or next(iter(dtypes)) not in (np.float32, np.float64):
        raise ModelFileError("the parameters must all be float32 or all float64.")
    if len(h["embedding"].shape) == 2 and len(h["W_h"].shape) == 2:  # sizes the parameters agree on
        E_p, H_p = h["embedding"].shape[1], h["W_h"].shape[0]
        agree = all(h[k].shape == shape for k, shape in param_shapes(V, E_p, H_p).items())
        if agree and (E_p, H_p) != (E, H):
            raise ModelFileError(f"the parameters' shapes say E={E_p}, H={H_p}, but 'config' says E={E}, H={H}.")
    for k, shape in param_shapes(V, E, H).items():
        if h[k].shape != shape:
            raise ModelFileError(f"'{k}' has shape {h[k].shape}; with V={V}, E={E}, H={H} it must be {shape}.")
    if h["W_h"].dtype != dtype:
        raise ModelFileError(f"the parameters are {h['W_h'].dtype} but 'config' says {dtype}.")


def param_shapes(V: int, E: int, H: int) -> dict[str, tuple[int, ...]]:
    return {"embedding": (V, E), "W_x": (H, E), "W_h": (H, H), "b_h": (H,), "W_y": (V, H), "b_y": (V,)}


def check_history_headers(h: dict[str, Header], V: int, E: int, H: int) -> None:
    """The history's arrays fit the model and the limits, from the headers alone."""
    losses, steps = h["history_losses"], h["history_steps"]
    if losses.ndim != 1 or losses.dtype != np.float64:
        raise ModelFileError("'history_losses' must be a 1-D float64 array.")
    if losses.shape[0] > MAX_HISTORY_STEPS:
        raise ModelFileError(f"'history_losses' has {losses.shape[0]:,} losses; the limit is {MAX_HISTORY_STEPS:,}.")
    if steps.ndim != 1 or steps.dtype.kind not in "iu":
        raise ModelFileError("'history_steps' must be a 1-D integer array.")
    S = steps.shape[0]
    if S > MAX_SNAPSHOTS:
        raise ModelFileError(f"'history_steps' lists {S:,} snapshots; the limit is {MAX_SNAPSHOTS}.")
    for name, shape in param_shapes(V, E, H).items():
        k = f"history_{name}"
        if h[k].shape != (S,) + shape or h[k].dtype != h[name].dtype:
            raise ModelFileError(f"'{k}' is {h[k].dtype} {h[k].shape}; with {S} snapshots of this model it must be "
                                 f"{h[name].dtype} {(S,) + shape}.")
    snapshot_bytes = sum(h[f"history_{name}"].data_bytes for name in NAMES)
    if snapshot_bytes > MAX_SNAPSHOT_BYTES:
        raise ModelFileError(f"the history's snapshots take {snapshot_bytes:,} bytes; "
                             f"the limit is {MAX_SNAPSHOT_BYTES:,}.")


def check_total(h: dict[str, Header]) -> None:
    total = sum(header.data_bytes for header in h.values())
    if total > MAX_FILE_BYTES:
        raise ModelFileError(f"the model file's arrays claim {total:,} bytes; the limit is {MAX_FILE_BYTES:,}.")


def checked_values(key: str, v: np.ndarray) -> np.ndarray:
    """``v`` if every value is finite and within MAX_ABS_WEIGHT, else ModelFileError."""
    if not np.isfinite(v).all():
        raise ModelFileError(f"'{key}' holds non-finite values (nan or inf).")
    if v.size and np.abs(v).max() > MAX_ABS_WEIGHT:
        raise ModelFileError(f"'{key}' holds values beyond +-{MAX_ABS_WEIGHT:g}; "
                             "no model of this app has such weights.")
    return v


def read_history(archive: Archive, params: Params, steps_trained: int) -> History:
    """The history's arrays as a ``History``, checked like the parameters and against the model."""
    stacks = {name: checked_values(f"history_{name}", archive.read(f"history_{name}")) for name in NAMES}
    snapshots = tuple(Params(**{name: stacks[name][i] for name in NAMES}) for i in range(len(stacks["b_h"])))
    history = History(archive.read("history_losses"), archive.read("history_steps").astype(np.int64), snapshots)
    problem = history_problem(history, steps_trained, params)
    if problem:
        raise ModelFileError(f"the training history does not fit the model: {problem}.")
    return history


def _config(a, V: int) -> TrainConfig:
    try:
        fields = bounded_json(_text(a, "config"), max_chars=TEXT_CHARS["config"], max_depth=CONFIG_DEPTH,
                              max_digits=CONFIG_DIGITS)
        if not isinstance(fields, dict):
            raise TypeError(f"it is a JSON {type(fields).__name__}, not an object of settings")
        config = TrainConfig(**fields)
        check_param_count(V, config)
    except (JsonBoundError, json.JSONDecodeError, TypeError) as e:
        raise ModelFileError(f"'config' is not a valid training configuration: {str(e).rstrip('.')}.") from None
    except ConfigError as e:
        raise ModelFileError(f"'config' is out of range: {e}") from None
    if config.dtype not in ("float32", "float64"):  # this app writes the weights' precision
        raise ModelFileError(f"'config' must name the parameters' precision, float32 or float64, not {config.dtype!r}.")
    return config


def _corpus_text(a, vocab: tuple[str, ...], level: str) -> str:
    """The stored training text, which must use only tokens of the vocabulary (or be empty)."""
    text = _text(a, "corpus_text")
    if text.strip():
        try:
            corpus = make_corpus(text, level)
        except CorpusError as e:
            raise ModelFileError(f"'corpus_text' is not a usable corpus: {e}") from None
        unknown = {t for s in corpus.sentences for t in s} - set(vocab)
        if unknown:
            raise ModelFileError(f"'corpus_text' has tokens the vocabulary lacks: {sorted(unknown)[:5]}")
    return text


def _text(a, key: str) -> str:
    return str(a[key])


def _names(what: str, keys: list[str]) -> str:
    return f"{what} {', '.join(repr(k[:80]) for k in keys[:10])}" if keys else ""
