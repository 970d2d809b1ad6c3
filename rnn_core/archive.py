"""Reading an ``.npz`` without trusting it: everything that can be checked without array data
is checked first, so a small hostile file costs little before it is refused.

Order of work: the zip's end-of-central-directory record (its last 22 bytes) gives the member
count and the directory's size, which are capped before Python's ``zipfile`` lists a single
member; then each member's ``.npy`` header (at most ``MAX_HEADER_BYTES``) is read without its
data; only then, on request, one array at a time, never unpickled.
"""

from __future__ import annotations

import io
import math
import struct
import zipfile
import zlib
from dataclasses import dataclass

import numpy as np

from .errors import ModelFileError
from .untrusted import array_text_problem

MAX_MEMBERS = 32  # a model file has 14 members, 23 with its training history
MAX_DIRECTORY_BYTES = MAX_MEMBERS * 400  # a directory entry is 46 bytes plus its name and extras
MAX_HEADER_BYTES = 10_000  # numpy's own limit for an .npy header
NPY_MAGIC = b"\x93NUMPY"
END_RECORD = struct.Struct("<4s4H2LH")  # signature, disks, entries here, entries, size, offset, comment
END_SIGNATURE = b"PK\x05\x06"
ZIP64_LOCATOR = b"PK\x06\x07"  # 20 bytes before the end record; zipfile then trusts the zip64 record instead
REFUSED_KINDS = "OV"  # objects (pickles) and records/raw bytes; the model checks which plain kinds it needs
# what a corrupt or hostile archive raises while it is read (RuntimeError: an encrypted member)
READ_ERRORS = (OSError, ValueError, EOFError, KeyError, zipfile.BadZipFile, zlib.error, NotImplementedError,
               RuntimeError, struct.error, SyntaxError)


@dataclass(frozen=True)
class Header:
    """What an ``.npy`` member declares, read without its data."""

    shape: tuple[int, ...]
    dtype: np.dtype
    data_start: int  # bytes before the data: magic, version, header length and header

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def data_bytes(self) -> int:
        return math.prod(self.shape) * self.dtype.itemsize

    @property
    def chars(self) -> int:
        """For a unicode array, the length of its longest string (numpy's U width)."""
        return self.dtype.itemsize // 4 if self.dtype.kind == "U" else 0


class Archive:
    """The members of an ``.npz`` (names without ``.npy``) and their headers; arrays on request.

    Raises ModelFileError for anything that is not a small zip of plain ``.npy`` arrays, each
    declaring at most ``max_bytes`` of data.
    """

    def __init__(self, data: bytes, max_bytes: int):
        check_directory(data)
        try:
            self._zip = zipfile.ZipFile(io.BytesIO(data))
            infos = self._zip.infolist()
            self._infos = member_infos(infos)
            self.headers = {key: read_header(self._zip, info, max_bytes) for key, info in self._infos.items()}
        except ModelFileError:
            raise
        except READ_ERRORS as e:
            raise ModelFileError(f"not a model file of this app (an .npz of plain arrays): {e}") from None

    def read(self, key: str) -> np.ndarray:
        """The array of member ``key``, read with ``allow_pickle=False``; its header was checked.
        A unicode array must hold only characters (no surrogates, nothing past U+10FFFF)."""
        try:
            with self._zip.open(self._infos[key]) as f:
                array = np.lib.format.read_array(f, allow_pickle=False)
        except READ_ERRORS as e:
            raise ModelFileError(f"'{key}' cannot be read: {e}") from None
        problem = array_text_problem(array) if array.dtype.kind == "U" else None
        if problem:
            raise ModelFileError(f"'{key}' is not valid text: {problem}.")
        return array


