"""The ``fastjwt`` command-line tool: decode, verify (with ``--explain``), encode, keygen, jwks and bench.

For troubleshooting tokens without pasting secrets into a web page. Errors are one ``error: ...`` line on stderr
(exit 2 for usage and input errors, 1 for a token that fails verification); secrets are never printed.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import json
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

__all__ = ["main"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

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


class _Parser(argparse.ArgumentParser):
    """argparse that keeps usage errors on one redacted line (argparse may quote an argument, e.g. a mistyped
    ``--kye SECRET``)."""

    def error(self, message: str) -> NoReturn:
        prefix = "unrecognized arguments: "
        if message.startswith(prefix):  # list only option names: a stray value may be a secret
            names = [a for a in message[len(prefix) :].split() if a.startswith("-")]
            message = "unrecognized arguments" + (": " + " ".join(names) if names else "")
        raise CLIError(f"{_redact(message)} (see {self.prog} --help)", EXIT_USAGE)


# -- helpers ---------------------------------------------------------------------------------------------------------


def parse_duration(text: str) -> int:
    """Seconds in ``30s``, ``15m``, ``1h``, ``2d``, ``1w`` or a bare number of seconds."""
    match = _DURATION.match(text)
    if match is None:
        raise CLIError(f"invalid duration {text!r} (use e.g. 30s, 15m, 1h, 2d)")
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


def _utc(ts: float) -> str:
    try:
        return datetime.fromtimestamp(ts, tz=timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")
    except (OverflowError, OSError, ValueError):
        return "out of range"


def describe_time(claim: str, value: Any, now: float) -> str:
    """One line for a time claim: UTC date plus how it relates to ``now``."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"{claim}: {value!r} (not a number)"
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


def _dump(obj: Any) -> str:
    return json.dumps(obj, indent=2, ensure_ascii=False, sort_keys=False)


# -- keys ------------------------------------------------------------------------------------------------------------


