"""Links between pages: how one page opens another at a given view, through the URL.

Step-Through reads its walk from its query string (``ui.step.settings``); Home and Generate open
it at a first word, a step or a training snapshot with the keys named here, so no page writes
another page's keys by heart.
"""

from __future__ import annotations

STEP_THROUGH = "pages/step-through.py"
FIRST_WORD, STEP, WEIGHTS = "word", "step", "weights"  # Step-Through's query keys others may set


def step_through(words: str | None = None, step: int | None = None, weights: int | None = None) -> dict[str, str]:
    """Step-Through's query string for a walk from ``words`` (the first word or a prompt), opened
    at ``step`` and replayed with the weights after training step ``weights``."""
    query = {FIRST_WORD: words, STEP: step, WEIGHTS: weights}
    return {key: str(value) for key, value in query.items() if value is not None}
