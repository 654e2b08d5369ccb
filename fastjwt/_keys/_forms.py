"""The forms key material arrives in: PEM, DER, OpenSSH, certificates, JWK text; recognising and loading them.

Two jobs with different appetites. :func:`load_key_text` is what the RSA, EC and EdDSA families accept from text:
PEM (PKCS#1, PKCS#8, SEC1, SPKI) and one-line OpenSSH public keys, nothing else. :func:`is_asymmetric_material` and
:func:`looks_like_jwk` guard HMAC secrets, and are deliberately greedy: a token whose header says ``HS256`` makes the
verifier use the caller's key as an HMAC secret, so if that key is public text the attacker knows, they can forge
tokens (CVE-2022-29217). Everything that carries a public or private key, in any spelling a tool might produce, is
recognised; a plain password never is.
"""

from __future__ import annotations

import binascii
import json
import re
from typing import Any, get_args

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import (
    load_der_private_key,
    load_der_public_key,
    load_pem_private_key,
    load_pem_public_key,
    load_ssh_public_key,
)

__all__ = [
    "KEY_OBJECT_TYPES",
    "OPENSSH_KEY_TYPES",
    "has_pem_pair",
    "is_asymmetric_material",
    "load_key_text",
    "looks_like_jwk",
    "wrong_family",
]

#: ``cryptography`` objects that hold asymmetric key material (keys of every family, certificates, CSRs).
KEY_OBJECT_TYPES: tuple[type, ...] = (
    *get_args(PublicKeyTypes),
    *get_args(PrivateKeyTypes),
    x509.Certificate,
    x509.CertificateSigningRequest,
)

#: The OpenSSH public key types ``cryptography`` reads (``utils.is_ssh_key`` tests for exactly these prefixes).
OPENSSH_KEY_TYPES: tuple[bytes, ...] = (
    b"ssh-ed25519",
    b"ssh-rsa",
    b"ssh-dss",
    b"ecdsa-sha2-nistp256",
    b"ecdsa-sha2-nistp384",
    b"ecdsa-sha2-nistp521",
)
# ... and the ones OpenSSH writes that cryptography may not read, which are still nobody's HMAC secret.
_MORE_SSH_KEY_TYPES = (b"ssh-ed448", b"sk-ssh-ed25519@openssh.com", b"sk-ecdsa-sha2-nistp256@openssh.com")


def wrong_family(key: object, expected: tuple[type, ...], algorithm_class: str) -> str:
    """The message for a key of another family than ``expected``, in the form PyJWT's algorithms give it."""
    names = ", ".join(cls.__name__ for cls in expected)
    return f"Expected one of {names}, got: {type(key).__name__}. Invalid Key type for {algorithm_class}"


# --- PEM ---------------------------------------------------------------------------------------------------------

# The labels PyJWT's is_pem_format knows (RFC 7468 and the common pre-standard ones).
_KNOWN_PEM_LABELS = (
    b"CERTIFICATE", b"TRUSTED CERTIFICATE", b"NEW CERTIFICATE REQUEST", b"CERTIFICATE REQUEST", b"X509 CRL",
    b"PRIVATE KEY", b"ENCRYPTED PRIVATE KEY", b"PUBLIC KEY", b"RSA PRIVATE KEY", b"RSA PUBLIC KEY",
    b"DSA PRIVATE KEY", b"EC PRIVATE KEY", b"OPENSSH PRIVATE KEY", b"DH PARAMETERS",
    b"SSH2 PUBLIC KEY", b"SSH2 ENCRYPTED PRIVATE KEY",
)  # fmt: skip
# A BEGIN or END line of a known label, spelt as PEM ("-----BEGIN X-----"), as RFC 4716 ("---- BEGIN X ----") or with
# the dashes and spaces mixed (what PyJWT's is_pem_format takes). A lookahead, so overlapping markers are all seen.
_PEM_LABEL = rb"(?P<label>" + b"|".join(re.escape(label) for label in _KNOWN_PEM_LABELS) + rb")"
_PEM_MARKER = re.compile(rb"(?=(----[- ](?P<kind>BEGIN|END) " + _PEM_LABEL + rb"[- ]----))")
# A complete BEGIN line of any label, then the first character of a body or header: the start of a PEM block. An
# unfinished marker ("-----BEGIN PUBLIC KEY" with no closing dashes), a BEGIN line with nothing after it, or one
# followed by another marker is not. Labels never hold a hyphen (RFC 7468 section 3), so a label ends at the first.
_PEM_BLOCK_START = re.compile(
    rb"(?:-----BEGIN [^\r\n-]*-----|---- BEGIN [^\r\n-]*? ----)\s*[A-Za-z0-9+/=]", re.IGNORECASE
)


