"""Checks of values from outside: text that is not text, unicode arrays read as numbers, JSON
within bounds of size, depth and integer length."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from rnn_core.untrusted import (
    JsonBoundError,
    array_text_problem,
    bounded_json,
    check_text,
    json_depth,
    repaired,
    text_problem,
)


@pytest.mark.parametrize("text, problem", [
    ("café", None),
    ("emoji \U0001f600 and \U0010ffff", None),
    ("caf\udce9", "character 4 is the byte 0xE9, which is not UTF-8"),
    ("a\ud800b", "character 2 is a lone surrogate U+D800, which is not a character"),
    ("\ud83d\ude00", "character 1 is a lone surrogate U+D83D, which is not a character"),  # a pair, unjoined
])
def test_text_problem_names_the_first_character_that_is_not_text(text, problem):
    assert text_problem(text) == problem
    if problem is None:
        text.encode("utf-8")
    else:
        with pytest.raises(UnicodeEncodeError):
            text.encode("utf-8")


def test_check_text_raises_the_given_error_naming_the_field():
    assert check_text("ok", "--text", KeyError) == "ok"
    with pytest.raises(KeyError, match="--text is not valid text: character 2 is the byte 0x80"):
        check_text("a\udc80", "--text", KeyError)


def test_repaired_replaces_each_surrogate_by_one_replacement_character():
    assert repaired("caf\udce9 \ud800x") == "caf\ufffd \ufffdx"
    assert repaired("café") == "café"


def unicode_array(code_points, byteorder="<"):
    return np.frombuffer(np.array(code_points, dtype=f"{byteorder}u4").tobytes(),
                         dtype=f"{byteorder}U{len(code_points)}").reshape(())


@pytest.mark.parametrize("byteorder", ["<", ">"])
def test_unicode_arrays_are_checked_as_numbers_in_either_byte_order(byteorder):
    assert array_text_problem(unicode_array([ord("h"), ord("é")], byteorder)) is None
    assert array_text_problem(unicode_array([ord("h"), 0xD800], byteorder)) == \
        "character 2 is a lone surrogate U+D800, which is not a character"
    assert array_text_problem(unicode_array([0x110000], byteorder)) == \
        "character 1 is U+110000, past the last Unicode character U+10FFFF"


def test_a_bad_string_in_a_unicode_list_is_named_by_its_position():
    a = np.array(["ab", "cd", "ef"])
    codes = a.view(np.uint32).copy()
    codes[5] = 0xDFFF  # string 3, character 2
    assert array_text_problem(codes.view(a.dtype)) == \
        "character 2 of string 3 is a lone surrogate U+DFFF, which is not a character"


@pytest.mark.parametrize("text, depth", [
    ("{}", 1), ('{"a": [1, {"b": []}]}', 4), ('"[[[["', 0), ('["]\\"[[", []]', 2), ("[" * 5000, 5000), ("7", 0),
])
def test_json_depth_counts_brackets_outside_strings(text, depth):
    assert json_depth(text) == depth


def test_bounded_json_parses_within_its_bounds():
    text = json.dumps({"a": [1, -123], "b": "x"})
    assert bounded_json(text, max_chars=len(text), max_depth=2, max_digits=3) == {"a": [1, -123], "b": "x"}


@pytest.mark.parametrize("text, words", [
    ("[" * 4000 + "]" * 4000, "nested 4,000 deep; the limit is 2"),
    ("[" + "9" * 4400 + "]", "an integer of 4,400 digits; the limit is 3"),
    ("-" + "9" * 4, "an integer of 4 digits"),
    (" " * 101, "101 characters long; the limit is 100"),
    ('{"\\ud800": 1}', "not valid text: character 1 is a lone surrogate U+D800"),
    ('["ok", ["caf\\udce9"]]', "the byte 0xE9"),
])
def test_bounded_json_refuses_past_its_bounds_without_recursing(text, words):
    with pytest.raises(JsonBoundError, match=re.escape(words)):
        bounded_json(text, max_chars=100 if len(text) < 200 else 10_000, max_depth=2, max_digits=3)


def test_bounded_json_lets_json_errors_through_as_value_errors():
    with pytest.raises(json.JSONDecodeError):
        bounded_json("{'a': 1}", max_chars=100, max_depth=2, max_digits=3)
