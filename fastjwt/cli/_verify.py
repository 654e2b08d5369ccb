"""``fastjwt verify``: the key (a secret, a key file or a JWKS), the allowed algorithms, and the verdict."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from typing import Any

from ._decode import _read_token
from ._explain import explain
from ._key_input import _EC_ALG_BY_CURVE, _RSA_ALGS, _algs_for, _key_kind, _key_material, _load_key, _one_stdin_reader
from ._output import (
    _MESSAGE_LIMIT,
    EXIT_INVALID,
    EXIT_OK,
    EXIT_UNAVAILABLE,
    CLIError,
    _dump,
    _first_line,
    _print_error,
    _shown,
)
from ._times import _leeway


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
    from ..exceptions import PyJWKClientError, PyJWKSetError
    from ..jwks_client import PyJWKClient

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
    from ..algorithms import get_default_algorithms

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


def cmd_verify(args: argparse.Namespace) -> int:
    """Verify a token; print its claims, or one line saying what failed."""
    from ..exceptions import PyJWKClientConnectionError, PyJWTError
    from ..verifier import Verifier

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
    from ..exceptions import PyJWTError
    from ..verifier import Verifier

    try:
        Verifier(key, algorithms, **kwargs).decode(token)
    except (PyJWTError, ValueError) as exc:
        return exc
    return None
