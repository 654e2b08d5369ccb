"""The ``fastjwt`` command line under hostile input, run for real in a subprocess (``python -m fastjwt``).

Tokens and JWKS documents carrying terminal escapes, bidi overrides and line separators; secrets given with every
argument spelling argparse might echo; the documented exit codes; and ``--explain`` naming the real cause.
"""

from __future__ import annotations

import json
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (the fixture)
from test_cli import Result, run

import fastjwt
from fastjwt.algorithms import ECAlgorithm

SECRET = "TopSecretValue123-do-not-print-0123456789"
REPO = Path(__file__).parent.parent

EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNAVAILABLE = 0, 1, 2, 3

# Characters that must never reach a terminal or a log from token or JWK text.
HOSTILE = "\x1b]0;PWNED\x07\x00\r\n\x7f\x85\x9b31m\u202eevil\u2066\u2028\u2029\ufeff"


def assert_terminal_safe(text: str) -> None:
    """Only printable characters and line breaks the tool wrote itself."""
    unsafe = sorted({char for char in text if not char.isprintable() and char != "\n"})
    assert not unsafe, f"unescaped characters {unsafe!r} in {text!r}"


def hs_token(key: str = SECRET, headers: dict[str, Any] | None = None, **claims: Any) -> str:
    payload = {"sub": "alice", "exp": int(time.time()) + 600, **claims}
    return fastjwt.encode(payload, key, algorithm="HS256", headers=headers)


def error_lines(result: Result) -> list[str]:
    """stderr without the --key warning."""
    return [line for line in result.err.splitlines() if not line.startswith("warning: --key")]


# -- 1. control characters from tokens and JWKs ----------------------------------------------------------------------


def test_verify_escapes_crit_value_from_the_token() -> None:
    token = hs_token(headers={"crit": ["\x1b]0;PWNED\x07"]})
    result = run("verify", token, "--key-env", "S", env={"S": SECRET})
    assert result.code == EXIT_REFUSED
    assert_terminal_safe(result.err)
    assert result.err == "error: InvalidTokenError: Unsupported critical extension: \\x1b]0;PWNED\\x07\n"


def test_decode_escapes_c1_bidi_and_separators_and_stays_json() -> None:
    claims = {"sub": HOSTILE, HOSTILE: [HOSTILE], "n": 1}
    token = hs_token(headers={"kid": HOSTILE}, **claims)
    result = run("decode", token)
    assert result.code == EXIT_OK
    assert_terminal_safe(result.out)
    assert "\\u202e" in result.out and "\\u009b" in result.out and "\\u2028" in result.out
    header_text, payload_text = result.out.split("\nHeader:\n")[1].split("\nPayload:\n")
    assert json.loads(header_text)["kid"] == HOSTILE
    payload = json.loads(payload_text.split("\nTimes:\n")[0])
    assert payload["sub"] == HOSTILE and payload[HOSTILE] == [HOSTILE]


def test_decode_escapes_and_cuts_a_time_claim_that_is_not_a_number() -> None:
    result = run("decode", hs_token(iat=HOSTILE * 500))
    assert result.code == EXIT_OK
    assert_terminal_safe(result.out)
    iat_line = next(line for line in result.out.splitlines() if line.strip().startswith("iat:"))
    assert "(not a number)" in iat_line and "..." in iat_line and len(iat_line) < 300


def test_verify_prints_claims_as_json_without_raw_controls() -> None:
    token = hs_token(note=HOSTILE)
    result = run("verify", token, "--key-env", "S", env={"S": SECRET})
    assert result.code == EXIT_OK
    assert_terminal_safe(result.out)
    assert json.loads(result.out)["note"] == HOSTILE  # escaped as JSON: the value is unchanged for scripts


def test_explain_escapes_the_tokens_alg() -> None:
    header = fastjwt.utils.base64url_encode(json.dumps({"alg": "HS256" + HOSTILE}).encode()).decode()
    body = fastjwt.utils.base64url_encode(b'{"sub":"x"}').decode()
    result = run("verify", f"{header}.{body}.c2ln", "--key-env", "S", "--explain", env={"S": SECRET})
    assert result.code == EXIT_REFUSED
    assert_terminal_safe(result.err)
    assert "the token's alg is HS256\\x1b]0;PWNED\\x07" in result.err


