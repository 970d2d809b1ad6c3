"""A QR code drawn here, from the standard (ISO/IEC 18004), so a room's link needs no outside
service and no extra package: byte mode, versions 1 to 10, error correction L, M, Q or H, the
data mask chosen by the standard's penalty rules.

``encode(text)`` returns the symbol as a boolean matrix (True = dark, no quiet zone);
``svg(matrix)`` draws it. The steps follow the standard's order: the bit stream, Reed-Solomon
error correction per block, interleaving, the function patterns, the codewords placed in the
zigzag, the eight masks scored, format and version information.
"""

from __future__ import annotations

import numpy as np

LEVEL_BITS = {"L": 0b01, "M": 0b00, "Q": 0b11, "H": 0b10}
# Per version: total codewords, then per level (EC codewords per block, [(blocks, data codewords per block), ...])
BLOCKS = {
    1: (26, {"L": (7, [(1, 19)]), "M": (10, [(1, 16)]), "Q": (13, [(1, 13)]), "H": (17, [(1, 9)])}),
    2: (44, {"L": (10, [(1, 34)]), "M": (16, [(1, 28)]), "Q": (22, [(1, 22)]), "H": (28, [(1, 16)])}),
    3: (70, {"L": (15, [(1, 55)]), "M": (26, [(1, 44)]), "Q": (18, [(2, 17)]), "H": (22, [(2, 13)])}),
    4: (100, {"L": (20, [(1, 80)]), "M": (18, [(2, 32)]), "Q": (26, [(2, 24)]), "H": (16, [(4, 9)])}),
    5: (134, {"L": (26, [(1, 108)]), "M": (24, [(2, 43)]), "Q": (18, [(2, 15), (2, 16)]),
              "H": (22, [(2, 11), (2, 12)])}),
    6: (172, {"L": (18, [(2, 68)]), "M": (16, [(4, 27)]), "Q": (24, [(4, 19)]), "H": (28, [(4, 15)])}),
    7: (196, {"L": (20, [(2, 78)]), "M": (18, [(4, 31)]), "Q": (18, [(2, 14), (4, 15)]),
              "H": (26, [(4, 13), (1, 14)])}),
    8: (242, {"L": (24, [(2, 97)]), "M": (22, [(2, 38), (2, 39)]), "Q": (22, [(4, 18), (2, 19)]),
              "H": (26, [(4, 14), (2, 15)])}),
    9: (292, {"L": (30, [(2, 116)]), "M": (22, [(3, 36), (2, 37)]), "Q": (20, [(4, 16), (4, 17)]),
              "H": (24, [(4, 12), (4, 13)])}),
    10: (346, {"L": (18, [(2, 68), (2, 69)]), "M": (26, [(4, 43), (1, 44)]), "Q": (24, [(6, 19), (2, 20)]),
               "H": (28, [(6, 15), (2, 16)])}),
}
ALIGN = {1: (), 2: (6, 18), 3: (6, 22), 4: (6, 26), 5: (6, 30), 6: (6, 34), 7: (6, 22, 38), 8: (6, 24, 42),
         9: (6, 26, 46), 10: (6, 28, 50)}  # row/column centres of the alignment patterns
FORMAT_GEN, FORMAT_MASK, VERSION_GEN = 0b10100110111, 0b101010000010010, 0b1111100100101
QUIET = 4  # modules of light border the standard asks for


class QRError(ValueError):
    """The text does not fit a version 1..10 symbol at this level."""


# ---------------------------------------------------------------- GF(256) and Reed-Solomon


def _tables() -> tuple[list[int], list[int]]:
    """exp and log of GF(256) with the primitive polynomial x^8 + x^4 + x^3 + x^2 + 1 (0x11D)."""
    exp, log, x = [0] * 512, [0] * 256, 1
    for i in range(255):
        exp[i], log[x] = x, i
        x <<= 1
        if x & 0x100:
            x ^= 0x11D
    for i in range(255, 512):
        exp[i] = exp[i - 255]
    return exp, log


EXP, LOG = _tables()


def gf_mul(a: int, b: int) -> int:
    return 0 if a == 0 or b == 0 else EXP[LOG[a] + LOG[b]]


def generator(n: int) -> list[int]:
    """The generator polynomial (x - a^0)(x - a^1)...(x - a^(n-1)), coefficients from x^n down."""
    g = [1]
    for i in range(n):
        g = [a ^ gf_mul(b, EXP[i]) for a, b in zip(g + [0], [0] + g)]
    return g


def ec_codewords(data: list[int], n: int) -> list[int]:
    """The ``n`` error correction codewords of one block: the remainder of data(x) * x^n by the
    generator polynomial."""
    g, rem = generator(n), list(data) + [0] * n
    for i in range(len(data)):
        factor = rem[i]
        if factor:
            for j, c in enumerate(g):
                rem[i + j] ^= gf_mul(c, factor)
    return rem[len(data):]


# ---------------------------------------------------------------- the codeword sequence


def capacity(version: int, level: str) -> int:
    """Data codewords of a symbol."""
    return sum(n * k for n, k in BLOCKS[version][1][level][1])


