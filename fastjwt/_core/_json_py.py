"""Pure-Python twin of the strict JSON codec (``_json_c.pyx``); same results, same errors.

``loads`` takes the fast road through :func:`json.loads` with hooks that refuse what strict
JSON forbids. Whenever that road fails or is unsure (an error of any kind, a document that
might nest too deep or hold a huge integer), it hands the input to :func:`_parse`, a byte-by-
byte parser that mirrors the compiled one step for step: that parser alone decides which
error is reported, so both twins report the first error in document order with the same
message, including the byte offset of syntax errors.

The offset ``N`` in ``invalid JSON at byte N`` is the index of the first byte that cannot
continue a valid JSON text (``len(data)`` when the input ends too early); a ``NaN``/``Infinity``
literal is reported as ``non-finite number`` instead.
"""

from __future__ import annotations

import json
import operator
import re
import sys
from typing import Any, NoReturn

from ._json_errors import JSONError

__all__ = ["JSONError", "dumps", "loads"]

# Integers longer than this are refused whatever sys.get_int_max_str_digits() says.
MAX_INT_DIGITS = 4300

_BOM = b"\xef\xbb\xbf"
_WS = b" \t\n\r"
_DIGITS = b"0123456789"
_HEX = {ord(c): int(c, 16) for c in "0123456789abcdefABCDEF"}
_SIMPLE_ESCAPES = {
    ord('"'): '"',
    ord("\\"): "\\",
    ord("/"): "/",
    ord("b"): "\b",
    ord("f"): "\f",
    ord("n"): "\n",
    ord("r"): "\r",
    ord("t"): "\t",
}
_LONG_DIGIT_RUN = re.compile(r"[0-9]{%d}" % (MAX_INT_DIGITS + 1))  # noqa: UP031
_STRING_OR_BRACKET = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)

_DUPLICATE = "duplicate member name"
_NON_FINITE = "non-finite number"
_TOO_DEEP = "nesting too deep"
_BAD_UTF8 = "invalid UTF-8"
_TOO_LARGE = "number too large"


class _Unsure(Exception):
    """Raised by the json.loads hooks: let the exact parser decide."""


def _fail(message: str) -> NoReturn:
    raise JSONError(message)


def _syntax(pos: int) -> NoReturn:
    raise JSONError(f"invalid JSON at byte {pos}")


def _pairs_hook(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Unsure
    return result


def _constant_hook(name: str) -> NoReturn:
    raise _Unsure


def _float_hook(text: str) -> float:
    value = float(text)
    if value - value != 0.0:  # inf (json never hands NaN text to parse_float)
        raise _Unsure
    return value


_decoder = json.JSONDecoder(
    object_pairs_hook=_pairs_hook, parse_constant=_constant_hook, parse_float=_float_hook
)


def _as_bytes(data: object) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, (bytearray, memoryview)):
        return bytes(data)
    raise TypeError(f"loads() argument must be bytes, bytearray or memoryview, not {type(data).__name__}")


def loads(data: bytes | bytearray | memoryview, max_depth: int = 64) -> Any:
    """Parse strict RFC 8259 JSON from UTF-8 ``data``; raise :class:`JSONError` if it is not.

    :param data: the document (``bytes``; ``bytearray`` and ``memoryview`` are copied).
    :param max_depth: the deepest nesting of arrays and objects allowed (``{}`` has depth 1).
    """
    raw = _as_bytes(data)
    depth_limit = operator.index(max_depth)
    if depth_limit > sys.maxsize or depth_limit < -sys.maxsize - 1:
        raise OverflowError("Python int too large to convert to C ssize_t")
    if raw.startswith(_BOM):
        _fail(_BAD_UTF8)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        _fail(_BAD_UTF8)
    try:
        value = _decoder.decode(text)
    except (_Unsure, ValueError, RecursionError):
        return _parse(raw, depth_limit)
    if len(text) > MAX_INT_DIGITS and _LONG_DIGIT_RUN.search(text) is not None:
        return _parse(raw, depth_limit)
    if text.count("[") + text.count("{") > depth_limit and _too_deep(text, depth_limit):
        return _parse(raw, depth_limit)
    return value


def _too_deep(text: str, max_depth: int) -> bool:
    """Whether valid JSON ``text`` nests deeper than ``max_depth``."""
    depth = 0
    for match in _STRING_OR_BRACKET.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            if depth > max_depth:
                return True
        elif token in "]}":
            depth -= 1
    return False


def _valid_utf8(raw: bytes) -> bool:
    if raw.startswith(_BOM):
        return False
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