def has_pem_pair(data: bytes) -> bool:
    """True when ``data`` holds a BEGIN marker of a known PEM label and, after it, the END marker of that label.

    The markers are read in order; an END counts when the latest BEGIN of its label ended before the END starts.
    """
    begin_ends: dict[bytes, int] = {}
    for marker in _PEM_MARKER.finditer(data):
        start, end = marker.span(1)
        label = marker.group("label")
        if marker.group("kind") == b"BEGIN":
            begin_ends[label] = end
        elif begin_ends.get(label, end) < start:
            return True
    return False


def _has_pem(data: bytes) -> bool:
    # Every marker, in any spelling, has a run of four dashes.
    return b"----" in data and (_PEM_BLOCK_START.search(data) is not None or has_pem_pair(data))


# --- OpenSSH -----------------------------------------------------------------------------------------------------

_SSH_TYPES = rb"(?:" + b"|".join(re.escape(t) for t in OPENSSH_KEY_TYPES + _MORE_SSH_KEY_TYPES) + rb")"
_SSH_CERT = rb"(?:-cert-v01@openssh\.com)?"
# A key type at the very start, after nothing but whitespace or control bytes, ending there or at a space.
_SSH_LEADING = re.compile(rb"[\x00-\x20]*" + _SSH_TYPES + _SSH_CERT + rb"(?:\s|$)")
# A key type anywhere followed by its Base64 blob, which always starts "AAAA" (the type's length, big-endian), as in
# an authorized_keys line with options or a comment in front.
_SSH_WITH_BLOB = re.compile(_SSH_TYPES + _SSH_CERT + rb"[ \t]+AAAA")


def _has_ssh_key(data: bytes) -> bool:
    return (
        data.startswith(OPENSSH_KEY_TYPES)
        or _SSH_LEADING.match(data) is not None
        or (b"AAAA" in data and _SSH_WITH_BLOB.search(data) is not None)
    )


# --- DER ---------------------------------------------------------------------------------------------------------


def _loads(loader: Any, data: bytes) -> bool:
    try:
        loader(data)
    except (TypeError, ValueError, UnsupportedAlgorithm):
        return False
    return True


def _read_private_der(data: bytes) -> None:
    try:
        load_der_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        return  # encrypted: it still is a private key


_DER_READERS = (load_der_public_key, _read_private_der, x509.load_der_x509_certificate, x509.load_der_x509_csr)


def _is_der_material(data: bytes) -> bool:
    # Keys, certificates and CSRs are all an ASN.1 SEQUENCE (tag 0x30); nothing else needs the loaders.
    return len(data) > 1 and data[0] == 0x30 and any(_loads(reader, data) for reader in _DER_READERS)


_WHITESPACE = re.compile(rb"\s+")
_BASE64_BODY = re.compile(rb"M[A-Za-z0-9+/]*={0,2}")


def _is_bare_pem_body(data: bytes) -> bool:
    """The Base64 inside a PEM without its BEGIN/END lines (DER SEQUENCEs encode to text starting with "M")."""
    if data.lstrip()[:1] != b"M":
        return False
    body = _WHITESPACE.sub(b"", data)
    if _BASE64_BODY.fullmatch(body) is None:
        return False
    try:
        der = binascii.a2b_base64(body)
    except binascii.Error:
        return False
    return _is_der_material(der)