def test_explain_escapes_kids_from_the_jwks(jwks_server: JWKSServer) -> None:  # noqa: F811
    private = ec.generate_private_key(ec.SECP256R1())
    jwk = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    jwks_server.document = {"keys": [{**jwk, "kid": "published" + HOSTILE * 20}]}
    token = fastjwt.encode({"sub": "x"}, private, algorithm="ES256", headers={"kid": "gone" + HOSTILE})
    result = run("verify", token, "--jwks", jwks_server.url, "--explain")
    assert result.code == EXIT_REFUSED
    assert_terminal_safe(result.err)
    assert "is not in the JWKS (its kids: published\\x1b]0;PWNED\\x07" in result.err
    assert max(len(line) for line in result.err.splitlines()) < 600  # the kids are cut


def test_key_file_jwk_with_hostile_curve_is_escaped(tmp_path: Path) -> None:
    path = tmp_path / "key.jwk.json"
    path.write_text(json.dumps({"kty": "EC", "crv": HOSTILE, "x": "AA", "y": "AA"}))
    result = run("verify", hs_token(), "--key-file", str(path))
    assert result.code == EXIT_USAGE
    assert_terminal_safe(result.err)
    assert "\\u202e" in result.err


# -- 2. secrets are never echoed -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "TOKEN", f"--kye={SECRET}"],
        ["verify", "TOKEN", "--kye", SECRET],
        ["verify", "TOKEN", f"--ke={SECRET}"],
        ["verify", "TOKEN", "--ke", SECRET],
        ["verify", "TOKEN", f"--k={SECRET}"],
        ["verify", "TOKEN", "--k", SECRET],
        ["verify", "TOKEN", f"--KEY={SECRET}"],
        ["verify", "TOKEN", f"-key={SECRET}"],
        ["verify", "TOKEN", "-k", SECRET],
        ["verify", "TOKEN", f"--key-fil={SECRET}"],
        ["verify", "TOKEN", f"--key={SECRET}", "--bogus"],
        ["verify", "TOKEN", "--key", SECRET, "--bogus"],
        ["verify", "TOKEN", "--bogus", SECRET],
        ["verify", "TOKEN", f"--bogus={SECRET}"],
        ["verify", "TOKEN", "--key-env", "S", SECRET],
        ["verify", "TOKEN", "--key-env", "S", f"--explain={SECRET}"],
        ["verify", "TOKEN", "--key-env", "S", "--timeout", SECRET],
        ["verify", "TOKEN", "--key-env", SECRET],
        ["verify", "TOKEN", "--key-file", SECRET],
        ["verify", "TOKEN", "--key", "--key-env", SECRET],
        ["--key", SECRET, "verify", "TOKEN"],
        ["--kye", SECRET, "verify", "TOKEN"],
        [f"--kye={SECRET}", "verify", "TOKEN"],
        [SECRET, "verify", "TOKEN"],
        ["encode", "{}", "--kye", SECRET],
        ["encode", "{}", f"--ke={SECRET}"],
        ["keygen", "--type", SECRET],
        ["keygen", "--type", "rsa", "--bits", SECRET],
        ["bench", "--seconds", SECRET],
    ],
)
def test_no_spelling_echoes_the_secret(args: list[str]) -> None:
    token = hs_token(key=SECRET + "-other")
    result = run(*[token if a == "TOKEN" else a for a in args], env={"S": SECRET})
    assert result.code == EXIT_USAGE
    assert SECRET not in result.out and SECRET not in result.err
    assert SECRET[:12] not in result.err  # not cut in half either
    lines = error_lines(result)
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err


def test_a_short_value_after_an_unknown_option_is_masked_too() -> None:
    result = run("verify", hs_token(), "--kye", "Zq")
    assert result.code == EXIT_USAGE
    assert "Zq" not in result.err


def test_unknown_option_names_are_still_reported() -> None:
    result = run("verify", hs_token(), f"--kye={SECRET}")
    assert "unrecognized arguments: --kye" in result.err


def test_abbreviations_are_refused_rather_than_guessed() -> None:
    result = run("verify", hs_token(), "--key-e", "S", env={"S": SECRET})
    assert result.code == EXIT_USAGE
    assert "unrecognized arguments: --key-e" in result.err


@pytest.mark.parametrize("spelling", [["--key", SECRET], [f"--key={SECRET}"]])
def test_key_on_the_command_line_warns(spelling: list[str]) -> None:
    result = run("verify", hs_token(), *spelling)
    assert result.code == EXIT_OK
    warning = [line for line in result.err.splitlines() if line.startswith("warning: --key")]
    assert len(warning) == 1
    assert "--key-file" in warning[0] and "--key-env" in warning[0] and "stdin" in warning[0]
    assert SECRET not in result.err


def test_no_warning_without_key_on_the_command_line() -> None:
    result = run("verify", hs_token(), "--key-env", "S", env={"S": SECRET})
    assert result.code == EXIT_OK and result.err == ""


