"""Values from outside the program (model files, argv) checked before anything uses them.

Text must be valid Unicode: a Python ``str`` can hold lone surrogates (U+D800..U+DFFF: what
Python makes of bytes that are not UTF-8 in argv, ``\\udce9`` for a Latin-1 "é") that no
encoder, printer or web page accepts, and numpy's unicode arrays can hold code points past
U+10FFFF that Python cannot even represent (turning them into ``str`` breaks the interpreter's
own invariants), so arrays are checked as numbers before they become strings. JSON is parsed
only within bounds on its size, its nesting depth and the digits of its integers (Python's own
limits answer those with a RecursionError or a ValueError deep inside the parser).
"""

from __future__ import annotations

import json
import re

import numpy as np

MAX_CODE_POINT = 0x10FFFF
SURROGATES = (0xD800, 0xDFFF)
ESCAPED_BYTES = (0xDC80, 0xDCFF)  # surrogateescape: an undecodable byte b arrives as U+DC00 + b
_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT = "\ufffd"


def code_point_problem(code: int) -> str:
    """Why one code point is not text: '\\udce9' -> 'the byte 0xE9, which is not UTF-8'."""
    if ESCAPED_BYTES[0] <= code <= ESCAPED_BYTES[1]:
        return f"the byte 0x{code - 0xDC00:02X}, which is not UTF-8"
    if SURROGATES[0] <= code <= SURROGATES[1]:
        return f"a lone surrogate U+{code:04X}, which is not a character"
    return f"U+{code:X}, past the last Unicode character U+10FFFF"


def text_problem(text: str) -> str | None:
    """Why ``text`` is not valid Unicode text ('character 4 is the byte 0xE9, which is not
    UTF-8'), or None."""
    m = _SURROGATE.search(text)
    if m is None:
        return None
    return f"character {m.start() + 1:,} is {code_point_problem(ord(m.group()))}"


def check_text(text: str, field: str, error: type[Exception]) -> str:
    """``text`` itself, or ``error`` naming ``field`` and the first character that is not text."""
    problem = text_problem(text)
    if problem:
        raise error(f"{field} is not valid text: {problem}.")
    return text


def repaired(text: str) -> str:
    """``text`` with every lone surrogate replaced by U+FFFD (�), so that it can be shown, and
    shows where something was replaced."""
    return _SURROGATE.sub(REPLACEMENT, text)


def array_text_problem(a: np.ndarray) -> str | None:
    """For a numpy unicode array (any shape, either byte order): why its code points are not
    all text, or None. Reads them as numbers, so no invalid ``str`` is ever made."""
    codes = np.ascontiguousarray(a.reshape(-1), dtype=a.dtype.newbyteorder("=")).view(np.uint32)
    bad = (codes > MAX_CODE_POINT) | ((codes >= SURROGATES[0]) & (codes <= SURROGATES[1]))
    if not bad.any():
        return None
    first = int(np.argmax(bad))
    width = a.dtype.itemsize // 4
    where = f"character {first % width + 1:,}" + (f" of string {first // width + 1:,}" if a.size > 1 else "")
    return f"{where} is {code_point_problem(int(codes[first]))}"


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (brackets inside strings do not
    count; for malformed JSON an upper bound), without parsing it."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


class JsonBoundError(ValueError):
    """JSON past one of ``bounded_json``'s bounds."""


def bounded_json(text: str, *, max_chars: int, max_depth: int, max_digits: int):
    """``json.loads(text)`` for text of at most ``max_chars`` characters, nested at most
    ``max_depth`` deep, with integers of at most ``max_digits`` digits, and strings (keys
    included) that are valid text (JSON's ``\\ud800`` escapes can spell lone surrogates).

    Raises JsonBoundError for a bound passed and json.JSONDecodeError for text that is not JSON
    (both ValueErrors), never RecursionError.
    """
    if len(text) > max_chars:
        raise JsonBoundError(f"it is {len(text):,} characters long; the limit is {max_chars:,}")
    depth = json_depth(text)
    if depth > max_depth:
        raise JsonBoundError(f"it is nested {depth:,} deep; the limit is {max_depth}")

    def integer(digits: str) -> int:
        if len(digits.lstrip("-")) > max_digits:
            raise JsonBoundError(f"it holds an integer of {len(digits.lstrip('-')):,} digits; "
                                 f"the limit is {max_digits}")
        return int(digits)

    value = json.loads(text, parse_int=integer)
    _check_strings(value)
    return value


def _check_strings(value) -> None:
    """JsonBoundError if a string anywhere in a parsed JSON value (at most a few levels deep:
    ``bounded_json`` checked the depth first) is not valid text."""
    if isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key)
            _check_strings(item)
    elif isinstance(value, list):
        for item in value:
            _check_strings(item)
    elif isinstance(value, str) and text_problem(value):
        raise JsonBoundError(f"one of its strings is not valid text: {text_problem(value)}")
