"""The command line's grammar: every subcommand and option, and usage errors that never echo a value.

A usage error names options only: whatever else the command line holds may be a secret (see :class:`_Argv`).
"""

from __future__ import annotations

import argparse
import re
from collections.abc import Sequence
from typing import Any, NoReturn

from ._bench import cmd_bench
from ._decode import cmd_decode
from ._make import _CURVES, cmd_encode, cmd_jwks, cmd_keygen
from ._output import EXIT_STATUS, EXIT_USAGE, CLIError, _redact
from ._verify import cmd_verify

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


# -- subcommands and options -----------------------------------------------------------------------------------------


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