def test_key_file_dash_reads_the_secret_from_stdin() -> None:
    result = run("verify", hs_token(), "--key-file", "-", stdin=SECRET)
    assert result.code == EXIT_OK and result.err == ""
    assert json.loads(result.out)["sub"] == "alice"


def test_token_and_key_cannot_both_come_from_stdin() -> None:
    result = run("verify", "-", "--key-file", "-", stdin=SECRET)
    assert result.code == EXIT_USAGE
    assert "stdin" in result.err and SECRET not in result.err


# -- 8. exit codes ---------------------------------------------------------------------------------------------------


def test_unknown_alg_is_a_usage_error() -> None:
    result = run("verify", hs_token(), "--key-env", "S", "--alg", "NOPE", env={"S": SECRET})
    assert result.code == EXIT_USAGE
    assert "NOPE" in result.err and "--alg" in result.err


def test_unreachable_jwks_is_unavailable_not_refused() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run("verify", hs_token(), "--jwks", f"http://127.0.0.1:{port}/jwks.json", "--timeout", "5")
    assert result.code == EXIT_UNAVAILABLE
    assert result.err.startswith("error: ") and "JWKS" in result.err


def test_jwks_that_is_not_json_is_unavailable(jwks_server: JWKSServer) -> None:  # noqa: F811
    jwks_server.body = b"<html>maintenance</html>"
    result = run("verify", hs_token(), "--jwks", jwks_server.url)
    assert result.code == EXIT_UNAVAILABLE


def test_missing_key_file_is_an_input_error() -> None:
    result = run("verify", hs_token(), "--key-file", "/nonexistent/key.pem")
    assert result.code == EXIT_USAGE
    assert "cannot read key file" in result.err


@pytest.mark.parametrize("command", [[], ["verify"]])
def test_exit_codes_are_in_the_help_epilog(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.code == EXIT_OK
    epilog = result.out.split("exit status:\n")[1]
    codes = [int(line.split()[0]) for line in epilog.splitlines() if line.strip()]
    assert codes == [EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNAVAILABLE]
    assert re.search(r"^  3  the key source is unavailable", epilog, re.MULTILINE)


def test_exit_codes_are_documented() -> None:
    doc = (REPO / "docs" / "cli.md").read_text()
    section = doc.split("## Exit status")[1].split("\n## ")[0]
    for code in ("| 0 |", "| 1 |", "| 2 |", "| 3 |"):
        assert code in section


# -- 8. --explain names the real cause -------------------------------------------------------------------------------


def explain(token: str) -> str:
    result = run("verify", token, "--key-env", "S", "--explain", env={"S": SECRET})
    assert result.code == EXIT_REFUSED
    return result.err


def test_explain_future_iat_with_past_nbf_blames_iat() -> None:
    now = int(time.time())
    err = explain(hs_token(iat=now + 120, nbf=now - 600))
    assert "iat is" in err and "in the future" in err
    assert "nbf is" not in err
    suggested = re.search(r"--leeway (-?\d+) would accept it", err)
    assert suggested is not None and 60 < int(suggested.group(1)) <= 121  # 120 s early, less the start-up time


def test_explain_future_iat_far_ahead_is_not_clock_skew() -> None:
    err = explain(hs_token(iat=int(time.time()) + 86400))
    assert "iat is" in err and "too far ahead for clock skew" in err
    assert not re.search(r"--leeway -", err)


def test_explain_future_nbf_names_nbf() -> None:
    now = int(time.time())
    err = explain(hs_token(iat=now - 10, nbf=now + 120))
    assert "nbf is" in err and "iat is" not in err
    assert not re.search(r"--leeway -", err)


def test_explain_duplicate_kid_in_the_jwks(jwks_server: JWKSServer) -> None:  # noqa: F811
    first = ec.generate_private_key(ec.SECP256R1())
    second = ec.generate_private_key(ec.SECP256R1())
    jwks_server.document = {
        "keys": [
            {**ECAlgorithm.to_jwk(first.public_key(), as_dict=True), "kid": "k1"},
            {**ECAlgorithm.to_jwk(second.public_key(), as_dict=True), "kid": "k1"},
        ]
    }
    token = fastjwt.encode({"sub": "x"}, second, algorithm="ES256", headers={"kid": "k1"})
    result = run("verify", token, "--jwks", jwks_server.url, "--explain")
    assert result.code == EXIT_REFUSED
    assert 'the JWKS has 2 keys with kid "k1"' in result.err
    assert "no known cause" not in result.err
