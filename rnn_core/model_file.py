"""Model files: one ``.npz`` of plain arrays, loaded with ``allow_pickle=False`` and checked.

Keys: the six parameters (``embedding``, ``W_x``, ``W_h``, ``b_h``, ``W_y``, ``b_y``), ``vocab``
(unicode array, V), ``level`` (unicode scalar), ``config`` (unicode scalar: the TrainConfig as
JSON), ``corpus_name`` and ``corpus_text`` (unicode scalars: the training text, possibly empty), ``steps_trained`` (int64 scalar), ``last_loss`` (float64
scalar), ``format`` (unicode scalar, ``rnn-autoregression-lab/1``).
"""

from __future__ import annotations

import io
import json
import math
import os
import zipfile

import numpy as np

from .config import TrainConfig, check_param_count
from .errors import ConfigError, CorpusError, ModelFileError
from .params import NAMES, Model, Params
from .tokens import LEVELS, Vocab, make_corpus

FORMAT = "rnn-autoregression-lab/1"
MAX_FILE_BYTES = 200_000_000
ZIP_MAGIC = b"PK\x03\x04"
MAX_ABS_WEIGHT = 1e6  # far beyond any trained weight; bounds every logit, so the forward pass stays finite
META = ("vocab", "level", "config", "corpus_name", "corpus_text", "steps_trained", "last_loss", "format")


def to_bytes(model: Model) -> bytes:
    """The model as ``.npz`` bytes (for downloads and for ``save``)."""
    buf = io.BytesIO()
    np.savez(
        buf,
        **model.params.as_dict(),
        vocab=np.array(model.vocab.tokens, dtype=str),
        level=np.array(model.level),
        config=np.array(json.dumps(model.config.as_dict())),
        corpus_name=np.array(model.corpus_name),
        corpus_text=np.array(model.corpus_text),
        steps_trained=np.array(model.steps_trained, np.int64),
        last_loss=np.array(model.last_loss, np.float64),
        format=np.array(FORMAT),
    )
    return buf.getvalue()


def save(model: Model, path: str) -> None:
    """Write the model to ``path`` atomically (a half-written file never replaces a good one)."""
    data = to_bytes(model)
    tmp = f"{path}.tmp-{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):  # only when writing or replacing failed
            os.remove(tmp)


def load(path: str) -> Model:
    """Read and check a model file; ModelFileError names what is wrong."""
    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        raise ModelFileError(f"cannot read model file {path!r}: {e.strerror}.") from None
    return from_bytes(data)


def from_bytes(data: bytes) -> Model:
    """Parse ``.npz`` bytes into a Model, refusing anything that is not exactly our format."""
    if len(data) > MAX_FILE_BYTES:
        raise ModelFileError(f"the model file is larger than {MAX_FILE_BYTES:,} bytes.")
    if not data.startswith(ZIP_MAGIC):  # else np.load would try, and name, pickle
        raise ModelFileError("not a model file of this app: it is not an .npz archive.")
    try:
        _check_array_sizes(data)
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
    except ModelFileError:
        raise
    except (OSError, ValueError, zipfile.BadZipFile, EOFError, KeyError) as e:
        raise ModelFileError(f"not a model file of this app (an .npz of plain arrays): {e}") from None
    return _model_from_arrays(arrays)


def _check_array_sizes(data: bytes) -> None:
    """Refuse, before anything is allocated, arrays whose headers claim more than the limit
    (a tiny compressed file can declare a terabyte array)."""
    total = 0
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        for info in z.infolist():
            if not info.filename.endswith(".npy"):
                raise ModelFileError(f"not a model file of this app: it holds {info.filename!r}, "
                                     "and an .npz holds only .npy arrays.")
            with z.open(info) as f:
                version = np.lib.format.read_magic(f)
                if version not in ((1, 0), (2, 0)):
                    raise ModelFileError(f"{info.filename!r} is not a plain .npy array (version {version}).")
                read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                               else np.lib.format.read_array_header_2_0)
                shape, _, dtype = read_header(f)
                total += math.prod(shape) * dtype.itemsize
    if total > MAX_FILE_BYTES:
        raise ModelFileError(f"the model file's arrays claim {total:,} bytes; the limit is {MAX_FILE_BYTES:,}.")