def _key_material(args: argparse.Namespace) -> bytes | None:
    """The raw key bytes from ``--key``, ``--key-file`` or ``--key-env`` (at most one)."""
    given = [n for n in ("key", "key_file", "key_env") if getattr(args, n, None) is not None]
    if len(given) > 1:
        raise CLIError("give only one of --key, --key-file, --key-env")
    if args.key is not None:
        return str(args.key).encode()
    if args.key_file is not None:
        try:
            with open(args.key_file, "rb") as fh:
                data = fh.read()
        except OSError as exc:
            raise CLIError(f"cannot read key file {args.key_file}: {exc.strerror}") from None
        _redact.add(data)
        return data
    if args.key_env is not None:
        value = os.environ.get(args.key_env)
        if value is None:
            raise CLIError(f"environment variable {args.key_env} is not set")
        _redact.add(value)
        return value.encode()
    return None


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
        from .jwks_client import PyJWKClient

        return PyJWKClient(args.jwks, timeout=args.timeout), "jwks"
    if material is None:
        raise CLIError("verify needs a key: --key-file PEM, --key-env VAR, --key SECRET or --jwks URL")
    key = _load_key(material, private=False)
    return key, _key_kind(key)


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a token; print its claims, or one line saying what failed."""
    from .exceptions import PyJWTError
    from .verifier import Verifier

    token = _read_token(args.token)
    key, kind = _make_key(args)
    if args.alg:
        algorithms = [a for arg in args.alg for a in arg.split(",") if a]
    elif kind == "jwks":
        algorithms = [*_RSA_ALGS, *_EC_ALG_BY_CURVE.values(), "EdDSA"]  # a published key set holds no secrets
    else:
        algorithms = list(_algs_for(kind))
    if not algorithms:
        raise CLIError("no algorithm fits this key; name one with --alg")
    leeway = parse_duration(args.leeway) if args.leeway else 0
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
    except PyJWTError as exc:
        message = _redact(f"{type(exc).__name__}: {_first_line(exc)}")
        sys.stderr.write(f"error: {message}\n")
        if args.explain:
            for line in explain(token, key, kind, algorithms, args, exc):
                sys.stderr.write(f"  - {_redact(line)}\n")
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
    """Diagnose the usual causes of a verification failure (one sentence per finding)."""
    from .exceptions import (
        ExpiredSignatureError,
        ImmatureSignatureError,
        InvalidAudienceError,
        InvalidIssuerError,
        InvalidSignatureError,
    )

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
        findings.append(f"the token's alg is {alg}, but only {', '.join(algorithms)} are allowed (--alg)")
    if kind not in ("jwks", "unknown") and isinstance(alg, str) and alg not in _algs_for(kind):
        findings.append(f"the token's alg {alg} needs {_alg_family(alg)}, but the key is {_kind_name(kind)}")

    if kind == "hmac" and isinstance(error, InvalidSignatureError) and isinstance(alg, str) and alg in _HMAC_ALGS:
        for sentence, variant in _secret_variants(key):
            if _signature_only(token, variant, [alg]):
                findings.append(sentence)
                break

    if kind == "jwks" and isinstance(alg, str):
        findings.extend(_explain_jwks(token, key, header, alg))

    if isinstance(payload, dict):
        now = time.time()
        leeway = parse_duration(args.leeway) if args.leeway else 0
        exp, nbf = payload.get("exp"), payload.get("nbf")
        if isinstance(error, ExpiredSignatureError) and isinstance(exp, (int, float)):
            late = now - exp
            findings.append(
                f"exp is {_utc(exp)}: expired {_human(late)} ago (leeway {leeway}s); "
                + (
                    f"if the clocks differ, --leeway {int(late) + 1} would accept it"
                    if late < 300
                    else "too long ago for clock skew to explain"
                )
            )
        if isinstance(error, ImmatureSignatureError) and isinstance(nbf, (int, float)):
            early = nbf - now
            findings.append(
                f"nbf is {_utc(nbf)}: valid in {_human(early)} (leeway {leeway}s); "
                + (
                    f"the issuer's clock is probably ahead: --leeway {int(early) + 1} would accept it"
                    if early < 300
                    else "too far ahead for clock skew to explain"
                )
            )
        if isinstance(error, InvalidAudienceError):
            found = json.dumps(payload.get("aud", "(none)"))
            if args.aud is None:
                findings.append(f"aud found: {found}; expected: none (pass --aud to accept the token's audience)")
            else:
                findings.append(f"aud found: {found}; expected: {json.dumps(args.aud)}")
        if isinstance(error, InvalidIssuerError):
            findings.append(f"iss found: {json.dumps(payload.get('iss', '(none)'))}; expected: {json.dumps(args.iss)}")
    if not findings:
        findings.append("no known cause found")
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
        findings.append(f"kid {json.dumps(kid)} is not in the JWKS (its kids: {', '.join(map(str, kids)) or 'none'})")
    for jwk in keys:
        if jwk.key_id != kid and _signature_only(token, jwk.key, [alg]):
            findings.append(
                f"the token was signed by another key in the JWKS: kid {json.dumps(jwk.key_id)} "
                f"(the token says {json.dumps(kid)})"
            )
    return findings


# -- encode ----------------------------------------------------------------------------------------------------------


def cmd_encode(args: argparse.Namespace) -> int:
    """Sign a JSON payload and print the token."""
    from .api_jwt import encode

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
            raise CLIError(f"--header takes NAME=VALUE, got {item!r}")
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
        sys.stdout.write(f"{base}.private.pem\n{base}.public.pem\n{base}.public.jwk.json\n")
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
    group.add_argument("--key-file", metavar="PATH", help="PEM/JWK key, or a file holding the HMAC secret")
    group.add_argument("--key-env", metavar="VAR", help="environment variable holding the HMAC secret or a PEM")
    group.add_argument("--key", metavar="SECRET", help="HMAC secret on the command line (visible in ps and history)")
    if jwks:
        group.add_argument("--jwks", metavar="URL", help="JWKS endpoint; the token's kid picks the key")


def build_parser() -> argparse.ArgumentParser:
    """The argparse parser for every subcommand."""
    parser = _Parser(prog="fastjwt", description="Decode, verify, sign JWTs and make keys.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    sub.required = True

    p = sub.add_parser("decode", help="show header and claims WITHOUT verifying")
    p.add_argument("token", help="the token, or - to read it from stdin")
    p.set_defaults(func=cmd_decode)

    p = sub.add_parser("verify", help="verify a token and print its claims")
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


def _collect_argv_secrets(argv: Sequence[str]) -> None:
    for i, arg in enumerate(argv):
        if arg == "--key" and i + 1 < len(argv):
            _redact.add(argv[i + 1])
        elif arg.startswith("--key="):
            _redact.add(arg[6:])


def _show_warning(message: Warning | str, category: type[Warning], *args: Any, **kwargs: Any) -> None:
    sys.stderr.write(f"warning: {_redact(str(message))}\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 verification failed, 2 usage or input error)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    _collect_argv_secrets(argv)
    warnings.showwarning = _show_warning
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        return int(args.func(args))
    except CLIError as exc:
        sys.stderr.write(f"error: {_redact(str(exc))}\n")
        return exc.code
    except KeyboardInterrupt:
        sys.stderr.write("error: interrupted\n")
        return 130
    except SystemExit as exc:  # --help and argparse's own exits
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except BrokenPipeError:
        return EXIT_OK
    except Exception as exc:  # the promise: never a traceback
        sys.stderr.write(f"error: {_redact(f'{type(exc).__name__}: {_first_line(exc)}')}\n")
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
