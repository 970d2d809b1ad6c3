"""One exception type per kind of bad input, each with a message a user can act on.

All derive from ``RnnCoreError`` (a ``ValueError``) so the CLI and the pages can turn any of
them into one line without catching programming errors by accident.
"""


class RnnCoreError(ValueError):
    """Base class: bad input that the user can fix."""


class VocabularyError(RnnCoreError):
    """A word or character the model's vocabulary does not hold, or an empty prompt."""


class CorpusError(RnnCoreError):
    """A corpus that is empty, not UTF-8, too large, or too small to train on."""


class ConfigError(RnnCoreError):
    """A setting outside its allowed range (sizes, learning rate, top-k, top-p, ...)."""


class ModelFileError(RnnCoreError):
    """A model file that is missing, corrupt, from another program, or inconsistent."""
