"""Making things: ``fastjwt encode`` signs a payload, ``keygen`` makes a key pair, ``jwks`` publishes public keys."""

from __future__ import annotations

import argparse
import json
import os
import stat
import sys
import time
from typing import Any

from ._key_input import (
    _algs_for,
    _is_asymmetric,
    _key_kind,
    _key_material,
    _load_asymmetric,
    _load_key,
    _one_stdin_reader,
)
from ._output import EXIT_OK, CLIError, _dump, _first_line, _shown
from ._times import parse_duration

_CURVES = {"P-256": "SECP256R1", "P-384": "SECP384R1", "P-521": "SECP521R1", "secp256k1": "SECP256K1"}


# -- encode ----------------------------------------------------------------------------------------------------------


def cmd_encode(args: argparse.Namespace) -> int:
    """Sign a JSON payload and print the token."""
    from ..api_jwt import encode

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
    from ..algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
    from ..api_jwk import jwk_thumbprint

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
