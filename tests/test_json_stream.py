"""JSON documents written a piece at a time: the same JSON as the whole document, streams read
once and in order, later values computed only when the writer reaches them."""

from __future__ import annotations

import io
import json

import pytest

from rnn_core import json_stream


def test_a_document_with_streams_writes_the_json_of_its_resolved_form():
    def doc():
        return {"a": 1, "items": iter([{"x": [1.5, None]}, "é"]), "nested": {"s": iter(range(3)), "t": "</s>"},
                "later": lambda: {"k": True}, "empty": iter(())}
    out = io.StringIO()
    json_stream.write(doc(), out)
    assert out.getvalue().endswith("\n")
    expected = {"a": 1, "items": [{"x": [1.5, None]}, "é"], "nested": {"s": [0, 1, 2], "t": "</s>"},
                "later": {"k": True}, "empty": []}
    assert json.loads(out.getvalue()) == json_stream.resolved(doc()) == expected


def test_a_later_value_is_computed_after_the_streams_before_it_and_items_are_made_one_at_a_time():
    seen = []

    def items():
        for i in range(3):
            seen.append(i)
            yield i

    doc = {"items": items(), "count": lambda: len(seen)}
    pieces = json_stream.chunks(doc)
    assert next(pieces) == "{" and seen == []
    text = "{" + "".join(pieces)
    assert json.loads(text) == {"items": [0, 1, 2], "count": 3}


def test_a_non_finite_number_is_refused_as_in_json_dumps_with_allow_nan_false():
    with pytest.raises(ValueError):
        "".join(json_stream.chunks({"steps": iter([float("nan")])}))
