"""The ``fastjwt`` command-line tool: decode, verify (with ``--explain``), encode, keygen, jwks and bench.

For troubleshooting tokens without pasting secrets into a web page. Errors are one ``error: ...`` line on stderr with
a distinct exit status (see :data:`EXIT_STATUS`); secrets are never printed.

Everything taken from a token, a JWK, an exception or the command line is printed through :func:`_shown` (messages:
secrets masked, control, format and separator characters escaped, long values cut) or :func:`_dump` (JSON documents:
the same characters written as JSON escapes, so the value a script reads is unchanged).
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import math
import os
import re
import stat
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from functools import partial
from typing import Any, NoReturn

from ._text import DEFAULT_LIMIT, printable

__all__ = ["main"]

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

_HMAC_ALGS = ("HS256", "HS384", "HS512")
_RSA_ALGS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512")
_EC_ALG_BY_CURVE = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512", "secp256k1": "ES256K"}
_CURVES = {"P-256": "SECP256R1", "P-384": "SECP384R1", "P-521": "SECP521R1", "secp256k1": "SECP256K1"}
_DURATION = re.compile(r"^\s*(-?\d+)\s*([smhdw]?)\s*$")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


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


# -- usage errors without secrets ------------------------------------------------------------------------------------

# An unrecognized argument is named only when it looks like an option name, never when it may be a value.
_OPTION_NAME = re.compile(r"^--?[A-Za-z][A-Za-z0-9-]{0,23}$")


class _Argv:
    """What the command line holds that a usage error must not echo: every value, whatever option it follows."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self.key_given = False

    def collect(self, argv: Sequence[str], known_words: set[str]) -> None:
        """Remember the values in ``argv`` (anything that is not a known option, command or choice) and register
        ``--key`` secrets with the redactor."""
        self.values, self.key_given = [], False
        for i, arg in enumerate(argv):
            name, sep, value = arg.partition("=") if arg.startswith("-") else ("", "", arg)
            if name == "--key":
                self.key_given = True
                secret = value if sep else (argv[i + 1] if i + 1 < len(argv) else "")
                if secret not in known_words:  # ``--key --key-env VAR`` gave no secret
                    _redact.add(secret)
            if sep:
                self.values.append(value)
            elif not name and arg not in known_words:
                self.values.append(arg)
        self.values.sort(key=len, reverse=True)

    def mask(self, message: str) -> str:
        """``message`` with every command-line value masked (argparse quotes them with ``repr``)."""
        for value in self.values:
            message = message.replace(repr(value), "'***'")
            if len(value) >= 8:
                message = message.replace(value, "***")
        return _redact(message)


_argv = _Argv()


def _unrecognized(extras: Sequence[str]) -> str:
    """A usage error naming the unrecognized options but none of their values."""
    names: list[str] = []
    hidden = 0
    after_option = False
    for arg in extras:
        name = arg.partition("=")[0]
        if arg.startswith("-") and not after_option and _OPTION_NAME.match(name):
            names.append(name)
            after_option = "=" not in arg  # the next argument may be this option's value
        else:
            hidden += 1
            after_option = False
    listed = " ".join(names)
    if hidden:
        listed += (" and " if names else "") + f"{hidden} other argument{'s' if hidden > 1 else ''} (not shown)"
    return "unrecognized arguments: " + listed


class _Parser(argparse.ArgumentParser):
    """argparse that never echoes a command-line value in a usage error, and takes no abbreviations.

    A mistyped ``--kye SECRET`` or ``--key-fil=SECRET`` must not print the secret: errors name options only. Options
    must be spelled out (``allow_abbrev=False``): a prefix such as ``--ke`` matches ``--key`` and ``--key-file``.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("allow_abbrev", False)
        super().__init__(*args, **kwargs)

    def parse_args(self, args: Sequence[str] | None = None, namespace: Any = None) -> Any:  # type: ignore[override]
        parsed, extras = self.parse_known_args(args, namespace)
        if extras:
            raise CLIError(f"{_unrecognized(extras)} (see {self.prog} --help)", EXIT_USAGE)
        return parsed

    def error(self, message: str) -> NoReturn:
        if message.startswith("unrecognized arguments"):  # argparse's own wording lists the values
            message = "unrecognized arguments"
        raise CLIError(f"{_argv.mask(message)} (see {self.prog} --help)", EXIT_USAGE)


# -- helpers ---------------------------------------------------------------------------------------------------------


def parse_duration(text: str) -> int:
    """Seconds in ``30s``, ``15m``, ``1h``, ``2d``, ``1w`` or a bare number of seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise CLIError(f"invalid duration {_shown(repr(text))} (use e.g. 30s, 15m, 1h, 2d)")
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def _human(seconds: float) -> str:
    seconds = int(abs(seconds))
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size:
            parts.append(f"{seconds // size}{unit}")
            seconds %= size
    if seconds or not parts:
        parts.append(f"{seconds}s")
    return " ".join(parts[:2])


_OUT_OF_RANGE = "out of range"


