"""JSON documents written a piece at a time, so that the memory a document costs does not grow
with its length (``generate --json`` at V = 20,000 writes about 1.5 MB per step).

A document is a dict whose values may be, besides plain JSON values:

- an iterator (a generator): written as an array, one item at a time, each item dumped as it
  comes and then dropped;
- a callable: called when the writer reaches it (after every stream before it has run), and
  its result written in its place (a value that only the end of a stream knows, such as the
  text of a generated path, or a stream that must not start before another ends).

``chunks`` yields the document's text; ``resolved`` turns it into plain values (for a page that
wants the whole document as a dict). Both consume the iterators, so a document is used once.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO


def _dump(value) -> str:
    return json.dumps(value, allow_nan=False)


def chunks(doc: Any) -> Iterator[str]:
    """The JSON text of ``doc`` in pieces (see the module docstring)."""
    if callable(doc):
        yield from chunks(doc())
    elif isinstance(doc, dict):
        yield "{"
        for i, (key, value) in enumerate(doc.items()):
            yield (", " if i else "") + _dump(str(key)) + ": "
            yield from chunks(value)
        yield "}"
    elif isinstance(doc, Iterator):
        yield "["
        for i, item in enumerate(doc):
            yield (", " if i else "") + _dump(resolved(item))
        yield "]"
    else:
        yield _dump(doc)


def write(doc: Any, out: TextIO) -> None:
    """Write ``doc`` to ``out`` piece by piece, then a newline."""
    for piece in chunks(doc):
        out.write(piece)
    out.write("\n")


def resolved(doc: Any) -> Any:
    """``doc`` with every callable called and every iterator turned into a list, recursively."""
    if callable(doc):
        return resolved(doc())
    if isinstance(doc, dict):
        return {key: resolved(value) for key, value in doc.items()}
    if isinstance(doc, (Iterator, list, tuple)):
        return [resolved(item) for item in doc]
    return doc