class _Parser:
    """The exact, iterative reference parser; mirrors ``_json_c.pyx`` step for step."""

    def __init__(self, raw: bytes) -> None:
        self.buf = raw
        self.n = len(raw)
        self.pos = 0

    def fail(self, message: str) -> NoReturn:
        # Invalid UTF-8 anywhere in the input outranks every other error.
        if message != _BAD_UTF8 and not _valid_utf8(self.buf):
            message = _BAD_UTF8
        raise JSONError(message)

    def syntax(self, pos: int) -> NoReturn:
        self.fail(f"invalid JSON at byte {pos}")

    def skip_ws(self) -> None:
        buf, n, pos = self.buf, self.n, self.pos
        while pos < n and buf[pos] in _WS:
            pos += 1
        self.pos = pos

    def literal(self, word: bytes, value: Any) -> Any:
        buf, n, pos = self.buf, self.n, self.pos
        for i, expected in enumerate(word):
            if pos + i >= n or buf[pos + i] != expected:
                self.syntax(pos + i)
        self.pos = pos + len(word)
        return value

    def key(self) -> str:
        """Parse ``"name"`` ws ``:`` at pos (whitespace before it already skipped)."""
        if self.pos >= self.n or self.buf[self.pos] != 0x22:
            self.syntax(self.pos)
        name = self.string()
        self.skip_ws()
        if self.pos >= self.n or self.buf[self.pos] != 0x3A:
            self.syntax(self.pos)
        self.pos += 1
        return name

    def string(self) -> str:
        buf, n = self.buf, self.n
        start = self.pos + 1
        i = start
        escaped = False
        while i < n:
            c = buf[i]
            if c == 0x22:
                break
            if c == 0x5C:
                escaped = True
                i += 2
                continue
            if c < 0x20 and not escaped:
                self.syntax(i)
            i += 1
        if i >= n:
            end = n
            if escaped:
                self.decode_escaped(start, end)
            self.syntax(n)
        end = i
        if escaped:  # noqa: SIM108 (mirrors _json_c.pyx)
            text = self.decode_escaped(start, end)
        else:
            text = self.utf8(start, end)
        self.pos = end + 1
        return text

    def hex4(self, at: int, end: int) -> int:
        value = 0
        for j in range(at, at + 4):
            digit = _HEX.get(self.buf[j]) if j < end else None
            if digit is None:
                self.syntax(j)
            value = value * 16 + digit
        return value

    def low_surrogate_at(self, at: int, end: int) -> int:
        """The low surrogate escaped as ``\\uXXXX`` at ``at``, or -1."""
        buf = self.buf
        if at + 6 > end or buf[at] != 0x5C or buf[at + 1] != 0x75:
            return -1
        value = 0
        for j in range(at + 2, at + 6):
            digit = _HEX.get(buf[j])
            if digit is None:
                return -1
            value = value * 16 + digit
        return value if 0xDC00 <= value <= 0xDFFF else -1

    def decode_escaped(self, start: int, end: int) -> str:
        """Decode string content ``buf[start:end]``; errors are raised in document order."""
        buf = self.buf
        out: list[str] = []
        i = start
        run = start
        while i < end:
            c = buf[i]
            if c == 0x5C:
                out.append(self.utf8(run, i))
                i += 1
                if i >= end:
                    self.syntax(i)
                e = buf[i]
                simple = _SIMPLE_ESCAPES.get(e)
                if simple is not None:
                    out.append(simple)
                    i += 1
                elif e == 0x75:
                    code = self.hex4(i + 1, end)
                    i += 5
                    if 0xD800 <= code <= 0xDBFF:
                        low = self.low_surrogate_at(i, end)
                        if low >= 0:
                            code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                            i += 6
                    out.append(chr(code))
                else:
                    self.syntax(i)
                run = i
            elif c < 0x20:
                self.syntax(i)
            else:
                i += 1
        out.append(self.utf8(run, end))
        return "".join(out)

    def utf8(self, start: int, end: int) -> str:
        try:
            return self.buf[start:end].decode("utf-8")
        except UnicodeDecodeError:
            self.fail(_BAD_UTF8)

    def number(self) -> int | float:
        buf, n = self.buf, self.n
        start = pos = self.pos
        if buf[pos] == 0x2D:
            pos += 1
            if pos < n and buf[pos] == 0x49:
                if buf[pos : pos + 8] == b"Infinity":
                    self.fail(_NON_FINITE)
                self.syntax(pos)
        if pos >= n:
            self.syntax(pos)
        c = buf[pos]
        if c == 0x30:
            pos += 1
        elif 0x31 <= c <= 0x39:
            pos += 1
            while pos < n and buf[pos] in _DIGITS:
                pos += 1
        else:
            self.syntax(pos)
        int_end = pos
        is_float = False
        if pos < n and buf[pos] == 0x2E:
            pos += 1
            if pos >= n or buf[pos] not in _DIGITS:
                self.syntax(pos)
            while pos < n and buf[pos] in _DIGITS:
                pos += 1
            is_float = True
        if pos < n and buf[pos] in b"eE":
            pos += 1
            if pos < n and buf[pos] in b"+-":
                pos += 1
            if pos >= n or buf[pos] not in _DIGITS:
                self.syntax(pos)
            while pos < n and buf[pos] in _DIGITS:
                pos += 1
            is_float = True
        self.pos = pos
        token = buf[start:pos].decode("ascii")
        if is_float:
            value = float(token)
            if value - value != 0.0:
                self.fail(_NON_FINITE)
            return value
        digits = int_end - start - (1 if buf[start] == 0x2D else 0)
        if digits > MAX_INT_DIGITS:
            self.fail(_TOO_LARGE)
        try:
            return int(token)
        except ValueError:  # sys.set_int_max_str_digits() set lower than ours
            self.fail(_TOO_LARGE)

    def parse(self, max_depth: int) -> Any:
        buf, n = self.buf, self.n
        stack: list[Any] = []
        keys: list[Any] = []
        while True:
            self.skip_ws()
            pos = self.pos
            if pos >= n:
                self.syntax(pos)
            c = buf[pos]
            value: Any
            if c == 0x7B or c == 0x5B:
                if len(stack) >= max_depth:
                    self.fail(_TOO_DEEP)
                self.pos = pos + 1
                self.skip_ws()
                close = 0x7D if c == 0x7B else 0x5D
                if self.pos < n and buf[self.pos] == close:
                    self.pos += 1
                    value = {} if c == 0x7B else []
                elif c == 0x7B:
                    keys.append(self.key())
                    stack.append({})
                    continue
                else:
                    keys.append(None)
                    stack.append([])
                    continue
            elif c == 0x22:
                value = self.string()
            elif c == 0x74:
                value = self.literal(b"true", True)
            elif c == 0x66:
                value = self.literal(b"false", False)
            elif c == 0x6E:
                value = self.literal(b"null", None)
            elif c == 0x2D or 0x30 <= c <= 0x39:
                value = self.number()
            elif c == 0x4E and buf[pos : pos + 3] == b"NaN":  # noqa: SIM114 (mirrors _json_c.pyx)
                self.fail(_NON_FINITE)
            elif c == 0x49 and buf[pos : pos + 8] == b"Infinity":
                self.fail(_NON_FINITE)
            else:
                self.syntax(pos)
            # A value is complete: attach it to its container, closing containers as they end.
            while True:
                if not stack:
                    self.skip_ws()
                    if self.pos != n:
                        self.syntax(self.pos)
                    return value
                container = stack[-1]
                is_object = type(container) is dict
                if is_object:
                    size = len(container)
                    container[keys[-1]] = value
                    if len(container) == size:
                        self.fail(_DUPLICATE)
                else:
                    container.append(value)
                self.skip_ws()
                if self.pos >= n:
                    self.syntax(self.pos)
                c = buf[self.pos]
                if c == 0x2C:
                    self.pos += 1
                    if is_object:
                        self.skip_ws()
                        keys[-1] = self.key()
                    break
                if c == (0x7D if is_object else 0x5D):
                    self.pos += 1
                    value = stack.pop()
                    keys.pop()
                    continue
                self.syntax(self.pos)


def _parse(raw: bytes, max_depth: int) -> Any:
    return _Parser(raw).parse(max_depth)


def dumps(obj: Any, *, sort_keys: bool = False, cls: type[json.JSONEncoder] | None = None) -> bytes:
    """Serialize ``obj`` exactly as ``json.dumps(obj, separators=(",", ":"), ...)`` does, as UTF-8.

    :param obj: the value to serialize.
    :param sort_keys: sort object members by name.
    :param cls: a :class:`json.JSONEncoder` subclass to use instead of the default.
    """
    # NaN and Infinity are not JSON (RFC 8259 section 6), and fastjwt's own decoder refuses them: never write them.
    return json.dumps(obj, separators=(",", ":"), sort_keys=sort_keys, cls=cls, allow_nan=False).encode("utf-8")