def _utc(ts: float) -> str:
    try:
        return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return _OUT_OF_RANGE


def _finite(value: Any) -> float | None:
    """``value`` as a float when it is a finite JSON number (not a bool), else ``None``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    try:
        number = float(value)
    except OverflowError:
        return None
    return number if math.isfinite(number) else None


def describe_time(claim: str, value: Any, now: float) -> str:
    """One line for a time claim: UTC date plus how it relates to ``now``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{claim}: {_shown(repr(value))} (not a number)"
    if _finite(value) is None or _utc(value) == _OUT_OF_RANGE:
        return f"{claim}: {_shown(value)} (out of range)"
    delta = value - now
    if claim == "exp":
        rel = f"expires in {_human(delta)}" if delta > 0 else f"expired {_human(delta)} ago"
    elif claim == "nbf":
        rel = f"valid in {_human(delta)}" if delta > 0 else f"valid since {_human(delta)} ago"
    else:
        rel = f"in {_human(delta)} (in the future)" if delta > 0 else f"{_human(delta)} ago"
    return f"{claim}: {value} = {_utc(value)} ({rel})"


def _read_token(arg: str) -> str:
    token = sys.stdin.read() if arg == "-" else arg
    token = token.strip()
    if token.lower().startswith("bearer "):
        token = token[7:].strip()
    if not token:
        raise CLIError("no token given")
    return token


def _unverified_parts(token: str) -> tuple[dict[str, Any], Any]:
    """Header and payload without any check but well-formedness (lenient on Base64 padding, for diagnosis)."""
    parts = token.split(".")
    if len(parts) != 3:
        raise CLIError(f"not a JWT: expected 3 dot-separated segments, found {len(parts)}")
    decoded = []
    for name, segment in zip(("header", "payload"), parts[:2], strict=False):
        try:
            raw = base64.urlsafe_b64decode(segment.replace("+", "-").replace("/", "_") + "=" * (-len(segment) % 4))
            decoded.append(json.loads(raw))
        except (binascii.Error, ValueError) as exc:
            raise CLIError(f"the {name} segment is not Base64url-encoded JSON") from exc
    header, payload = decoded
    if not isinstance(header, dict):
        raise CLIError("the header is not a JSON object")
    return header, payload


# -- keys ------------------------------------------------------------------------------------------------------------


