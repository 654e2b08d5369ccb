"""printable(): untrusted text escaped for messages, logs and terminals."""

from __future__ import annotations

import pytest

from fastjwt._text import DEFAULT_LIMIT, printable


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("\x1b]0;PWNED\x07", "\\x1b]0;PWNED\\x07"),  # terminal title escape
        ("a\r\nb", "a\\x0d\\x0ab"),  # a forged log line
        ("\x7f", "\\x7f"),
        ("\x9b31m", "\\x9b31m"),  # C1 CSI
        ("\u202egnp.exe", "\\u202egnp.exe"),  # bidi override
        ("\u2066x\u2069", "\\u2066x\\u2069"),
        ("one\u2028two\u2029", "one\\u2028two\\u2029"),
        ("\U000e0041", "\\U000e0041"),  # tag character (format)
    ],
)
def test_controls_are_escaped(raw: str, shown: str) -> None:
    assert printable(raw) == shown


def test_plain_text_is_unchanged() -> None:
    assert printable("Unsupported critical extension: exp") == "Unsupported critical extension: exp"
    assert printable("caf\u00e9 \u4e2d\u6587") == "caf\u00e9 \u4e2d\u6587"


def test_long_values_are_cut_before_escaping() -> None:
    assert printable("k" * 500) == "k" * DEFAULT_LIMIT + "..."
    assert printable("\n" * 10, limit=3) == "\\x0a\\x0a\\x0a..."
    assert printable("abcd", limit=4) == "abcd"


def test_non_strings_are_shown_as_str() -> None:
    assert printable(12) == "12"
    assert printable(b"\x1b") == "b'\\x1b'"
