"""The ``fastjwt`` command-line tool: decode, verify (with ``--explain``), encode, keygen, jwks and bench.

For troubleshooting tokens without pasting secrets into a web page. Errors are one ``error: ...`` line on stderr with
a distinct exit status (see :data:`EXIT_STATUS`); secrets are never printed.

Everything taken from a token, a JWK, an exception or the command line is printed through :func:`_shown` (messages:
secrets masked, control, format and separator characters escaped, long values cut) or :func:`_dump` (JSON documents:
the same characters written as JSON escapes, so the value a script reads is unchanged).

This module holds the entry point, :func:`main`. The rest, one concern a module: ``_parser`` (subcommands, options and
usage errors), ``_output`` (exit statuses, errors, masking and escaping), ``_key_input`` (keys from the command line),
``_times`` (durations, time claims in words), ``_decode``, ``_verify``, ``_explain`` (``verify --explain``), ``_make``
(``encode``, ``keygen``, ``jwks``) and ``_bench``.
"""

from __future__ import annotations

import sys
import warnings
from collections.abc import Sequence
from typing import Any

from ._bench import cmd_bench as cmd_bench
from ._decode import cmd_decode as cmd_decode
from ._explain import explain as explain
from ._make import cmd_encode as cmd_encode
from ._make import cmd_jwks as cmd_jwks
from ._make import cmd_keygen as cmd_keygen
from ._output import _MESSAGE_LIMIT, EXIT_OK, EXIT_USAGE, CLIError, _first_line, _print_error, _shown
from ._output import EXIT_INVALID as EXIT_INVALID
from ._output import EXIT_STATUS as EXIT_STATUS
from ._output import EXIT_UNAVAILABLE as EXIT_UNAVAILABLE
from ._parser import _argv, _known_words, build_parser
from ._times import describe_time as describe_time
from ._times import parse_duration as parse_duration
from ._verify import cmd_verify as cmd_verify

__all__ = ["main"]

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