def _key_material(args: argparse.Namespace) -> bytes | None:
    """The raw key bytes from ``--key``, ``--key-file`` or ``--key-env`` (at most one)."""
    given = [n for n in ("key", "key_file", "key_env") if getattr(args, n, None) is not None]
    if len(given) > 1:
        raise CLIError("give only one of --key, --key-file, --key-env")
    if args.key is not None:
        return str(args.key).encode()
    # The file name and the variable name are not echoed: a secret passed there by mistake would be.
    if args.key_file == "-":
        data = sys.stdin.buffer.read()
        _redact.add(data)
        return data
    if args.key_file is not None:
        try:
            with open(args.key_file, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CLIError(f"cannot read key file (the --key-file path): {exc.strerror}") from None
        _redact.add(data)
        return data
    if args.key_env is not None:
        value = os.environ.get(args.key_env)
        if value is None:
            raise CLIError("the environment variable named by --key-env is not set")
        _redact.add(value)
        return value.encode()
    return None


def _one_stdin_reader(args: argparse.Namespace, input_name: str) -> None:
    """Refuse ``-`` for both the token/payload and ``--key-file``: stdin can be read only once."""
    if getattr(args, input_name) == "-" and getattr(args, "key_file", None) == "-":
        raise CLIError(f"the {input_name} and --key-file cannot both be - (stdin)")


def _is_asymmetric(data: bytes) -> bool:
    stripped = data.lstrip()
    return stripped.startswith((b"-----BEGIN", b"ssh-", b"ecdsa-sha2-")) or (
        stripped.startswith(b"{") and b'"kty"' in stripped and b'"oct"' not in stripped
    )


def _load_asymmetric(data: bytes, *, private: bool) -> Any:
    """A cryptography key object from PEM, OpenSSH public key or JWK JSON."""
    from cryptography.hazmat.primitives import serialization

    from .api_jwk import PyJWK

    stripped = data.lstrip()
    try:
        if stripped.startswith(b"{"):
            return PyJWK.from_json(stripped.decode()).key
        if stripped.startswith((b"ssh-", b"ecdsa-sha2-")):
            if private:
                raise CLIError("an OpenSSH public key cannot sign")
            return serialization.load_ssh_public_key(stripped)
        if b"PRIVATE KEY" in stripped:
            key = serialization.load_pem_private_key(stripped, password=None)
            return key if private else key.public_key()
        if private:
            raise CLIError("signing needs a private key; the key file holds a public key")
        if b"CERTIFICATE" in stripped:
            from cryptography import x509

            return x509.load_pem_x509_certificate(stripped).public_key()
        return serialization.load_pem_public_key(stripped)
    except CLIError:
        raise
    except (ValueError, TypeError, UnicodeDecodeError) as exc:
        raise CLIError(f"cannot load the key: {_first_line(exc)}") from None
    except Exception as exc:  # cryptography's UnsupportedAlgorithm and PyJWT's key errors
        raise CLIError(f"cannot load the key: {_first_line(exc)}") from None


def _load_key(material: bytes, *, private: bool) -> Any:
    """A key object for PEM/SSH/asymmetric JWK material, the secret bytes for an ``oct`` JWK, else the bytes as-is."""
    stripped = material.strip()
    if stripped.startswith(b"{") and b'"oct"' in stripped:
        from .api_jwk import PyJWK

        try:
            return PyJWK.from_json(stripped.decode()).key
        except Exception as exc:  # PyJWKError, ValueError, UnicodeDecodeError: not a usable JWK
            raise CLIError(f"cannot load the key: {_first_line(exc)}") from None
    if _is_asymmetric(material):
        return _load_asymmetric(material, private=private)
    return material


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return _redact(text[0]) if text else type(exc).__name__


def _print_error(message: str) -> None:
    """The one ``error: ...`` line on stderr."""
    sys.stderr.write(f"error: {_shown(message, _MESSAGE_LIMIT)}\n")


def _key_kind(key: Any) -> str:
    """``hmac``, ``rsa``, ``ec:<curve>``, ``ed25519`` or ``ed448`` for a secret (bytes) or a key object."""
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    if isinstance(key, (bytes, str)):
        return "hmac"
    if isinstance(key, (rsa.RSAPrivateKey, rsa.RSAPublicKey)):
        return "rsa"
    if isinstance(key, (ec.EllipticCurvePrivateKey, ec.EllipticCurvePublicKey)):
        return "ec:" + key.curve.name
    if isinstance(key, (ed25519.Ed25519PrivateKey, ed25519.Ed25519PublicKey)):
        return "ed25519"
    if isinstance(key, (ed448.Ed448PrivateKey, ed448.Ed448PublicKey)):
        return "ed448"
    return "unknown"


def _algs_for(kind: str) -> tuple[str, ...]:
    if kind == "hmac":
        return _HMAC_ALGS
    if kind == "rsa":
        return _RSA_ALGS
    if kind.startswith("ec:"):
        alg = _EC_ALG_BY_CURVE.get(kind[3:])
        return (alg,) if alg else ()
    if kind in ("ed25519", "ed448"):
        return ("EdDSA",)
    return ()


def _alg_family(alg: str) -> str:
    if alg.startswith("HS"):
        return "an HMAC secret"
    if alg.startswith(("RS", "PS")):
        return "an RSA key"
    if alg.startswith("ES"):
        return "an EC key on the matching curve"
    if alg in ("EdDSA", "Ed25519", "Ed448"):
        return "an Ed25519/Ed448 key"
    return "a key for " + alg


def _kind_name(kind: str) -> str:
    if kind.startswith("ec:"):
        return f"an EC key ({kind[3:]})"
    return {"hmac": "an HMAC secret", "rsa": "an RSA key", "ed25519": "an Ed25519 key", "ed448": "an Ed448 key"}.get(
        kind, "an unsupported key"
    )


# -- decode ----------------------------------------------------------------------------------------------------------


def cmd_decode(args: argparse.Namespace) -> int:
    """Print header and payload without verifying anything."""
    token = _read_token(args.token)
    header, payload = _unverified_parts(token)
    out = sys.stdout
    out.write("NOT VERIFIED: the signature and claims were not checked\n")
    out.write("Header:\n" + _dump(header) + "\nPayload:\n" + _dump(payload) + "\n")
    if isinstance(payload, dict):
        now = time.time()
        lines = [describe_time(c, payload[c], now) for c in ("iat", "nbf", "exp") if c in payload]
        if lines:
            out.write("Times:\n" + "".join(f"  {line}\n" for line in lines))
    return EXIT_OK


# -- verify ----------------------------------------------------------------------------------------------------------


def _make_key(args: argparse.Namespace) -> tuple[Any, str]:
    """The verification key (secret bytes, key object or JWKS client) and its kind."""
    material = _key_material(args)
    if args.jwks is not None:
        if material is not None:
            raise CLIError("give either --jwks or a key, not both")
        return _jwks_client(args.jwks, args.timeout), "jwks"
    if material is None:
        raise CLIError("verify needs a key: --key-file PEM, --key-env VAR, --key SECRET or --jwks URL")
    key = _load_key(material, private=False)
    return key, _key_kind(key)


def _jwks_client(url: str, timeout: float) -> Any:
    """A JWKS client whose key set has been fetched: a failure here is the key source's, not the token's."""
    from .exceptions import PyJWKClientError, PyJWKSetError
    from .jwks_client import PyJWKClient

    if not (math.isfinite(timeout) and timeout > 0):
        raise CLIError("--timeout must be a positive number of seconds")
    try:
        client = PyJWKClient(url, timeout=timeout)
    except PyJWKClientError as exc:
        raise CLIError(f"unusable --jwks URL: {_first_line(exc)}") from None
    try:
        client.get_signing_keys()
    except (PyJWKClientError, PyJWKSetError) as exc:
        raise CLIError(f"the JWKS is unavailable: {type(exc).__name__}: {_first_line(exc)}", EXIT_UNAVAILABLE) from None
    return client


def _allowed_algorithms(args: argparse.Namespace, kind: str) -> list[str]:
    """The algorithms ``verify`` accepts: ``--alg`` (each checked), else those that fit the key."""
    from .algorithms import get_default_algorithms

    if args.alg:
        algorithms = [a for arg in args.alg for a in arg.split(",") if a]
        known = get_default_algorithms()
        for alg in algorithms:
            if alg == "none":
                raise CLIError("--alg none is refused: an unsigned token proves nothing")
            if alg not in known:
                names = ", ".join(sorted(a for a in known if a != "none"))
                raise CLIError(f"unknown algorithm {_shown(repr(alg))} for --alg (known: {names})")
    elif kind == "jwks":
        algorithms = [*_RSA_ALGS, *_EC_ALG_BY_CURVE.values(), "EdDSA"]  # a published key set holds no secrets
    else:
        algorithms = list(_algs_for(kind))
    if not algorithms:
        raise CLIError("no algorithm fits this key; name one with --alg")
    return algorithms


def _leeway(args: argparse.Namespace) -> int:
    leeway = parse_duration(args.leeway) if args.leeway else 0
    if leeway < 0:
        raise CLIError("--leeway must not be negative")
    return leeway


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a token; print its claims, or one line saying what failed."""
    from .exceptions import PyJWKClientConnectionError, PyJWTError
    from .verifier import Verifier

    _one_stdin_reader(args, "token")
    token = _read_token(args.token)
    leeway = _leeway(args)
    key, kind = _make_key(args)
    algorithms = _allowed_algorithms(args, kind)
    options: dict[str, Any] = {"require": args.require} if args.require else {}
    try:
        verifier = Verifier(
            key,
            algorithms,
            audience=args.aud,
            issuer=args.iss,
            leeway=leeway,
            options=options or None,  # type: ignore[arg-type]
        )
        claims = verifier.decode(token)
    except PyJWKClientConnectionError as exc:  # a refetch for an unknown kid failed
        raise CLIError(f"the JWKS is unavailable: {_first_line(exc)}", EXIT_UNAVAILABLE) from None
    except PyJWTError as exc:
        _print_error(f"{type(exc).__name__}: {_first_line(exc)}")
        if args.explain:
            for line in explain(token, key, kind, algorithms, args, exc):
                sys.stderr.write(f"  - {_shown(line, _MESSAGE_LIMIT)}\n")
        return EXIT_INVALID
    except ValueError as exc:
        raise CLIError(_first_line(exc)) from None
    sys.stdout.write(_dump(claims) + "\n")
    return EXIT_OK


def _try_verify(token: str, key: Any, algorithms: Sequence[str], **kwargs: Any) -> BaseException | None:
    from .exceptions import PyJWTError
    from .verifier import Verifier

    try:
        Verifier(key, algorithms, **kwargs).decode(token)
    except (PyJWTError, ValueError) as exc:
        return exc
    return None


def _signature_only(token: str, key: Any, algorithms: Sequence[str]) -> bool:
    """Whether the signature verifies under ``key`` (claims ignored)."""
    from .api_jwt import decode

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            decode(
                token,
                key,
                algorithms=list(algorithms),
                options={
                    "verify_exp": False,
                    "verify_nbf": False,
                    "verify_iat": False,
                    "verify_aud": False,
                    "verify_iss": False,
                    "verify_sub": False,
                    "verify_jti": False,
                },
            )
    except Exception:  # any failure means "does not verify"
        return False
    return True


def _secret_variants(secret: bytes) -> list[tuple[str, bytes]]:
    variants: list[tuple[str, bytes]] = []
    text = secret.strip()
    for name, fn in (("standard Base64", base64.b64decode), ("Base64url", base64.urlsafe_b64decode)):
        try:
            decoded = fn(text + b"=" * (-len(text) % 4))
        except (binascii.Error, ValueError):
            continue
        if decoded and decoded != secret and all(v != decoded for _, v in variants):
            variants.append((f"the secret would match if it were {name}-decoded first", decoded))
    variants.append(("the secret would match if it were Base64-encoded first", base64.b64encode(secret)))
    variants.append(
        ("the secret would match if it were Base64url-encoded first", base64.urlsafe_b64encode(secret).rstrip(b"="))
    )
    if secret != secret.strip():
        variants.append(
            ("the secret would match without its surrounding whitespace (a trailing newline?)", secret.strip())
        )
    return variants


def explain(
    token: str, key: Any, kind: str, algorithms: Sequence[str], args: argparse.Namespace, error: BaseException
) -> list[str]:
    """Diagnose the usual causes of a verification failure (one sentence per finding).

    Token and JWK values in the sentences are escaped and cut (:func:`_shown`); the caller escapes each whole line.
    """
    from .algorithms import get_default_algorithms
    from .exceptions import InvalidAudienceError, InvalidIssuerError, InvalidSignatureError

    findings: list[str] = []
    segments = token.split(".")
    if any("=" in s for s in segments):
        findings.append("the token has '=' padding: JWTs use Base64url without padding (RFC 7515 section 2)")
    if any(c in s for s in segments for c in "+/"):
        findings.append("the token uses standard Base64 ('+' or '/'): JWTs use the URL-safe alphabet")
    try:
        header, payload = _unverified_parts(token)
    except CLIError as exc:
        return [*findings, str(exc)]
    alg = header.get("alg")
    if isinstance(alg, str) and alg not in algorithms:
        findings.append(f"the token's alg is {_shown(alg)}, but only {', '.join(algorithms)} are allowed (--alg)")
    known_alg = alg if isinstance(alg, str) and alg in get_default_algorithms() else None
    if kind not in ("jwks", "unknown") and known_alg is not None and known_alg not in _algs_for(kind):
        findings.append(
            f"the token's alg {known_alg} needs {_alg_family(known_alg)}, but the key is {_kind_name(kind)}"
        )

    if kind == "hmac" and isinstance(error, InvalidSignatureError) and isinstance(alg, str) and alg in _HMAC_ALGS:
        for sentence, variant in _secret_variants(key):
            if _signature_only(token, variant, [alg]):
                findings.append(sentence)
                break

    if kind == "jwks" and isinstance(alg, str):
        findings.extend(_explain_jwks(token, key, header, alg))

    if isinstance(payload, dict):
        findings.extend(_explain_times(error, payload, _leeway(args), time.time()))
        if isinstance(error, InvalidAudienceError):
            found = _quoted(payload.get("aud", "(none)"))
            if args.aud is None:
                findings.append(f"aud found: {found}; expected: none (pass --aud to accept the token's audience)")
            else:
                findings.append(f"aud found: {found}; expected: {_quoted(args.aud)}")
        if isinstance(error, InvalidIssuerError):
            findings.append(f"iss found: {_quoted(payload.get('iss', '(none)'))}; expected: {_quoted(args.iss)}")
    if not findings:
        findings.append("no known cause found")
    return findings


def _quoted(value: Any) -> str:
    """A token value as JSON text (strings in quotes), escaped and cut."""
    return _shown(json.dumps(value))


# Beyond this gap, a time failure is not clock skew and no --leeway is suggested.
_SKEW_SECONDS = 300


def _explain_times(error: BaseException, payload: dict[str, Any], leeway: int, now: float) -> list[str]:
    """Which time claim failed, by how much, and the ``--leeway`` that would accept it when clock skew explains it.

    A token refused as not yet valid may owe it to ``nbf`` or to an ``iat`` in the future: each claim still ahead of
    ``now`` is named. A suggested leeway is always a positive number of seconds.
    """
    from .exceptions import ExpiredSignatureError, ImmatureSignatureError, InvalidIssuedAtError

    findings: list[str] = []
    if isinstance(error, ExpiredSignatureError):
        exp = _finite(payload.get("exp"))
        if exp is not None and now > exp:
            late = now - exp
            findings.append(
                f"exp is {_utc(exp)}: expired {_human(late)} ago (leeway {leeway}s); "
                + (
                    f"if the clocks differ, --leeway {int(late) + 1} would accept it"
                    if late < _SKEW_SECONDS
                    else "too long ago for clock skew to explain"
                )
            )
    if isinstance(error, ImmatureSignatureError):
        for claim in ("nbf", "iat"):
            value = _finite(payload.get(claim))
            if value is None or value <= now:
                continue
            early = value - now
            when = f"valid in {_human(early)}" if claim == "nbf" else f"{_human(early)} in the future"
            findings.append(
                f"{claim} is {_utc(value)}: {when} (leeway {leeway}s); "
                + (
                    f"the issuer's clock is probably ahead: --leeway {int(early) + 1} would accept it"
                    if early < _SKEW_SECONDS
                    else "too far ahead for clock skew to explain"
                )
            )
    if isinstance(error, InvalidIssuedAtError):
        findings.append(f"iat must be a number of seconds; the token has {_quoted(payload.get('iat'))}")
    return findings


def _explain_jwks(token: str, client: Any, header: dict[str, Any], alg: str) -> list[str]:
    try:
        keys = list(client.get_jwk_set().keys)
    except Exception as exc:
        return [f"the JWKS could not be fetched: {_first_line(exc)}"]
    kid = header.get("kid")
    kids = [k.key_id for k in keys]
    findings = []
    if kid is None:
        findings.append("the token has no kid header")
    elif kid not in kids:
        shown = ", ".join(_shown(k) for k in kids[:_KIDS_SHOWN]) or "none"
        if len(kids) > _KIDS_SHOWN:
            shown += f" and {len(kids) - _KIDS_SHOWN} more"
        findings.append(f"kid {_quoted(kid)} is not in the JWKS (its kids: {shown})")
    same_kid = [jwk for jwk in keys if jwk.key_id == kid] if kid is not None else []
    if len(same_kid) > 1:
        matching = [n for n, jwk in enumerate(same_kid, 1) if _signature_only(token, jwk.key, [alg])]
        findings.append(
            f"the JWKS has {len(same_kid)} keys with kid {_quoted(kid)}: a kid must name one key, so a verifier "
            "may pick the wrong one; "
            + (
                f"the token's signature matches key number {matching[0]} of them"
                if matching
                else "the token's signature matches none of them"
            )
        )
    for jwk in keys:
        if jwk.key_id != kid and _signature_only(token, jwk.key, [alg]):
            findings.append(
                f"the token was signed by another key in the JWKS: kid {_quoted(jwk.key_id)} "
                f"(the token says {_quoted(kid)})"
            )
    return findings


# How many of a JWKS's kids a diagnosis lists.
_KIDS_SHOWN = 10


# -- encode ----------------------------------------------------------------------------------------------------------


def cmd_encode(args: argparse.Namespace) -> int:
    """Sign a JSON payload and print the token."""
    from .api_jwt import encode

    _one_stdin_reader(args, "payload")
    try:
        payload = json.loads(args.payload if args.payload != "-" else sys.stdin.read())
    except json.JSONDecodeError as exc:
        raise CLIError(f"the payload is not valid JSON: {exc.msg} at position {exc.pos}") from None
    except UnicodeDecodeError:
        raise CLIError("the payload is not UTF-8 text") from None
    if not isinstance(payload, dict):
        raise CLIError("the payload must be a JSON object")
    material = _key_material(args)
    if material is None:
        raise CLIError("encode needs a key: --key-file PEM, --key-env VAR or --key SECRET")
    key: Any
    key = _load_key(material, private=True)
    kind = _key_kind(key)
    alg = args.alg or (_algs_for(kind) or ("",))[0]
    if not alg:
        raise CLIError("no algorithm fits this key; name one with --alg")
    now = int(time.time())
    if args.iat:
        payload.setdefault("iat", now)
    if args.exp is not None:
        payload["exp"] = now + parse_duration(args.exp)
    headers: dict[str, Any] = {}
    for item in args.header or ():
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise CLIError(f"--header takes NAME=VALUE, got {_shown(repr(item))}")
        try:
            headers[name] = json.loads(value)
        except ValueError:
            headers[name] = value
    if args.kid is not None:
        headers["kid"] = args.kid
    try:
        token = encode(payload, key, algorithm=alg, headers=headers or None)
    except Exception as exc:
        raise CLIError(f"cannot sign: {_first_line(exc)}") from None
    sys.stdout.write(token + "\n")
    return EXIT_OK


# -- keygen and jwks -------------------------------------------------------------------------------------------------


def _public_jwk(public_key: Any, kid: str | None, alg: str | None) -> dict[str, Any]:
    from .algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
    from .api_jwk import jwk_thumbprint

    kind = _key_kind(public_key)
    algo: Any
    if kind == "rsa":
        algo = RSAAlgorithm
    elif kind.startswith("ec:"):
        algo = ECAlgorithm
    elif kind in ("ed25519", "ed448"):
        algo = OKPAlgorithm
    else:
        raise CLIError("unsupported key type")
    jwk: dict[str, Any] = dict(algo.to_jwk(public_key, as_dict=True))
    jwk.pop("key_ops", None)
    jwk["kid"] = kid if kid is not None else jwk_thumbprint(jwk)
    jwk["use"] = "sig"
    chosen = alg or (_algs_for(kind) or (None,))[0]
    if chosen:
        jwk["alg"] = chosen
    return jwk


def cmd_keygen(args: argparse.Namespace) -> int:
    """Generate a key pair; print private PEM, public PEM and public JWK (or write them under ``--out``)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa

    private: Any
    if args.type == "rsa":
        bits = args.bits or 2048
        if bits < 2048 or bits > 16384:
            raise CLIError("--bits must be between 2048 and 16384 for RSA")
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    elif args.type == "ec":
        curve = args.curve or "P-256"
        if curve not in _CURVES:
            raise CLIError(f"--curve must be one of {', '.join(_CURVES)}")
        private = ec.generate_private_key(getattr(ec, _CURVES[curve])())
    elif args.type == "ed25519":
        private = ed25519.Ed25519PrivateKey.generate()
    else:
        private = ed448.Ed448PrivateKey.generate()
    if args.bits and args.type != "rsa":
        raise CLIError("--bits applies to --type rsa only")
    if args.curve and args.type != "ec":
        raise CLIError("--curve applies to --type ec only")
    private_pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    public = private.public_key()
    public_pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    jwk = _public_jwk(public, args.kid, args.alg)
    if args.out:
        os.makedirs(args.out, exist_ok=True)
        base = os.path.join(args.out, jwk["kid"] if args.name is None else args.name)
        _write(base + ".private.pem", private_pem, secret=True)
        _write(base + ".public.pem", public_pem)
        _write(base + ".public.jwk.json", _dump(jwk) + "\n")
        for suffix in (".private.pem", ".public.pem", ".public.jwk.json"):
            sys.stdout.write(_shown(base + suffix, len(base + suffix)) + "\n")
    else:
        sys.stdout.write(private_pem + public_pem + _dump(jwk) + "\n")
    return EXIT_OK


def _write(path: str, text: str, *, secret: bool = False) -> None:
    mode = stat.S_IRUSR | stat.S_IWUSR if secret else 0o644
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError:
        raise CLIError(f"{path} exists; not overwriting it") from None
    with os.fdopen(fd, "w") as fh:
        fh.write(text)


def cmd_jwks(args: argparse.Namespace) -> int:
    """Print a JWKS document with the public halves of the given keys."""
    keys = []
    for path in args.pem:
        try:
            with open(path, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CLIError(f"cannot read {path}: {exc.strerror}") from None
        if not _is_asymmetric(data):
            raise CLIError(f"{path} is not a PEM/JWK public or private key (HMAC secrets never go in a JWKS)")
        key = _load_asymmetric(data, private=False)
        keys.append(_public_jwk(key, None, None))
    sys.stdout.write(_dump({"keys": keys}) + "\n")
    return EXIT_OK


# -- bench -----------------------------------------------------------------------------------------------------------


def _rate(fn: Callable[[], Any], seconds: float) -> float:
    """Calls per second of ``fn`` over about ``seconds``."""
    fn()
    n, batch = 0, 16
    start = time.perf_counter()
    while True:
        for _ in range(batch):
            fn()
        n += batch
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return n / elapsed
        batch = min(batch * 2, 4096)


def cmd_bench(args: argparse.Namespace) -> int:
    """A short benchmark of this machine: fastjwt vs PyJWT (where installed), HS256 and RS256."""
    from cryptography.hazmat.primitives.asymmetric import rsa

    from . import HAS_EXTENSION
    from .api_jwt import decode, encode
    from .verifier import Verifier

    pyjwt: Any
    try:
        import jwt as pyjwt  # the reference, when installed
    except ImportError:
        pyjwt = None
    if not (math.isfinite(args.seconds) and args.seconds > 0):
        raise CLIError("--seconds must be a positive number")
    per = max(args.seconds, 0.05)
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    secret = os.urandom(32)
    payload = {
        "sub": "user-1234",
        "iss": "https://issuer.example",
        "aud": "api",
        "iat": int(time.time()),
        "exp": int(time.time()) + 3600,
        "scope": "read write",
    }
    cases: list[tuple[str, str, Callable[[], Any]]] = []
    keys: tuple[tuple[str, Any, Any], ...] = (("HS256", secret, secret), ("RS256", rsa_key, rsa_key.public_key()))
    for alg, sign_key, verify_key in keys:
        token = encode(payload, sign_key, algorithm=alg)
        verifier = Verifier(verify_key, [alg], audience="api")
        cases.append((f"{alg} encode", "fastjwt", partial(encode, payload, sign_key, algorithm=alg)))
        cases.append((f"{alg} decode", "fastjwt", partial(decode, token, verify_key, algorithms=[alg], audience="api")))
        cases.append((f"{alg} decode", "fastjwt Verifier", partial(verifier.decode, token)))
        if pyjwt is not None:
            cases.append((f"{alg} encode", "PyJWT", partial(pyjwt.encode, payload, sign_key, algorithm=alg)))
            cases.append(
                (f"{alg} decode", "PyJWT", partial(pyjwt.decode, token, verify_key, algorithms=[alg], audience="api"))
            )
    results: dict[tuple[str, str], float] = {}
    tty = sys.stderr.isatty()
    for i, (op, lib, fn) in enumerate(cases, 1):
        line = f"[{i}/{len(cases)}] {op} with {lib}..."
        sys.stderr.write(f"\r{line:<50}" if tty else line + "\n")
        sys.stderr.flush()
        results[(op, lib)] = _rate(fn, per)
    if tty:
        sys.stderr.write("\r" + " " * 50 + "\r")
    core = "compiled core" if HAS_EXTENSION else "pure-Python core"
    out = [
        f"fastjwt ({core}) vs {'PyJWT ' + pyjwt.__version__ if pyjwt else 'PyJWT (not installed)'}",
        f"{'operation':<14} {'library':<18} {'ops/s':>12} {'vs PyJWT':>9}",
    ]
    for (op, lib), rate in sorted(results.items(), key=lambda item: item[0][0]):
        base = results.get((op, "PyJWT"))
        ratio = f"{rate / base:8.2f}x" if base else ""
        out.append(f"{op:<14} {lib:<18} {rate:>12,.0f} {ratio:>9}")
    sys.stdout.write("\n".join(out) + "\n")
    return EXIT_OK


# -- entry point -----------------------------------------------------------------------------------------------------


def _add_key_options(p: argparse.ArgumentParser, *, jwks: bool) -> None:
    group = p.add_argument_group("key (one of)")
    group.add_argument(
        "--key-file", metavar="PATH", help="PEM/JWK key, or a file holding the HMAC secret; - reads it from stdin"
    )
    group.add_argument("--key-env", metavar="VAR", help="environment variable holding the HMAC secret or a PEM")
    group.add_argument(
        "--key", metavar="SECRET", help="HMAC secret on the command line: visible in ps and shell history (warns)"
    )
    if jwks:
        group.add_argument("--jwks", metavar="URL", help="JWKS endpoint; the token's kid picks the key")


_EXIT_STATUS_HELP = "exit status:\n" + "\n".join(f"  {code}  {meaning}" for code, meaning in EXIT_STATUS)


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser for every subcommand."""
    parser = _Parser(
        prog="fastjwt",
        description="Decode, verify, sign JWTs and make keys.",
        epilog=_EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("decode", help="show header and claims WITHOUT verifying")
    p.add_argument("token", help="the token, or - to read it from stdin")
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser(
        "verify",
        help="verify a token and print its claims",
        epilog=_EXIT_STATUS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("token", help="the token, or - to read it from stdin")
    _add_key_options(p, jwks=True)
    p.add_argument(
        "--alg",
        action="append",
        help="allowed algorithm (repeat or comma-separate); default: the algorithms that fit the key",
    )
    p.add_argument("--aud", help="expected audience")
    p.add_argument("--iss", help="expected issuer")
    p.add_argument("--leeway", help="clock-skew allowance, e.g. 30s")
    p.add_argument("--require", action="append", help="claim that must be present (repeatable)")
    p.add_argument("--timeout", type=float, default=10.0, help="JWKS fetch timeout in seconds")
    p.add_argument("--explain", action="store_true", help="on failure, diagnose the usual causes")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("encode", help="sign a JSON payload")
    p.add_argument("payload", help="JSON object, or - to read it from stdin")
    _add_key_options(p, jwks=False)
    p.add_argument("--alg", help="algorithm; default HS256 for a secret, else the one that fits the key")
    p.add_argument("--exp", metavar="DURATION", help="expire after e.g. 30s, 15m, 1h, 2d")
    p.add_argument("--iat", action="store_true", help="add iat = now")
    p.add_argument("--kid", help="kid header")
    p.add_argument("--header", action="append", metavar="NAME=VALUE", help="extra header (value as JSON or text)")
    p.set_defaults(func=cmd_encode)

    p = sub.add_parser("keygen", help="generate a key pair: private PEM, public PEM, public JWK")
    p.add_argument("--type", required=True, choices=("rsa", "ec", "ed25519", "ed448"))
    p.add_argument("--bits", type=int, help="RSA modulus size (default 2048)")
    p.add_argument("--curve", help="EC curve: " + ", ".join(_CURVES) + " (default P-256)")
    p.add_argument("--kid", help="key ID (default: the RFC 7638 thumbprint)")
    p.add_argument("--alg", help="alg member of the JWK (default: fits the key, RS256 for RSA)")
    p.add_argument("--out", metavar="DIR", help="write KID.private.pem (mode 600), KID.public.pem, KID.public.jwk.json")
    p.add_argument("--name", help="file name stem under --out (default: the kid)")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("jwks", help="print a JWKS document for PEM keys (public halves only)")
    p.add_argument("pem", nargs="+", help="PEM key files (private keys contribute their public half)")
    p.set_defaults(func=cmd_jwks)

    p = sub.add_parser("bench", help="short benchmark of fastjwt (and PyJWT when installed) on this machine")
    p.add_argument("--seconds", type=float, default=0.3, help="time per measurement (default 0.3)")
    p.set_defaults(func=cmd_bench)
    return parser


def _known_words(parser: argparse.ArgumentParser) -> set[str]:
    """Option strings, command names and choices of ``parser`` and its subparsers: command-line words that are
    never secrets."""
    words: set[str] = set()
    for action in parser._actions:
        words.update(action.option_strings)
        if isinstance(action, argparse._SubParsersAction):
            for name, subparser in action.choices.items():
                words.add(name)
                words |= _known_words(subparser)
        elif action.choices is not None:
            words.update(str(choice) for choice in action.choices)
    return words


_KEY_WARNING = (
    "warning: --key put the secret in your shell history and in the process list (ps); "
    "use --key-env VAR, --key-file PATH, or --key-file - to read it from stdin"
)


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    sys.stderr.write(f"warning: {_shown(message, _MESSAGE_LIMIT)}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (see :data:`EXIT_STATUS`)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    warnings.showwarning = _show_warning
    try:
        parser = build_parser()
        _argv.collect(argv, _known_words(parser))
        args = parser.parse_args(argv)
        return int(args.func(args))
    except CLIError as exc:
        _print_error(str(exc))
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except SystemExit as exc:  # --help and argparse's own exits
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the promise: never a traceback
        _print_error(f"{type(exc).__name__}: {_first_line(exc)}")
        return EXIT_USAGE
    finally:
        if _argv.key_given:
            sys.stderr.write(_KEY_WARNING + "\n")


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