def is_asymmetric_material(data: bytes) -> bool:
    """True when ``data`` is, or carries, a public or private key or a certificate in any text or binary form.

    PEM blocks of any label, anywhere in the text (also without an END line, after comments, whitespace or control
    bytes), RFC 4716 SSH2 blocks, OpenSSH public keys (at the start, or with their blob anywhere), DER keys,
    certificates and CSRs (encrypted private keys too), and the bare Base64 body of such DER.
    """
    return _has_pem(data) or _has_ssh_key(data) or _is_der_material(data) or _is_bare_pem_body(data)


# --- JWK text ----------------------------------------------------------------------------------------------------

# JSON member names a JWK or JWK Set has: "kty" (every JWK), "keys" holding an array (a set). Spelt plainly in any
# ASCII-compatible encoding, these are found without decoding anything.
_JWK_MEMBER = re.compile(rb'"kty"\s*:|"keys"\s*:\s*\[')
# One JSON string literal (escapes included), and what follows it.
_STRING = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_MEMBER_COLON = re.compile(r"\s*:(\s*\[)?")
# PyJWT refuses JSON object text its parser cannot finish for depth (near the recursion limit: about 990 levels by
# default, fewer in a deep call stack). Refusing from a fixed, lower depth refuses at least as much, deterministically;
# no secret anyone uses is a JSON object nested this deep.
_MAX_OBJECT_DEPTH = 256


def _json_text(data: bytes) -> str | None:
    """``data`` decoded in the encoding JSON text in it would use (RFC 8259 8.1 and RFC 4627 3), else None."""
    try:
        # surrogatepass: a lone surrogate (a JSON escape's worth of text) must not hide the rest of the document
        return data.decode(json.detect_encoding(data), errors="surrogatepass")
    except (UnicodeDecodeError, LookupError):
        return None


def _names_a_jwk_member(text: str) -> bool:
    """True when some member name, escapes decoded, is ``kty``, or ``keys`` with an array value."""
    for literal in _STRING.finditer(text):
        follows = _MEMBER_COLON.match(text, literal.end())
        if follows is None:
            continue
        try:
            name = json.loads(literal.group())
        except ValueError:
            continue
        if name == "kty" or (name == "keys" and follows.group(1) is not None):
            return True
    return False


def _is_deep_object(text: str) -> bool:
    """True when ``text`` opens a JSON object whose brackets (outside strings) nest beyond the depth limit."""
    if not text.lstrip("\ufeff \t\r\n").startswith("{"):
        return False
    if text.count("{") + text.count("[") <= _MAX_OBJECT_DEPTH:
        return False
    depth = 0
    for char in _STRING.sub('""', text):
        if char in "{[":
            depth += 1
            if depth > _MAX_OBJECT_DEPTH:
                return True
        elif char in "}]":
            depth -= 1
    return False


def looks_like_jwk(data: bytes) -> bool:
    """True when ``data`` is, or holds, a JWK or a JWK Set in JSON text of any encoding.

    A member named ``kty`` anywhere, or ``keys`` holding an array, whether or not the text around it is valid JSON
    (a JWK with a comment line is still a JWK); and JSON object text nested more than 256 levels deep, which PyJWT
    refuses once its parser gives up.
    """
    if b'"' not in data:  # no member names, in any encoding: nothing to find (a deep object has them too)
        return False
    if _JWK_MEMBER.search(data):
        return True
    text = _json_text(data)
    return text is not None and (_names_a_jwk_member(text) or _is_deep_object(text))


# --- loading -----------------------------------------------------------------------------------------------------

# Text that starts like this is a one-line OpenSSH public key (or nothing); anything else is tried as PEM.
_OPENSSH_PREFIXES = (b"ssh-", b"ecdsa-sha2-")


def _load_private_pem(data: bytes) -> Any:
    return load_pem_private_key(data, password=None)


def load_key_text(data: bytes) -> Any:
    """The public or private key in PEM or one-line OpenSSH text, or None when ``data`` holds neither.

    Encrypted private keys, DER, certificates and JWK text are not read (None): pass a key object for those.
    """
    readers = (load_ssh_public_key,) if data.startswith(_OPENSSH_PREFIXES) else (_load_private_pem, load_pem_public_key)
    for reader in readers:
        try:
            return reader(data)
        except (TypeError, ValueError, UnsupportedAlgorithm):
            continue
    return None
