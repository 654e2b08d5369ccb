"""How the command fails and how it prints: exit statuses, :class:`CLIError`, secret masking and escaping.

Every secret the command was given is registered with one redactor; :func:`_shown` (messages) and :func:`_dump`
(JSON documents) are the only ways sender or user text reaches the terminal.
"""

from __future__ import annotations

import json
import sys
from typing import Any

from .._text import DEFAULT_LIMIT, printable

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2
EXIT_UNAVAILABLE = 3

#: What each exit status means (shown by ``fastjwt --help``; docs/cli.md has the same table).
EXIT_STATUS = (
    (EXIT_OK, "success (verify: the token is valid and its claims are on stdout)"),
    (EXIT_INVALID, "verify: the token was refused (signature, algorithm, kid, claims, ...)"),
    (EXIT_USAGE, "usage or input error: unknown option, unknown --alg, unreadable key file, bad payload, ..."),
    (EXIT_UNAVAILABLE, "the key source is unavailable: the JWKS could not be fetched or holds no usable key"),
)


class CLIError(Exception):
    """A failure reported as one ``error: ...`` line with ``code`` as the exit status."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


class _Redactor:
    """Replaces every secret the command was given with ``***`` in anything printed."""

    def __init__(self) -> None:
        self.secrets: list[str] = []

    def add(self, secret: str | bytes) -> None:
        text = secret.decode("utf-8", "replace") if isinstance(secret, bytes) else secret
        text = text.strip()
        if len(text) >= 3 and text not in self.secrets:
            self.secrets.append(text)
            self.secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self.secrets:
            text = text.replace(secret, "***")
        return text


_redact = _Redactor()

#: How much of a whole message line is shown (the token values inside it are cut to ``DEFAULT_LIMIT`` first).
_MESSAGE_LIMIT = 400


def _shown(value: object, limit: int = DEFAULT_LIMIT) -> str:
    """``value`` made safe to print: secrets masked, then control, format and separator characters escaped and the
    text cut to ``limit`` characters (see :func:`fastjwt._text.printable`)."""
    return printable(_redact(str(value)), limit)


def _dump(obj: Any) -> str:
    """Indented JSON for a terminal that a script can still parse.

    Letters outside ASCII stay readable; every character ``str.isprintable`` refuses (C1 controls, bidi overrides,
    U+2028, lone surrogates, ...) is written as a JSON ``\\u`` escape, so the decoded value is unchanged.
    """
    text = json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False)
    if text.replace("\n", "").isprintable():
        return text
    return "".join(c if c.isprintable() or c == "\n" else json.dumps(c)[1:-1] for c in text)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return _redact(text[0]) if text else type(exc).__name__


def _print_error(message: str) -> None:
    """The one ``error: ...`` line on stderr."""
    sys.stderr.write(f"error: {_shown(message, _MESSAGE_LIMIT)}\n")
