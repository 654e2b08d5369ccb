"""Table tests of the strict JSON codec, on the active implementation and on each twin."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from collections import OrderedDict
from enum import IntEnum
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from fastjwt._core import _json, _json_py
from fastjwt._core._json_errors import JSONError

try:
    from fastjwt._core import _json_c
except ImportError:  # not built: the pure-Python run still tests the active module and the twin
    _json_c = None

ROOT = Path(__file__).resolve().parent.parent
CODECS: list[ModuleType] = [_json, _json_py] + ([_json_c] if _json_c is not None else [])


@pytest.fixture(params=CODECS, ids=lambda m: m.__name__.rsplit(".", 1)[1])
def codec(request: pytest.FixtureRequest) -> ModuleType:
    return request.param


def typed(value: Any) -> Any:
    """``value`` with every type spelled out, so 1 != 1.0 != True in comparisons."""
    if isinstance(value, dict):
        return ("dict", [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list):
        return ("list", [typed(v) for v in value])
    return (type(value).__name__, repr(value))


PAYLOAD = (
    b'{"sub":"1234567890","name":"John Doe","admin":true,"iat":1516239022,"exp":1916239022,'
    b'"aud":"api","iss":"https://issuer.example"}'
)

VALID = [
    PAYLOAD,
    b"{}",
    b"[]",
    b' \t\r\n{ "a" : [ 1 , 2 ] , "b" : { } } \n',
    b"0",
    b"-0",
    b"-0.0",
    b"1.5e3",
    b"1E+2",
    b"1e-2",
    b"123456789012345678",
    b"1234567890123456789",
    b"-9223372036854775809",
    b"9" * 4300,
    b"-" + b"9" * 4300,
    b"0." + b"1" * 5000,
    b"1e-400",
    b"1.7976931348623157e308",
    b"5e-324",
    b"0.1",
    b"true",
    b"false",
    b"null",
    b'""',
    b'"\\"\\\\\\/\\b\\f\\n\\r\\t"',
    b'"\\u00e9\\u00E9\\u20ac"',
    b'"\\ud83d\\ude00"',  # a surrogate pair combines
    b'"\\ud800"',  # a lone surrogate escape stays a lone surrogate, as json.loads does
    b'"\\udc00\\ud800"',
    b'"\\ud800\\u0041"',
    b'"\\ud800\\ud800\\udc00"',
    b'"\\u0000"',
    '"é€😀 \x7f"'.encode(),
    b'{"a":{"a":{"a":1}},"b":[{"a":1},{"a":2}]}',
    b'{"b":1,"a":2,"c":3}',
    b'[[[[[[[[[[]]]]]]]]]]',
]


@pytest.mark.parametrize("data", VALID)
def test_valid_input_matches_json_loads(codec: ModuleType, data: bytes) -> None:
    assert typed(codec.loads(data)) == typed(json.loads(data))


def test_key_order_and_types(codec: ModuleType) -> None:
    value = codec.loads(b'{"z":1,"a":1.0,"m":true}')
    assert list(value) == ["z", "a", "m"]
    assert [type(v) for v in value.values()] == [int, float, bool]


ERRORS = [
    # duplicate member names, compared after unescaping, at any depth
    (b'{"a":1,"a":2}', "duplicate member name"),
    (b'{"a":1,"\\u0061":2}', "duplicate member name"),
    (b'[{"x":{"k":1,"k":1}}]', "duplicate member name"),
    (b'{"\\ud83d\\ude00":1,"\xf0\x9f\x98\x80":2}', "duplicate member name"),
    # non-finite numbers
    (b"NaN", "non-finite number"),
    (b"Infinity", "non-finite number"),
    (b"-Infinity", "non-finite number"),
    (b'{"exp":NaN}', "non-finite number"),
    (b"1e999", "non-finite number"),
    (b"-1e999", "non-finite number"),
    (b"[1" + b"0" * 400 + b".0]", "non-finite number"),
    # nesting (max_depth 64)
    (b"[" * 65 + b"]" * 65, "nesting too deep"),
    (b'{"a":' * 65 + b"1" + b"}" * 65, "nesting too deep"),
    (b"[" * 100000, "nesting too deep"),
    # UTF-8
    (b'"\xff"', "invalid UTF-8"),
    (b'"\xc0\xaf"', "invalid UTF-8"),  # overlong "/"
    (b'"\xe0\x80\xaf"', "invalid UTF-8"),  # overlong
    (b'"\xed\xa0\x80"', "invalid UTF-8"),  # a surrogate encoded in UTF-8
    (b'"\xf4\x90\x80\x80"', "invalid UTF-8"),  # above U+10FFFF
    (b'"\xe2\x82"', "invalid UTF-8"),  # truncated
    (b'"\xe2\x82\\n"', "invalid UTF-8"),  # truncated, in a string with escapes
    (b'"\\n\xff"', "invalid UTF-8"),
    (b"\xef\xbb\xbf{}", "invalid UTF-8"),  # BOM
    (b'\xff\xfe{\x00}\x00', "invalid UTF-8"),  # UTF-16 is not auto-detected
    (b'{\x00}\x00', "invalid JSON at byte 1"),  # NUL is valid UTF-8, not JSON
    (b"[1,,]\xff", "invalid UTF-8"),  # invalid UTF-8 outranks an earlier syntax error
    (b'{"a":1,"a":2}\xff', "invalid UTF-8"),
    # integers
    (b"1" * 4301, "number too large"),
    (b"-" + b"1" * 4301, "number too large"),
    # syntax, with the offset of the first byte that cannot continue a JSON text
    (b"", "invalid JSON at byte 0"),
    (b"   ", "invalid JSON at byte 3"),
    (b"[1,]", "invalid JSON at byte 3"),
    (b'{"a":1,}', "invalid JSON at byte 7"),
    (b"{,}", "invalid JSON at byte 1"),
    (b'{"a" 1}', "invalid JSON at byte 5"),
    (b"{'a':1}", "invalid JSON at byte 1"),
    (b"{a:1}", "invalid JSON at byte 1"),
    (b"[1 2]", "invalid JSON at byte 3"),
    (b"[1", "invalid JSON at byte 2"),
    (b"{}x", "invalid JSON at byte 2"),
    (b"{} {}", "invalid JSON at byte 3"),
    (b"01", "invalid JSON at byte 1"),
    (b"[01]", "invalid JSON at byte 2"),
    (b"+1", "invalid JSON at byte 0"),
    (b".5", "invalid JSON at byte 0"),
    (b"1.", "invalid JSON at byte 2"),
    (b"1.e5", "invalid JSON at byte 2"),
    (b"1e", "invalid JSON at byte 2"),
    (b"1e+", "invalid JSON at byte 3"),
    (b"-", "invalid JSON at byte 1"),
    (b"-a", "invalid JSON at byte 1"),
    (b"-Inf", "invalid JSON at byte 1"),
    (b"Inf", "invalid JSON at byte 0"),
    (b"nan", "invalid JSON at byte 1"),
    (b"tru", "invalid JSON at byte 3"),
    (b"trUe", "invalid JSON at byte 2"),
    (b"True", "invalid JSON at byte 0"),
    (b"nul", "invalid JSON at byte 3"),
    (b'"abc', "invalid JSON at byte 4"),
    (b'"a\nb"', "invalid JSON at byte 2"),
    (b'"\x00"', "invalid JSON at byte 1"),
    (b'"\\x"', "invalid JSON at byte 2"),
    (b'"\\u12g4"', "invalid JSON at byte 5"),
    (b'"\\u12"', "invalid JSON at byte 5"),
    (b'"\\', "invalid JSON at byte 2"),
    (b'"\\"', "invalid JSON at byte 3"),
    (b'"\\ud800\\u12"', "invalid JSON at byte 11"),
    (b'"\\t\x01"', "invalid JSON at byte 3"),
    (b'"\x01\\q"', "invalid JSON at byte 1"),
    (b'"\\q\x01"', "invalid JSON at byte 2"),
    (b"\x0c1", "invalid JSON at byte 0"),  # form feed is not JSON whitespace
    ("\u00a01".encode("utf-8"), "invalid JSON at byte 0"),
    # the first error in document order wins
    (b'[1e999, {"a":1,"a":2}]', "non-finite number"),
    (b'[{"a":1,"a":2}, 1e999]', "duplicate member name"),
    (b'[{"a":1,"a":2}, [[[[', "duplicate member name"),
    (b'[1,,' + b"[" * 100, "invalid JSON at byte 3"),
    (b"[" * 65 + b"1,,", "nesting too deep"),
    (b'{"a":1,"a":[1,}', "invalid JSON at byte 14"),
]


@pytest.mark.parametrize(("data", "message"), ERRORS)
def test_errors(codec: ModuleType, data: bytes, message: str) -> None:
    with pytest.raises(JSONError) as info:
        codec.loads(data)
    assert str(info.value) == message


def test_json_error_is_a_value_error_shared_by_both_twins() -> None:
    assert issubclass(JSONError, ValueError)
    assert _json.JSONError is JSONError
    assert _json_py.JSONError is JSONError
    if _json_c is not None:
        assert _json_c.JSONError is JSONError


def test_error_messages_do_not_echo_input(codec: ModuleType) -> None:
    secret = b"s3cr3t-value-that-must-not-leak"
    for data in [b'{"k":"' + secret + b'\x01"}', b'{"' + secret + b'":1,"' + secret + b'":2}', secret]:
        with pytest.raises(JSONError) as info:
            codec.loads(data)
        assert b"s3cr3t" not in str(info.value).encode()


@pytest.mark.parametrize(("depth", "ok"), [(0, False), (1, True), (3, True)])
def test_max_depth_counts_arrays_and_objects(codec: ModuleType, depth: int, ok: bool) -> None:
    data = b'{"a":[{}]}'  # depth 3
    if depth >= 3:
        assert codec.loads(data, depth) == {"a": [{}]}
    else:
        with pytest.raises(JSONError, match=r"^nesting too deep$"):
            codec.loads(data, depth)
    assert codec.loads(b"1", 0) == 1
    with pytest.raises(JSONError, match=r"^nesting too deep$"):
        codec.loads(b"[]", 0)


@pytest.mark.parametrize(
    ("max_depth", "error"),
    [(2.5, TypeError), ("3", TypeError), (None, TypeError), (2**64, OverflowError)],
)
def test_max_depth_must_be_an_index(codec: ModuleType, max_depth: Any, error: type[Exception]) -> None:
    with pytest.raises(error):
        codec.loads(b"[1]", max_depth)


def test_negative_max_depth_allows_only_scalars(codec: ModuleType) -> None:
    assert codec.loads(b'"x"', -1) == "x"
    with pytest.raises(JSONError, match=r"^nesting too deep$"):
        codec.loads(b"{}", -1)


def test_many_distinct_member_names(codec: ModuleType) -> None:
    # More names than the compiled twin's name cache holds, several colliding: every one is exact.
    names = [f"k{i}" for i in range(3000)] + ["", "a" * 32, "a" * 33, "b" * 31, "\u00e9", "caf\u00e9"]
    data = ("{" + ",".join(f'"{name}":{i}' for i, name in enumerate(names)) + "}").encode()
    for _ in range(2):
        assert codec.loads(data) == json.loads(data)
    with pytest.raises(JSONError, match=r"^duplicate member name$"):
        codec.loads(b'{"' + b"a" * 32 + b'":1,"' + b"a" * 32 + b'":2}')


def test_deep_nesting_within_a_large_bound_is_parsed(codec: ModuleType) -> None:
    # Deeper than json.loads can recurse: both twins must parse it without recursion.
    data = b"[" * 5000 + b"]" * 5000
    value = codec.loads(data, 5000)
    for _ in range(4999):
        value = value[0]
    assert value == []
    with pytest.raises(JSONError, match=r"^nesting too deep$"):
        codec.loads(data, 4999)


def test_int_digit_limit_does_not_depend_on_sys_setting(codec: ModuleType) -> None:
    old = sys.get_int_max_str_digits()
    try:
        sys.set_int_max_str_digits(0)  # unlimited: our 4300-digit bound still holds
        with pytest.raises(JSONError, match=r"^number too large$"):
            codec.loads(b"7" * 4301)
        sys.set_int_max_str_digits(1000)  # stricter: Python's own limit becomes "number too large"
        with pytest.raises(JSONError, match=r"^number too large$"):
            codec.loads(b"7" * 2000)
        assert codec.loads(b"7" * 1000) == int("7" * 1000)
    finally:
        sys.set_int_max_str_digits(old)


@pytest.mark.parametrize("data", [bytearray(b'{"a":[1]}'), memoryview(b'{"a":[1]}')])
def test_loads_accepts_bytes_like(codec: ModuleType, data: Any) -> None:
    assert codec.loads(data) == {"a": [1]}


@pytest.mark.parametrize("data", ['{"a":1}', 1, None, [b"{}"]])
def test_loads_rejects_other_types(codec: ModuleType, data: Any) -> None:
    with pytest.raises(TypeError, match=r"^loads\(\) argument must be bytes, bytearray or memoryview, not "):
        codec.loads(data)


class Color(IntEnum):
    RED = 1


class Str(str):
    pass


class Float(float):
    def __repr__(self) -> str:
        return "999"


class Encoder(json.JSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, set):
            return sorted(o)
        return super().default(o)


def nested(depth: int, leaf: Any) -> Any:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


circular: list[Any] = []
circular.append(circular)

DUMPABLE = [
    {"sub": "1234567890", "name": "John Doe", "admin": True, "iat": 1516239022, "exp": 1916239022},
    {},
    [],
    (),
    (1, (2, [3])),
    None,
    True,
    False,
    0,
    -1,
    2**63 - 1,
    -(2**63),
    2**63,
    -(2**64) - 1,
    10**4000,
    0.0,
    -0.0,
    1e308,
    -1e308,
    5e-324,
    1e16,
    1e-7,
    0.1,
    123456789.0,
    "",
    "plain",
    '"\\/\b\f\n\r\t\x00\x1f\x20\x7e\x7f\x80\xff',
    "é€\uffff\U0001f600\U0010ffff",
    "\ud800 \udfff",  # lone surrogates are escaped, never an error
    "x" * 600 + "\n" + "é" * 300 + "\U0001f600",  # longer than the compiled writer's stack buffer
    ["a" * 100 + '"'] * 20,
    {"b": 1, "a": 2, "é": 3, "\U0001f600": 4},
    {"a": [1, {"b": [None, 1.5]}]},
    nested(30, 1),
    # fall back to json.dumps: subclasses and other key types keep json's output
    {2: "int key", 1: "int key"},
    {2.5: "float key", -0.5: "float key"},
    {None: "null key"},
    {False: "bool key", True: "bool key"},
    Color.RED,
    [Color.RED, Str("x"), Float(1.5)],
    {Str("k"): 1},
    OrderedDict([("b", 1), ("a", 2)]),
    [{"a": 1}] * 3,
    nested(300, 1),  # deeper than the fast path's bound
]


@pytest.mark.parametrize("sort_keys", [False, True])
@pytest.mark.parametrize("value", DUMPABLE, ids=range(len(DUMPABLE)))
def test_dumps_is_json_dumps(codec: ModuleType, value: Any, sort_keys: bool) -> None:
    expected = json.dumps(value, separators=(",", ":"), sort_keys=sort_keys).encode("utf-8")
    assert codec.dumps(value, sort_keys=sort_keys) == expected


@pytest.mark.parametrize("sort_keys", [False, True])
@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, {"exp": math.inf}, [1.0, {"a": [math.nan]}]])
def test_dumps_refuses_non_finite_numbers(codec: ModuleType, value: Any, sort_keys: bool) -> None:
    # NaN and Infinity are not JSON and fastjwt's parser refuses them: the writer never produces them either,
    # raising json.dumps(allow_nan=False)'s ValueError (json.dumps itself would write them by default).
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        codec.dumps(value, sort_keys=sort_keys)
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        codec.dumps(value, sort_keys=sort_keys, cls=json.JSONEncoder)


def test_dumps_with_cls_uses_it(codec: ModuleType) -> None:
    assert codec.dumps({"s": {3, 1}}, cls=Encoder) == b'{"s":[1,3]}'


ERRORING = [
    {"s": {1}},
    {(1, 2): 1},
    {"a": object()},
    circular,
    {"a": circular},
    10**5000,  # beyond sys.get_int_max_str_digits()
    [b"bytes"],
]


@pytest.mark.parametrize("sort_keys", [False, True])
@pytest.mark.parametrize("value", ERRORING, ids=range(len(ERRORING)))
def test_dumps_raises_what_json_dumps_raises(codec: ModuleType, value: Any, sort_keys: bool) -> None:
    try:
        json.dumps(value, separators=(",", ":"), sort_keys=sort_keys)
    except Exception as exc:
        expected = exc
    else:  # pragma: no cover - every case above must fail in json.dumps
        raise AssertionError("json.dumps accepted the value")
    with pytest.raises(type(expected)) as info:
        codec.dumps(value, sort_keys=sort_keys)
    assert str(info.value) == str(expected)


def test_dumps_sort_keys_over_mixed_key_types_raises_as_json_does(codec: ModuleType) -> None:
    value = {"b": 1, 2: 3}
    assert codec.dumps(value) == b'{"b":1,"2":3}'
    with pytest.raises(TypeError, match="'<' not supported between instances of 'int' and 'str'"):
        codec.dumps(value, sort_keys=True)


def test_active_module_follows_the_switch() -> None:
    if os.environ.get("FASTJWT_NO_EXTENSIONS"):
        assert _json.loads is _json_py.loads and _json.dumps is _json_py.dumps
    elif os.environ.get("FASTJWT_REQUIRE_EXTENSION"):
        assert _json_c is not None
        assert _json.loads is _json_c.loads and _json.dumps is _json_c.dumps


def test_require_extension_imports_the_compiled_module() -> None:
    env = {k: v for k, v in os.environ.items() if k != "FASTJWT_NO_EXTENSIONS"}
    env["FASTJWT_REQUIRE_EXTENSION"] = "1"
    code = "from fastjwt._core import _json; print(_json.loads.__module__, _json.dumps.__module__)"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )
    if _json_c is not None:
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == ["fastjwt._core._json_c", "fastjwt._core._json_c"]
    else:  # not built: the switch must refuse to fall back silently
        assert result.returncode != 0
        assert "ImportError" in result.stderr or "ModuleNotFoundError" in result.stderr


def test_twins_agree_on_the_error_table() -> None:
    twins = [_json_py] + ([_json_c] if _json_c is not None else [])
    for data, _ in ERRORS:
        messages = []
        for twin in twins:
            with pytest.raises(JSONError) as info:
                twin.loads(data)
            messages.append(str(info.value))
        assert len(set(messages)) == 1, data


LEAK_CHECK = r"""
import gc, sys, tracemalloc
from fastjwt._core import _json_c
from fastjwt._core._json_errors import JSONError