def data_codewords(data: bytes, version: int, level: str) -> list[int]:
    """Mode (byte: 0100), character count, the bytes, terminator, padding to the capacity."""
    count_bits = 8 if version < 10 else 16
    bits = "0100" + format(len(data), f"0{count_bits}b") + "".join(format(b, "08b") for b in data)
    room = 8 * capacity(version, level)
    if len(bits) > room:
        raise QRError(f"{len(data)} bytes do not fit version {version}-{level}")
    bits += "0" * min(4, room - len(bits))
    bits += "0" * (-len(bits) % 8)
    words = [int(bits[i:i + 8], 2) for i in range(0, len(bits), 8)]
    pads = [0xEC, 0x11] * room
    return words + pads[:capacity(version, level) - len(words)]


def final_sequence(words: list[int], version: int, level: str) -> list[int]:
    """Data split into blocks, each block's EC codewords, then both interleaved column by column."""
    n_ec, groups = BLOCKS[version][1][level]
    blocks, start = [], 0
    for count, size in groups:
        for _ in range(count):
            blocks.append(words[start:start + size])
            start += size
    ecs = [ec_codewords(b, n_ec) for b in blocks]
    out = [b[i] for i in range(max(map(len, blocks))) for b in blocks if i < len(b)]
    return out + [e[i] for i in range(n_ec) for e in ecs]


# ---------------------------------------------------------------- the matrix


def size(version: int) -> int:
    return 17 + 4 * version


def function_patterns(version: int) -> tuple[np.ndarray, np.ndarray]:
    """(dark, reserved): finder patterns with separators, timing, alignment patterns, and the
    format/version areas (reserved, light until written) with the dark module left light too (the
    standard scores the masks before format information is added)."""
    n = size(version)
    dark, reserved = np.zeros((n, n), bool), np.zeros((n, n), bool)
    for r, c in ((0, 0), (0, n - 7), (n - 7, 0)):
        reserved[max(r - 1, 0):r + 8, max(c - 1, 0):c + 8] = True  # with the separator
        ring = np.ones((7, 7), bool)
        ring[1:6, 1:6] = False
        ring[2:5, 2:5] = True
        dark[r:r + 7, c:c + 7] = ring
    reserved[6, :] = reserved[:, 6] = True
    dark[6, 8:n - 8:2] = dark[8:n - 8:2, 6] = True
    centres = ALIGN[version]
    corners = {(centres[0], centres[0]), (centres[0], centres[-1]), (centres[-1], centres[0])} if centres else set()
    for r in centres:
        for c in centres:
            if (r, c) in corners:
                continue  # would overlap a finder pattern
            reserved[r - 2:r + 3, c - 2:c + 3] = True
            dark[r - 2:r + 3, c - 2:c + 3] = True
            dark[r - 1:r + 2, c - 1:c + 2] = False
            dark[r, c] = True
    reserved[8, :9] = reserved[:9, 8] = True
    reserved[8, n - 8:] = reserved[n - 8:, 8] = True
    if version >= 7:
        reserved[:6, n - 11:n - 8] = reserved[n - 11:n - 8, :6] = True
    return dark, reserved


def place(codewords: list[int], dark: np.ndarray, reserved: np.ndarray) -> np.ndarray:
    """The codewords' bits (most significant first) in the standard's zigzag: pairs of columns
    from the right, up then down, skipping the vertical timing column; leftover modules light."""
    n = len(dark)
    out = dark.copy()
    bits = [(w >> (7 - k)) & 1 for w in codewords for k in range(8)]
    i, col, upward = 0, n - 1, True
    while col > 0:
        if col == 6:
            col -= 1
        for row in (range(n - 1, -1, -1) if upward else range(n)):
            for c in (col, col - 1):
                if not reserved[row, c]:
                    out[row, c] = i < len(bits) and bits[i] == 1
                    i += 1
        col, upward = col - 2, not upward
    return out