def check_directory(data: bytes) -> None:
    """Refuse an archive whose end record declares more than MAX_MEMBERS members or a larger
    directory than they need, before anything parses the directory itself."""
    at = data.rfind(END_SIGNATURE, max(0, len(data) - END_RECORD.size - 0xFFFF))
    if at < 0 or len(data) - at < END_RECORD.size:
        raise ModelFileError("not a model file of this app: it is not an .npz archive (no zip directory).")
    if at >= 20 and data[at - 20 : at - 16] == ZIP64_LOCATOR:  # only archives over 2 GB or 65,535 members need it
        raise ModelFileError("not a model file of this app: it is a zip64 archive, far larger than a model.")
    _, _, _, _, entries, size, _, _ = END_RECORD.unpack_from(data, at)
    if entries > MAX_MEMBERS or size > MAX_DIRECTORY_BYTES:
        raise ModelFileError(f"not a model file of this app: the archive lists {entries:,} members in "
                             f"{size:,} bytes; a model file has at most {MAX_MEMBERS}.")


def member_infos(infos: list[zipfile.ZipInfo]) -> dict[str, zipfile.ZipInfo]:
    """{key: info} for members named ``key.npy``; refuses other names, repeats and encryption."""
    if len(infos) > MAX_MEMBERS:  # the end record may understate the directory
        raise ModelFileError(f"not a model file of this app: it has {len(infos):,} members; "
                             f"a model file has at most {MAX_MEMBERS}.")
    out = {}
    for info in infos:
        if not info.filename.endswith(".npy"):
            raise ModelFileError(f"not a model file of this app: it holds {info.filename[:80]!r}, "
                                 "and an .npz holds only .npy arrays.")
        key = info.filename[: -len(".npy")]
        if key in out:
            raise ModelFileError(f"not a model file of this app: it holds {key[:80]!r} twice.")
        if info.flag_bits & 0x1:
            raise ModelFileError(f"not a model file of this app: {info.filename[:80]!r} is encrypted.")
        out[key] = info
    return out


def read_header(z: zipfile.ZipFile, info: zipfile.ZipInfo, max_bytes: int) -> Header:
    """The header of one ``.npy`` member, reading at most MAX_HEADER_BYTES of it. Its data may
    be at most ``max_bytes``, and the member's size must be exactly header plus that data (so
    reading it later allocates no more than the header said)."""
    name = info.filename
    with z.open(info) as f:
        prefix = f.read(len(NPY_MAGIC) + 6)  # magic, version (2), header length (2 or 4)
        if not prefix.startswith(NPY_MAGIC):
            raise ModelFileError(f"not a model file of this app: {name!r} is not an .npy array.")
        version = tuple(prefix[6:8])
        if version not in ((1, 0), (2, 0)):
            raise ModelFileError(f"not a model file of this app: {name!r} is not a plain .npy array "
                                 f"(version {version}).")
        length_bytes = 2 if version == (1, 0) else 4
        start = 8 + length_bytes
        header_len = int.from_bytes(prefix[8:start], "little")
        if header_len > MAX_HEADER_BYTES:
            raise ModelFileError(f"not a model file of this app: {name!r} has a {header_len:,}-byte header; "
                                 f"the limit is {MAX_HEADER_BYTES:,}.")
        head = prefix[8:] + f.read(start + header_len - len(prefix))
    read = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
    shape, _, dtype = read(io.BytesIO(head))
    if dtype.kind in REFUSED_KINDS or dtype.hasobject or dtype.subdtype is not None:
        raise ModelFileError(f"not a model file of this app: {name!r} holds {dtype} values; a model file "
                             "holds only plain numbers and strings.")
    header = Header(tuple(shape), dtype, start + header_len)
    if header.data_bytes > max_bytes:
        raise ModelFileError(f"{name!r} claims {header.data_bytes:,} bytes of data; the limit is {max_bytes:,}.")
    if info.file_size != header.data_start + header.data_bytes:
        raise ModelFileError(f"not a model file of this app: {name!r} declares {header.data_bytes:,} bytes "
                             f"of data but holds {max(info.file_size - header.data_start, 0):,}.")
    return header
