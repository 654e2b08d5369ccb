"""``fastjwt verify --explain``: the usual causes of a refused token, one sentence per finding."""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import time
import warnings
from collections.abc import Sequence
from typing import Any

from ._decode import _unverified_parts
from ._key_input import _HMAC_ALGS, _alg_family, _algs_for, _kind_name
from ._output import CLIError, _first_line, _shown
from ._times import _finite, _human, _leeway, _utc


def _signature_only(token: str, key: Any, algorithms: Sequence[str]) -> bool:
    """Whether the signature verifies under ``key`` (claims ignored)."""
    from ..api_jwt import decode

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
    from ..algorithms import get_default_algorithms
    from ..exceptions import InvalidAudienceError, InvalidIssuerError, InvalidSignatureError

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
    from ..exceptions import ExpiredSignatureError, ImmatureSignatureError, InvalidIssuedAtError

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
