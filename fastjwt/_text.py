"""Untrusted text made safe to show: in exception messages, log records and terminal output.

A token's ``kid``, ``crit`` values or ``alg`` are the sender's choice. Written raw, a control character in one can
drive the reader's terminal (ESC, BEL), forge a line in a log (CR, LF, U+2028) or reorder what is shown (bidi
overrides). :func:`printable` escapes every character ``str.isprintable`` refuses and cuts long values.
"""

from __future__ import annotations

__all__ = ["DEFAULT_LIMIT", "printable"]

#: How many characters of an untrusted value a message shows before cutting it.
DEFAULT_LIMIT = 80


def _escape(char: str) -> str:
    code = ord(char)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


def printable(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """``str(value)`` with control, format and separator characters escaped, cut to ``limit`` characters.

    Escapes are written as Python writes them (``\\x1b``, ``\\u202e``), so the result reads like the value's repr
    without the quotes. A value longer than ``limit`` keeps its first ``limit`` characters and ends with ``...``.
    Plain printable text comes back unchanged, so messages users match on keep their wording.
    """
    text = value if type(value) is str else str(value)
    cut = len(text) > limit
    if cut:
        text = text[:limit]
    if not text.isprintable():
        text = "".join(char if char.isprintable() else _escape(char) for char in text)
    return text + "..." if cut else text
