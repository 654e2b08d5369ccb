"""The strict base64url codec of both core twins."""

from __future__ import annotations

import base64
import importlib
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st
from strict_raises import raises_exactly

from fastjwt._core import _core_py
from fastjwt.exceptions import DecodeError

TWINS: list[ModuleType] = [_core_py]
try:
    TWINS.append(importlib.import_module("fastjwt._core._core_c"))
except ImportError:  # pure-Python build: the compiled twin is covered by the compiled run
    pass

twin = pytest.mark.parametrize("core", TWINS, ids=lambda m: m.__name__)


@twin
@given(data=st.binary(max_size=300))
def test_round_trip_and_matches_stdlib(core: ModuleType, data: bytes) -> None:
    enc = core.b64url_encode(data)
    assert enc == base64.urlsafe_b64encode(data).rstrip(b"=")
    assert core.b64url_decode(enc) == data
    assert core.b64url_decode(enc.decode("ascii")) == data


@twin
@pytest.mark.parametrize(
    "bad",
    [
        b"QQ==",  # padding
        b"QQ=",
        b"Q",  # impossible length
        b"QUJDR",
        b"QR",  # non-zero unused bits (A is 'QQ')
        b"QUJ",  # non-zero unused bits ('AB' is 'QUI')
        b"+/8",  # standard alphabet
        b"a b",
        b"ab\n",
        b"ab\x00",
        b"\xff\xfe",
        b"ab.c",
    ],
)
def test_rejects(core: ModuleType, bad: bytes) -> None:
    with raises_exactly(DecodeError, match="Invalid base64url padding"):
        core.b64url_decode(bad)


@twin
@pytest.mark.parametrize(
    ("good", "data"),
    [
        (b"QQ", b"A"),  # 2 characters: 12 bits, 8 of data, the 4 unused ones zero
        (b"QUI", b"AB"),  # 3 characters: 18 bits, 16 of data, I (001000) ends in the 2 zero unused bits
        (b"QUJD", b"ABC"),  # 4 characters: no unused bits
        (b"_w", b"\xff"),
        (b"__8", b"\xff\xff"),
    ],
)
def test_accepts_canonical_short_segments(core: ModuleType, good: bytes, data: bytes) -> None:
    assert base64.urlsafe_b64decode(good + b"=" * (-len(good) % 4)) == data
    assert core.b64url_decode(good) == data
    assert core.b64url_encode(data) == good


@twin
def test_rejects_non_ascii_str(core: ModuleType) -> None:
    with raises_exactly(DecodeError, match="Invalid base64url padding"):
        core.b64url_decode("QQé")


@twin
def test_url_safe_characters_decode(core: ModuleType) -> None:
    assert core.b64url_decode(b"-_8") == b"\xfb\xff"
    assert core.b64url_encode(b"\xfb\xff") == b"-_8"
    assert core.b64url_decode(b"") == b""


@twin
def test_padding_allowed_only_on_request(core: ModuleType) -> None:
    assert core.b64url_decode(b"QQ==", "x", True) == b"A"


@twin
@given(text=st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_=+/. ", max_size=40))
def test_random_input_either_decodes_canonically_or_raises(core: ModuleType, text: str) -> None:
    try:
        out = core.b64url_decode(text)
    except DecodeError:
        return
    assert core.b64url_encode(out) == text.encode()


_NOT_IN_ALPHABET = [
    b"+",
    b"/",
    b"=",
    b" ",
    b".",
    b"\x00",
    b"@",
    b"[",
    b"`",
    b"{",
    b":",
    b",",
    b"\x7f",
    b"\x80",
    b"\xff",
]


@twin
@pytest.mark.parametrize("size", [24, 47, 48, 72, 96, 100])
def test_a_bad_character_anywhere_in_a_long_segment_is_refused(core: ModuleType, size: int) -> None:
    # The compiled decoder takes valid 32-character blocks with AVX2 where the CPU has it and the rest byte by byte:
    # a character outside the alphabet at any offset, in a block or in the tail, must be refused either way.
    good = base64.urlsafe_b64encode(bytes(range(size))).rstrip(b"=")
    assert core.b64url_decode(good) == bytes(range(size))
    for offset in range(len(good)):
        for bad in _NOT_IN_ALPHABET:
            with raises_exactly(DecodeError, match="Invalid base64url padding"):
                core.b64url_decode(good[:offset] + bad + good[offset + 1 :])


@twin
@given(data=st.binary(min_size=20, max_size=5000))
def test_long_segments_match_stdlib(core: ModuleType, data: bytes) -> None:
    enc = base64.urlsafe_b64encode(data).rstrip(b"=")
    assert core.b64url_decode(enc) == data