inputs = [
    b'{"sub":"1234567890","name":"John Doe","admin":true,"iat":1516239022,"aud":["a","b"],"x":1.5}',
    b'{"k\\u00e9":"\\ud83d\\ude00 caf\xc3\xa9 \\n","big":' + b"9" * 300 + b"}",
    b'{"a":1,"a":2}', b"[1e999]", b"[NaN]", b"[" * 80, b'"\xff"', b'"\\u12"', b"[1,]", b"1" * 4301,
    b'{"' + b"x" * 200 + b'\\n":[' + b'"\\t",' * 50 + b"1]}",
]
values = [{"sub": "x" * 600, "n": [1, 2.5, None, True, "\U0001f600\n"], "big": 10**40}, {1: 2}, {"s": {1}}]


def run(codec):
    for data in inputs:
        try:
            codec.loads(data)
        except JSONError:
            pass
    for value in values:
        for sort_keys in (False, True):
            try:
                codec.dumps(value, sort_keys=sort_keys)
            except TypeError:
                pass


for codec in (_json_c,):  # the pure twin holds no references by hand
    for _ in range(100):
        run(codec)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(1000):  # one leaked int per call of any one case would be >= 28 kB
        run(codec)
    gc.collect()
    growth = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    print(codec.__name__, growth)
    assert growth < 16 * 1024, (codec.__name__, growth)