MASKS = (
    lambda i, j: (i + j) % 2 == 0,
    lambda i, j: i % 2 == 0,
    lambda i, j: j % 3 == 0,
    lambda i, j: (i + j) % 3 == 0,
    lambda i, j: (i // 2 + j // 3) % 2 == 0,
    lambda i, j: (i * j) % 2 + (i * j) % 3 == 0,
    lambda i, j: ((i * j) % 2 + (i * j) % 3) % 2 == 0,
    lambda i, j: ((i + j) % 2 + (i * j) % 3) % 2 == 0,
)


def masked(matrix: np.ndarray, reserved: np.ndarray, mask: int) -> np.ndarray:
    i, j = np.indices(matrix.shape)
    return matrix ^ (MASKS[mask](i, j) & ~reserved)


def penalty(m: np.ndarray) -> int:
    """The standard's score of a masked symbol (lower is better): runs of 5+ same-coloured
    modules in a row or column (3 + run - 5), 2x2 blocks of one colour (3 each), a 1:1:3:1:1
    finder-like pattern with 4 light modules on either side, the symbol's edge counting as light
    (40 each), and the dark share's distance from 50% (10 per full 5%)."""
    n1 = n3 = 0
    for line in list(m) + list(m.T):
        n1 += _runs_score(line)
        n3 += _finder_like(line)
    corner = m[:-1, :-1]
    n2 = 3 * int(((corner == m[1:, :-1]) & (corner == m[:-1, 1:]) & (corner == m[1:, 1:])).sum())
    n4 = 10 * int(abs(m.mean() * 100 - 50) // 5)
    return n1 + n2 + n3 + n4


def _runs_score(line: np.ndarray) -> int:
    edges = np.flatnonzero(np.diff(line.astype(np.int8))) + 1
    lengths = np.diff(np.concatenate(([0], edges, [len(line)])))
    return int(sum(3 + k - 5 for k in lengths if k >= 5))


FINDER_LIKE = (True, False, True, True, True, False, True)


def _finder_like(line: np.ndarray) -> int:
    padded = np.concatenate((np.zeros(4, bool), line, np.zeros(4, bool)))  # the edge is light
    score = 0
    for s in range(4, len(padded) - 4 - 6):
        if tuple(padded[s:s + 7]) == FINDER_LIKE and (not padded[s - 4:s].any() or not padded[s + 7:s + 11].any()):
            score += 40
    return score


def format_bits(level: str, mask: int) -> int:
    """The 15 format bits: level and mask (5 bits), a BCH(15,5) remainder, XOR 101010000010010."""
    value = (LEVEL_BITS[level] << 3) | mask
    rem = value << 10
    for shift in range(4, -1, -1):
        if rem & (1 << (shift + 10)):
            rem ^= FORMAT_GEN << shift
    return ((value << 10) | rem) ^ FORMAT_MASK


def version_bits(version: int) -> int:
    """The 18 version bits of versions 7 and up: the version (6 bits) and a BCH(18,6) remainder."""
    rem = version << 12
    for shift in range(5, -1, -1):
        if rem & (1 << (shift + 12)):
            rem ^= VERSION_GEN << shift
    return (version << 12) | rem


def add_format_and_version(m: np.ndarray, version: int, level: str, mask: int) -> None:
    """Both copies of the format bits (bit 14 first), the dark module, both version blocks."""
    n, f = len(m), format_bits(level, mask)
    bit = [(f >> (14 - k)) & 1 == 1 for k in range(15)]  # bit[0] is bit 14
    first = [(8, c) for c in (0, 1, 2, 3, 4, 5, 7, 8)] + [(r, 8) for r in (7, 5, 4, 3, 2, 1, 0)]
    second = [(n - 1 - k, 8) for k in range(7)] + [(8, n - 8 + k) for k in range(8)]
    for (r1, c1), (r2, c2), b in zip(first, second, bit):
        m[r1, c1] = m[r2, c2] = b
    m[n - 8, 8] = True
    if version >= 7:
        v = version_bits(version)
        for k in range(18):
            m[k // 3, n - 11 + k % 3] = m[n - 11 + k % 3, k // 3] = (v >> k) & 1 == 1


def encode(text: str | bytes, level: str = "M", mask: int | None = None) -> np.ndarray:
    """The QR symbol of ``text`` (UTF-8) in byte mode at error correction ``level``, in the
    smallest version (1..10) it fits, with the mask of lowest penalty (or ``mask``).
    Returns: (n, n) bool, True = dark, n = 17 + 4 * version, without the quiet zone."""
    data = text.encode("utf-8") if isinstance(text, str) else bytes(text)
    if level not in LEVEL_BITS:
        raise QRError(f"unknown error correction level {level!r}")
    version = next((v for v in BLOCKS if 4 + (8 if v < 10 else 16) + 8 * len(data) <= 8 * capacity(v, level)),
                   None)
    if version is None:
        raise QRError(f"{len(data)} bytes are too long for a version 10-{level} symbol")
    dark, reserved = function_patterns(version)
    plain = place(final_sequence(data_codewords(data, version, level), version, level), dark, reserved)
    choices = range(8) if mask is None else (mask,)
    best = min(choices, key=lambda k: penalty(masked(plain, reserved, k)))
    symbol = masked(plain, reserved, best)
    add_format_and_version(symbol, version, level, best)
    return symbol


def svg(matrix: np.ndarray, width: str = "100%", quiet: int = QUIET) -> str:
    """The symbol as an SVG (dark modules as one path, a light quiet zone around it), scaled to
    ``width`` (any CSS length) with crisp module edges."""
    n = len(matrix) + 2 * quiet
    runs = []
    for r, row in enumerate(matrix):
        c = 0
        while c < len(row):
            if row[c]:
                start = c
                while c < len(row) and row[c]:
                    c += 1
                runs.append(f"M{start + quiet} {r + quiet}h{c - start}v1h-{c - start}z")
            c += 1
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {n} {n}" width="{width}" '
            f'shape-rendering="crispEdges" role="img" aria-label="QR code">'
            f'<rect width="{n}" height="{n}" fill="#fff"/><path d="{"".join(runs)}" fill="#000"/></svg>')