def _model_from_arrays(a: dict[str, np.ndarray]) -> Model:
    missing = [k for k in NAMES + META if k not in a]
    extra = [k for k in a if k not in NAMES + META]
    if missing or extra:
        raise ModelFileError(
            "not a model file of this app: "
            + "; ".join(p for p in (_names("missing", missing), _names("unexpected", extra)) if p)
        )
    if _text(a, "format") != FORMAT:
        raise ModelFileError(f"unknown model format {_text(a, 'format')!r}; expected {FORMAT!r}.")
    vocab = a["vocab"]
    if vocab.dtype.kind != "U" or vocab.ndim != 1 or len(vocab) == 0 or len(set(vocab.tolist())) != len(vocab):
        raise ModelFileError("'vocab' must be a non-empty 1-D array of distinct strings.")
    level = _text(a, "level")
    if level not in LEVELS:
        raise ModelFileError(f"'level' must be word or char, not {level!r}.")
    config = _config(a)
    V, E, H = len(vocab), config.embed_dim, config.hidden_size
    check_shapes(a, V, E, H)
    if a["W_h"].dtype.name != config.dtype:  # a string compare: config may say "auto", no dtype
        raise ModelFileError(f"the parameters are {a['W_h'].dtype} but 'config' says {config.dtype}.")
    steps = a["steps_trained"]
    if steps.shape != () or steps.dtype.kind not in "iu" or int(steps) < 0:
        raise ModelFileError("'steps_trained' must be a non-negative integer scalar.")
    loss = a["last_loss"]
    if loss.shape != () or loss.dtype.kind != "f" or np.isinf(loss):
        raise ModelFileError("'last_loss' must be a finite float scalar (or nan for untrained).")
    params = Params(**{k: a[k] for k in NAMES})
    return Model(params, Vocab(tuple(vocab.tolist())), level, config, _text(a, "corpus_name"),
                 _corpus_text(a, vocab), int(steps), float(loss))


def check_shapes(a: dict[str, np.ndarray], V: int, E: int, H: int) -> None:
    """Every parameter has the shape V, E and H imply, one float dtype, and finite values."""
    expected = {"embedding": (V, E), "W_x": (H, E), "W_h": (H, H), "b_h": (H,), "W_y": (V, H), "b_y": (V,)}
    dtypes = {a[k].dtype for k in NAMES}
    if len(dtypes) != 1 or dtypes.pop() not in (np.float32, np.float64):
        raise ModelFileError("the parameters must all be float32 or all float64.")
    for k, shape in expected.items():
        if a[k].shape != shape:
            raise ModelFileError(f"'{k}' has shape {a[k].shape}; with V={V}, E={E}, H={H} it must be {shape}.")
        if not np.isfinite(a[k]).all():
            raise ModelFileError(f"'{k}' holds non-finite values (nan or inf).")
        if a[k].size and np.abs(a[k]).max() > MAX_ABS_WEIGHT:
            raise ModelFileError(f"'{k}' holds values beyond +-{MAX_ABS_WEIGHT:g}; no model of this app has such weights.")


def _config(a) -> TrainConfig:
    try:
        fields = json.loads(_text(a, "config"))
        config = TrainConfig(**fields)
        check_param_count(len(a["vocab"]), config)
        return config
    except (json.JSONDecodeError, TypeError) as e:
        raise ModelFileError(f"'config' is not a valid training configuration: {e}") from None
    except ConfigError as e:
        raise ModelFileError(f"'config' is out of range: {e}") from None


def _corpus_text(a, vocab) -> str:
    """The stored training text, which must use only tokens of the vocabulary (or be empty)."""
    text, level = _text(a, "corpus_text"), _text(a, "level")
    if text.strip():
        try:
            corpus = make_corpus(text, level)
        except CorpusError as e:
            raise ModelFileError(f"'corpus_text' is not a usable corpus: {e}") from None
        unknown = {t for s in corpus.sentences for t in s} - set(vocab.tolist())
        if unknown:
            raise ModelFileError(f"'corpus_text' has tokens the vocabulary lacks: {sorted(unknown)[:5]}")
    return text


def _text(a, key: str) -> str:
    v = a[key]
    if v.dtype.kind != "U" or v.shape != ():
        raise ModelFileError(f"'{key}' must be a unicode string scalar.")
    return str(v)


def _names(what: str, keys: list[str]) -> str:
    return f"{what} {', '.join(repr(k) for k in keys)}" if keys else ""
