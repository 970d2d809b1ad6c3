"""The QR encoder against known answers: the standard's generator polynomials, format and
version tables, Thonky's "HELLO WORLD" codewords, and whole symbols made by another encoder."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

from ui.room import qr

FIXTURES = Path(__file__).resolve().parent / "fixtures" / "qr"


def test_generator_polynomials_match_the_standards_table():
    """Coefficients as powers of alpha (ISO/IEC 18004 Annex A)."""
    assert [qr.LOG[c] for c in qr.generator(7)] == [0, 87, 229, 146, 149, 238, 102, 21]
    assert [qr.LOG[c] for c in qr.generator(10)] == [0, 251, 67, 46, 61, 118, 70, 64, 94, 32, 45]
    assert [qr.LOG[c] for c in qr.generator(13)] == [0, 74, 152, 176, 100, 86, 100, 106, 104, 130, 218, 206, 140,
                                                    78]


def test_error_correction_of_thonkys_hello_world():
    """Thonky's QR tutorial: "HELLO WORLD" (alphanumeric) as 1-M and 1-Q data codewords."""
    one_m = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
    assert qr.ec_codewords(one_m, 10) == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23]
    one_q = one_m[:13]
    assert qr.ec_codewords(one_q, 13) == [168, 72, 22, 82, 217, 54, 156, 0, 46, 15, 180, 122, 16]


FORMAT_TABLE = {  # the standard's table of format information bit sequences, masks 0..7
    "L": ["111011111000100", "111001011110011", "111110110101010", "111100010011101",
          "110011000101111", "110001100011000", "110110001000001", "110100101110110"],
    "M": ["101010000010010", "101000100100101", "101111001111100", "101101101001011",
          "100010111111001", "100000011001110", "100111110010111", "100101010100000"],
    "Q": ["011010101011111", "011000001101000", "011111100110001", "011101000000110",
          "010010010110100", "010000110000011", "010111011011010", "010101111101101"],
    "H": ["001011010001001", "001001110111110", "001110011100111", "001100111010000",
          "000011101100010", "000001001010101", "000110100001100", "000100000111011"],
}


@pytest.mark.parametrize("level", "LMQH")
def test_format_bits_match_the_standards_table(level):
    assert [format(qr.format_bits(level, m), "015b") for m in range(8)] == FORMAT_TABLE[level]


def test_version_bits_match_the_standards_table():
    assert [format(qr.version_bits(v), "018b") for v in (7, 8, 9, 10)] == [
        "000111110010010100", "001000010110111100", "001001101010011001", "001010010011010011"]


def test_the_byte_stream_of_a_short_text():
    """'a' in 1-M: 0100 (byte mode), 00000001 (one byte), 01100001, terminator 0000, then the pad
    codewords 0xEC, 0x11 to 16 codewords."""
    assert qr.data_codewords(b"a", 1, "M") == [0b01000000, 0b00010110, 0b00010000] + [0xEC, 0x11] * 6 + [0xEC]


def read_fixture(path: Path) -> tuple[str, str, int, int, np.ndarray]:
    lines = path.read_text(encoding="utf-8").splitlines()
    level, version, mask = re.match(r"# level (\w), version (\d+), mask (\d)", lines[1]).groups()
    text = lines[2].removeprefix("# text: ")
    matrix = np.array([[c == "#" for c in row] for row in lines[3:]])
    return text, level, int(version), int(mask), matrix


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*.txt")), ids=lambda p: p.stem)
def test_symbols_match_another_encoders_module_for_module(path):
    text, level, version, mask, expected = read_fixture(path)
    symbol = qr.encode(text, level)
    assert symbol.shape == (qr.size(version),) * 2
    assert np.array_equal(symbol, expected)


def test_the_symbol_carries_its_format_bits_in_both_copies():
    symbol = qr.encode("http://127.0.0.1:8501/vote?room=K7QM2XPD", "M")
    n = len(symbol)
    first = [symbol[8, c] for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [symbol[r, 8] for r in (7, 5, 4, 3, 2, 1, 0)]
    second = [symbol[n - 1 - k, 8] for k in range(7)] + [symbol[8, n - 8 + k] for k in range(8)]
    bits = "".join("1" if b else "0" for b in first)
    assert bits == "".join("1" if b else "0" for b in second)
    assert bits in FORMAT_TABLE["M"]
    assert symbol[n - 8, 8]  # the dark module


def test_the_smallest_version_that_fits_and_the_limit():
    assert len(qr.encode("x" * 14, "M")) == 21  # 1-M holds 14 bytes
    assert len(qr.encode("x" * 15, "M")) == 25
    assert len(qr.encode("x" * 213, "M")) == 57  # 10-M holds 213 bytes
    with pytest.raises(qr.QRError):
        qr.encode("x" * 214, "M")


def test_penalty_rules_on_small_patterns():
    """A 6x6 all-light square: every row and column is a run of 6 (3 + 1 = 4 points, 12 lines),
    25 2x2 blocks (75), no finder-like pattern, 0% dark (10 * 10 = 100)."""
    assert qr.penalty(np.zeros((6, 6), bool)) == 12 * 4 + 25 * 3 + 100
    line = np.array([c == "1" for c in "10111010000"])
    assert qr._finder_like(line) == 40
    assert qr._finder_like(np.array([c == "1" for c in "1011101"])) == 40  # the edge counts as light
    assert qr._finder_like(np.array([c == "1" for c in "1111011101111"])) == 0
    assert qr._runs_score(np.array([c == "1" for c in "0000011111101"])) == 3 + 4


def test_svg_draws_every_dark_module_and_nothing_else():
    symbol = qr.encode("room K7QM-2XPD", "M")
    drawn = np.zeros_like(symbol)
    for x, y, w in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", qr.svg(symbol)):
        drawn[int(y) - qr.QUIET, int(x) - qr.QUIET:int(x) - qr.QUIET + int(w)] = True
    assert np.array_equal(drawn, symbol)
    assert f'viewBox="0 0 {len(symbol) + 8} {len(symbol) + 8}"' in qr.svg(symbol)