"""


@pytest.mark.skipif(_json_c is None, reason="needs the compiled twin")
def test_no_leaks_on_success_and_error_paths() -> None:
    result = subprocess.run(
        [sys.executable, "-c", LEAK_CHECK], cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


_SPECIALS = ['"', "\\\\", "\\n", "\\u00e9", "é", "\x01", "\x1f", "\x7f", "€", '\\"', "\U0001f600"]


@pytest.mark.parametrize("special", _SPECIALS, ids=repr)
def test_a_special_character_at_any_offset_of_a_string(codec: ModuleType, special: str) -> None:
    # The compiled scanner skips plain ASCII eight bytes at a time: put each kind of byte it must stop at (quote,
    # backslash, control, non-ASCII) at every offset across two 8-byte blocks, and compare with json.loads.
    for length in range(0, 20):
        for offset in range(length + 1):
            doc = ('{"k":"' + "a" * offset + special + "b" * (length - offset) + '"}').encode()
            try:
                expected: Any = json.loads(doc)
            except ValueError:
                expected = JSONError
            if expected is JSONError:
                with pytest.raises(JSONError):
                    codec.loads(doc)
            else:
                assert codec.loads(doc) == expected, doc


@pytest.mark.parametrize("special", ['"', "\\", "\n", "\x01", "\x1f", "\x7f", "é", "€", "\U0001f600"], ids=repr)
def test_dumps_escapes_a_special_character_at_any_offset(codec: ModuleType, special: str) -> None:
    # The compiled writer copies plain ASCII eight characters at a time: each character it must escape, at every
    # offset across two 8-byte blocks, must come out as json.dumps writes it.
    for length in range(0, 20):
        for offset in range(length + 1):
            value = "a" * offset + special + "b" * (length - offset)
            assert codec.dumps({"k": value}) == json.dumps({"k": value}, separators=(",", ":")).encode(), value
