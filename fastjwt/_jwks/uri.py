"""The JWKS URI: which ones a client accepts, and how one is shown in logs and messages without its secrets."""

from __future__ import annotations

from typing import Any
from urllib.parse import unquote, urlsplit, urlunsplit

from .._text import printable
from ..exceptions import PyJWKClientError

_SHOWN_URI = 200  # characters of a redacted URI shown in a log record
_SHOWN_DETAIL = 300  # characters of a transport's error shown in a message


def check_uri(uri: Any) -> None:
    """Refuse a JWKS URI that is not ``http(s)`` or that carries credentials.

    Run at construction and again before every fetch, because ``client.uri`` can be reassigned.
    Other schemes would let urllib read local files (``file:``) or reach FTP and ``data:`` handlers
    when the URI is influenced by someone else. Credentials in the authority were never sent as
    credentials by urllib (it resolved ``user:pass@host`` as a host name), and would be copied into
    log records and error messages: they belong in ``headers``.

    :raises PyJWKClientError: naming the problem, never repeating the credentials.
    """
    parts = urlsplit(uri) if isinstance(uri, str) else None
    scheme = parts.scheme.lower() if parts is not None else ""
    if scheme not in ("http", "https"):
        raise PyJWKClientError(f"Invalid JWKS URI scheme {scheme!r}: only 'http' and 'https' are supported.")
    if parts is not None and "@" in parts.netloc:
        raise PyJWKClientError(
            "The JWKS URI must not contain credentials (user:password@host); "
            "send them with the headers parameter instead"
        )


def _mask_query(query: str) -> str:
    masked = []
    for field in query.split("&"):
        name, equals, _ = field.partition("=")
        masked.append(f"{name}=..." if equals else "...")
    return "&".join(masked)


def redact_uri(uri: str) -> str:
    """``uri`` as a log record may show it: query values replaced by ``...``, escaped and cut.

    ``https://idp/jwks?key=abc&t`` becomes ``https://idp/jwks?key=...&...``. A fragment is shown as
    ``#...`` and credentials (refused by :func:`check_uri`, but ``uri`` is writable) are dropped.
    """
    try:
        parts = urlsplit(uri)
    except ValueError:
        return "<unparsable URI>"
    host = parts.netloc.rpartition("@")[2]
    shown = urlunsplit(
        (
            parts.scheme,
            host,
            parts.path,
            _mask_query(parts.query) if parts.query else "",
            "..." if parts.fragment else "",
        )
    )
    return printable(shown, limit=_SHOWN_URI)


def describe_failure(error: BaseException, uri: str) -> str:
    """The text of a transport's exception, safe for a message: without the URI's secrets, escaped, cut.

    Transports quote the URL in their errors (httpx's status errors, http.client's refusal of a bad
    request target), so the URI and, where quoted alone, its ``?query`` (raw or percent-decoded),
    ``#fragment`` and ``credentials@`` are replaced by their redacted forms. Only these delimited
    forms are replaced, so a short query value cannot blank out the same characters elsewhere.
    """
    text = str(error) or type(error).__name__  # a bare TimeoutError has no message
    if isinstance(uri, str):
        for secret, shown in _quoted_secrets(uri):
            text = text.replace(secret, shown)
    return printable(text, limit=_SHOWN_DETAIL)


def _quoted_secrets(uri: str) -> list[tuple[str, str]]:
    """The forms in which a transport may quote ``uri``'s secrets, each with what to show instead."""
    found = [(uri, redact_uri(uri))]
    try:
        parts = urlsplit(uri)
    except ValueError:
        return found
    if parts.query:
        masked = "?" + _mask_query(parts.query)
        found += [("?" + parts.query, masked), ("?" + unquote(parts.query), masked)]
    if parts.fragment:
        found.append(("#" + parts.fragment, "#..."))
    credentials = parts.netloc.rpartition("@")[0]
    if credentials:
        found.append((credentials + "@", ""))
    return found
