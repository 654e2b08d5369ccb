"""Property tests of the strict JSON codec: json.dumps' bytes, json.loads' values, twins agree."""

from __future__ import annotations

import json
import math
from itertools import pairwise
from types import ModuleType
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fastjwt._core import _json, _json_py
from fastjwt._core._json_errors import JSONError

try:
    from fastjwt._core import _json_c
except ImportError:  # the pure-Python run without a build: the C-vs-Py properties need the build
    _json_c = None

IMPLEMENTATIONS: list[ModuleType] = [_json_py] + ([_json_c] if _json_c is not None else [])
CODECS = pytest.mark.parametrize("codec", [*IMPLEMENTATIONS, _json], ids=lambda m: m.__name__.rsplit(".", 1)[1])

# Per-test settings (not a global profile: other test modules keep theirs).
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.integers(min_value=-(10**60), max_value=10**60)
    | st.floats()
    | st.sampled_from([0.0, -0.0, 1e308, -1e308, 5e-324, 1e16, 1e-7, 123456789.0, 0.1])
    | st.text()
    | st.text(alphabet=st.characters(max_codepoint=0x3F))
    | st.text(alphabet=st.characters(min_codepoint=0x7F, max_codepoint=0xFFFF))
    | st.text(alphabet=st.characters(min_codepoint=0x10000))
)
finite_scalars = scalars.filter(lambda x: not (isinstance(x, float) and not math.isfinite(x)))


def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=6) | st.dictionaries(st.text(max_size=8), children, max_size=6)


json_values = st.recursive(scalars, containers, max_leaves=25)
finite_json_values = st.recursive(finite_scalars, containers, max_leaves=25)
# NaN and Infinity are refused by fastjwt's writer (tests/test_json.py), where json.dumps writes them by default.
dumpable_values = st.recursive(finite_scalars, lambda c: containers(c) | st.tuples(c, c), max_leaves=25)


def outcome(codec: ModuleType, data: bytes, max_depth: int = 64) -> tuple[str, Any]:
    try:
        return ("value", codec.loads(data, max_depth))
    except JSONError as exc:
        return ("error", str(exc))


def same(a: Any, b: Any) -> bool:
    """Equal with the same types all the way down and the same key order (NaN-free values)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float):
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return bool(a == b)


@CODECS
@SETTINGS
@given(value=dumpable_values, sort_keys=st.booleans())
def test_dumps_is_json_dumps(codec: ModuleType, value: Any, sort_keys: bool) -> None:
    expected = json.dumps(value, separators=(",", ":"), sort_keys=sort_keys).encode("utf-8")
    assert codec.dumps(value, sort_keys=sort_keys) == expected


@CODECS
@SETTINGS
@given(value=finite_json_values)
def test_loads_of_dumps_reads_back_what_json_reads_back(codec: ModuleType, value: Any) -> None:
    # Not always the value itself: a string holding a high surrogate then a low one ("\ud800\udc00") is written as
    # two escapes, which JSON reads as one pair, U+10000. The standard json module does the same.
    assert same(codec.loads(codec.dumps(value)), json.loads(json.dumps(value)))


@CODECS
@SETTINGS
@given(value=finite_json_values.filter(lambda v: not _has_surrogate_pair(v)))
def test_loads_inverts_dumps_without_surrogate_pairs(codec: ModuleType, value: Any) -> None:
    assert same(codec.loads(codec.dumps(value)), value)


@CODECS
def test_escaped_surrogate_pair_reads_back_as_one_code_point(codec: ModuleType) -> None:
    assert codec.dumps("\ud800\udc00") == b'"\\ud800\\udc00"'
    assert codec.loads(codec.dumps("\ud800\udc00")) == "\U00010000" == json.loads(json.dumps("\ud800\udc00"))
    assert codec.loads(codec.dumps(["\ud800", "\udc00"])) == ["\ud800", "\udc00"]  # apart, each stays alone


def _has_surrogate_pair(value: Any) -> bool:
    """True if any string in ``value`` (keys included) has a high surrogate directly followed by a low one."""
    if isinstance(value, str):
        return any("\ud800" <= a <= "\udbff" and "\udc00" <= b <= "\udfff" for a, b in pairwise(value))
    if isinstance(value, dict):
        return any(_has_surrogate_pair(k) or _has_surrogate_pair(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate_pair(v) for v in value)
    return False


@CODECS
@SETTINGS
@given(value=finite_json_values, indent=st.sampled_from([None, 0, 2]), ascii_only=st.booleans())
def test_loads_agrees_with_json_loads(codec: ModuleType, value: Any, indent: int | None, ascii_only: bool) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=ascii_only)
    try:
        data = text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate cannot be UTF-8: escape it instead
        data = json.dumps(value, indent=indent).encode("ascii")
    assert same(codec.loads(data), json.loads(data))


# Raw bytes biased towards JSON's alphabet so the parser gets deep before it fails.
json_bytes = st.lists(
    st.sampled_from(
        [
            b"{",
            b"}",
            b"[",
            b"]",
            b",",
            b":",
            b'"',
            b"\\",
            b"u",
            b"d8",
            b"dc",
            b"00",
            b"0",
            b"1",
            b"9",
            b"-",
            b"+",
            b".",
            b"e",
            b"E",
            b" ",
            b"\n",
            b"\t",
            b"\x00",
            b"\x1f",
            b"true",
            b"fals",
            b"null",
            b"NaN",
            b"Infinity",
            b"-Infinity",
            b"a",
            b'"a"',
            b"1e999",
            b"\xc3\xa9",
            b"\xed\xa0\x80",
            b"\xf0\x9f\x98\x80",
            b"\xff",
            b"\xc0\xaf",
            b"\xef\xbb\xbf",
            b"\xe2\x82",
            b"/",
            b"n",
            b"b",
        ]
    ),
    max_size=30,
).map(b"".join)


@pytest.mark.skipif(_json_c is None, reason="needs the compiled twin")
@SETTINGS
@given(data=st.one_of(st.binary(max_size=40), json_bytes), max_depth=st.integers(min_value=0, max_value=4))
def test_twins_agree_on_arbitrary_bytes(data: bytes, max_depth: int) -> None:
    assert same_outcome(outcome(_json_c, data, max_depth), outcome(_json_py, data, max_depth))


@st.composite
def mutated_json(draw: st.DrawFn) -> bytes:
    data = bytearray(json.dumps(draw(json_values), ensure_ascii=draw(st.booleans())).encode("utf-8", "surrogatepass"))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        at = draw(st.integers(min_value=0, max_value=len(data)))
        action = draw(st.sampled_from(["insert", "delete", "replace", "truncate"]))
        piece = draw(st.sampled_from([b"{", b"]", b",", b'"', b"\\", b"\xff", b"\x01", b"0", b"e", b"-", b" ", b"}"]))
        if action == "insert":
            data[at:at] = piece
        elif action == "delete":
            del data[at : at + 1]
        elif action == "replace":
            data[at : at + 1] = piece
        else:
            del data[at:]
    return bytes(data)


@pytest.mark.skipif(_json_c is None, reason="needs the compiled twin")
@SETTINGS
@given(data=mutated_json(), max_depth=st.integers(min_value=1, max_value=6))
def test_twins_agree_on_mutated_json(data: bytes, max_depth: int) -> None:
    assert same_outcome(outcome(_json_c, data, max_depth), outcome(_json_py, data, max_depth))


def same_outcome(a: tuple[str, Any], b: tuple[str, Any]) -> bool:
    if a[0] != b[0]:
        return False
    return a[1] == b[1] if a[0] == "error" else same(a[1], b[1])
