"""The ``fastjwt`` command line, run for real in a subprocess (``python -m fastjwt``)."""

from __future__ import annotations

import base64
import http.server
import json
import os
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization

import fastjwt
from fastjwt.api_jwk import jwk_thumbprint

KEYS = Path(__file__).parent / "keys"
RSA_PRIVATE = KEYS / "rsa2048_private_pkcs8.pem"
RSA_PUBLIC = KEYS / "rsa2048_public_spki.pem"
P256_PRIVATE = KEYS / "p256_private_pkcs8.pem"
ED25519_PUBLIC = KEYS / "ed25519_public_spki.pem"
SECRET = "cli-test-secret-do-not-print-0123456789"


class Result:
    def __init__(self, proc: subprocess.CompletedProcess[str]) -> None:
        self.code = proc.returncode
        self.out = proc.stdout
        self.err = proc.stderr


def run(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> Result:
    full_env = {**os.environ, **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "fastjwt", *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        env=full_env,
        cwd=Path(__file__).parent.parent,
    )
    result = Result(proc)
    assert "Traceback" not in result.err, result.err
    return result


def hs_token(key: str | bytes = SECRET, **claims: Any) -> str:
    payload = {"sub": "alice", "exp": int(time.time()) + 600, **claims}
    return fastjwt.encode(payload, key, algorithm="HS256")


def assert_one_error_line(result: Result, code: int) -> str:
    assert result.code == code
    lines = [line for line in result.err.strip().splitlines() if not line.startswith("warning: --key")]
    assert len(lines) == 1 and lines[0].startswith("error: "), result.err
    return lines[0]


# -- decode ----------------------------------------------------------------------------------------------------------


def test_decode_marks_not_verified_and_shows_times() -> None:
    now = int(time.time())
    token = fastjwt.encode({"sub": "a", "iat": now - 60, "exp": now + 900}, "wrong-key-is-fine-here" * 2)
    result = run("decode", token)
    assert result.code == 0
    assert result.out.startswith("NOT VERIFIED")
    assert '"sub": "a"' in result.out and '"alg": "HS256"' in result.out
    exp_line = next(line for line in result.out.splitlines() if line.strip().startswith("exp:"))
    assert "UTC" in exp_line and "expires in 1" in exp_line  # 14m 59s or 15m
    assert "iat:" in result.out and "ago" in result.out


def test_decode_expired_from_stdin() -> None:
    token = fastjwt.encode({"exp": int(time.time()) - 7200}, SECRET)
    result = run("decode", "-", stdin=token + "\n")
    assert result.code == 0
    assert "expired 2h" in result.out


def test_decode_garbage_is_one_line() -> None:
    line = assert_one_error_line(run("decode", "not-a-token"), 2)
    assert "3 dot-separated segments" in line


# -- verify ----------------------------------------------------------------------------------------------------------


def test_verify_valid_prints_claims() -> None:
    result = run("verify", hs_token(role="admin"), "--key-env", "JWT_SECRET", env={"JWT_SECRET": SECRET})
    assert result.code == 0
    assert json.loads(result.out)["role"] == "admin"


def test_verify_rsa_with_key_file() -> None:
    token = fastjwt.encode({"sub": "x"}, RSA_PRIVATE.read_bytes(), algorithm="RS256")
    result = run("verify", token, "--key-file", str(RSA_PUBLIC))
    assert result.code == 0 and json.loads(result.out) == {"sub": "x"}


def test_verify_failure_is_one_line_exit_1() -> None:
    line = assert_one_error_line(run("verify", hs_token(key=SECRET + "x"), "--key", SECRET), 1)
    assert "InvalidSignatureError" in line


def test_verify_needs_a_key() -> None:
    assert_one_error_line(run("verify", hs_token()), 2)


@pytest.mark.parametrize(
    "args",
    [
        ["verify", "TOKEN", "--key", SECRET],
        ["verify", "TOKEN", f"--key={SECRET}", "--explain"],
        ["verify", "TOKEN", "--key-env", "S", "--explain"],
        ["verify", "--kye", SECRET, "TOKEN"],
        ["verify", "TOKEN", "--key", SECRET, SECRET],
        ["encode", "{bad json", "--key", SECRET],
        ["encode", '{"a": 1}', "--key", SECRET, "--alg", "RS256"],
        ["verify", "TOKEN", "--key", SECRET, "--alg", "NOPE"],
    ],
)
def test_secret_never_echoed(args: list[str]) -> None:
    token = hs_token(key=SECRET + "-other")
    args = [token if a == "TOKEN" else a for a in args]
    result = run(*args, env={"S": SECRET})
    assert result.code != 0
    assert SECRET not in result.out and SECRET not in result.err
    assert result.err.startswith("error: ")


def test_secret_from_key_file_never_echoed(tmp_path: Path) -> None:
    secret_file = tmp_path / "secret"
    secret_file.write_text(SECRET)
    result = run(
        "verify", hs_token(key="some-other-secret-value-0123456789"), "--key-file", str(secret_file), "--explain"
    )
    assert result.code == 1 and SECRET not in result.err + result.out


# -- verify --explain: each diagnosis from a constructed situation ---------------------------------------------------


def explain(token: str, *args: str, env: dict[str, str] | None = None) -> str:
    result = run("verify", token, "--explain", *args, env=env)
    assert result.code == 1
    assert result.err.startswith("error: ")
    return result.err


def test_explain_secret_base64_decoded() -> None:
    raw = os.urandom(32)
    encoded = base64.b64encode(raw).decode()
    err = explain(hs_token(key=raw), "--key-env", "S", env={"S": encoded})
    assert "would match if it were standard Base64-decoded" in err
    assert encoded not in err


def test_explain_secret_base64_encoded() -> None:
    plain = "plain-secret-0123456789-abcdefghijkl"
    err = explain(hs_token(key=base64.b64encode(plain.encode())), "--key-env", "S", env={"S": plain})
    assert "would match if it were Base64-encoded" in err


def test_explain_secret_trailing_newline(tmp_path: Path) -> None:
    path = tmp_path / "s"
    path.write_text(SECRET + "\n")
    err = explain(hs_token(), "--key-file", str(path))
    assert "without its surrounding whitespace" in err


def test_explain_padded_and_standard_base64() -> None:
    header = base64.b64encode(b'{"alg":"HS256","typ":"JWT"}').decode()  # ends with "=" padding
    payload = base64.b64encode(b'{"sub":"??>"}').decode()  # "?>" encodes to "/"
    token = f"{header}.{payload}.c2ln"
    err = explain(token, "--key", SECRET)
    assert "'=' padding" in err
    assert "standard Base64 ('+' or '/')" in err


def test_explain_key_type_does_not_fit_alg() -> None:
    err = explain(hs_token(), "--key-file", str(RSA_PUBLIC))
    assert "alg HS256 needs an HMAC secret, but the key is an RSA key" in err


def test_explain_clock_skew_exp() -> None:
    token = hs_token(exp=int(time.time()) - 30)
    err = explain(token, "--key", SECRET)
    assert "ExpiredSignatureError" in err
    assert "--leeway 3" in err  # 31..35 depending on how long the subprocess took to start
    assert run("verify", token, "--key", SECRET, "--leeway", "2m").code == 0


def test_explain_clock_skew_nbf() -> None:
    err = explain(hs_token(nbf=int(time.time()) + 60), "--key", SECRET)
    assert "ImmatureSignatureError" in err and "issuer's clock is probably ahead" in err


def test_explain_far_expired_is_not_skew() -> None:
    err = explain(hs_token(exp=int(time.time()) - 86400), "--key", SECRET)
    assert "too long ago for clock skew" in err


def test_explain_audience_and_issuer() -> None:
    err = explain(hs_token(aud="billing"), "--key", SECRET, "--aud", "api")
    assert 'aud found: "billing"; expected: "api"' in err
    err = explain(hs_token(iss="https://a.example"), "--key", SECRET, "--iss", "https://b.example")
    assert 'iss found: "https://a.example"; expected: "https://b.example"' in err


class _JWKSHandler(http.server.BaseHTTPRequestHandler):
    body = b""

    def do_GET(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def jwks_url() -> Iterator[str]:
    rsa_jwk = dict(
        fastjwt.algorithms.RSAAlgorithm.to_jwk(serialization.load_pem_public_key(RSA_PUBLIC.read_bytes()), as_dict=True)
    )
    p256 = serialization.load_pem_private_key(P256_PRIVATE.read_bytes(), None)
    ec_jwk = dict(fastjwt.algorithms.ECAlgorithm.to_jwk(p256.public_key(), as_dict=True))  # type: ignore[union-attr]
    _JWKSHandler.body = json.dumps({"keys": [{**rsa_jwk, "kid": "rsa-1"}, {**ec_jwk, "kid": "ec-1"}]}).encode()
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _JWKSHandler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/jwks.json"
    server.shutdown()
    server.server_close()


def test_jwks_verify_and_explain_other_key(jwks_url: str) -> None:
    good = fastjwt.encode({"sub": "j"}, RSA_PRIVATE.read_bytes(), algorithm="RS256", headers={"kid": "rsa-1"})
    result = run("verify", good, "--jwks", jwks_url)
    assert result.code == 0 and json.loads(result.out) == {"sub": "j"}
    # Signed with the EC key but labelled with the RSA key's kid.
    wrong = fastjwt.encode({"sub": "j"}, P256_PRIVATE.read_bytes(), algorithm="ES256", headers={"kid": "rsa-1"})
    err = explain(wrong, "--jwks", jwks_url)
    assert 'signed by another key in the JWKS: kid "ec-1"' in err
    unknown = fastjwt.encode({"sub": "j"}, P256_PRIVATE.read_bytes(), algorithm="ES256", headers={"kid": "gone"})
    assert 'kid "gone" is not in the JWKS' in explain(unknown, "--jwks", jwks_url)


# -- encode ----------------------------------------------------------------------------------------------------------


def test_encode_hs256_with_exp_kid_header() -> None:
    before = int(time.time())
    result = run(
        "encode",
        '{"sub": "bob"}',
        "--key-env",
        "S",
        "--exp",
        "15m",
        "--kid",
        "k1",
        "--header",
        "typ=at+jwt",
        "--header",
        "x=1",
        env={"S": SECRET},
    )
    assert result.code == 0
    token = result.out.strip()
    claims = fastjwt.decode(token, SECRET, algorithms=["HS256"])
    assert claims["sub"] == "bob" and before + 900 <= claims["exp"] <= int(time.time()) + 900
    header = fastjwt.get_unverified_header(token)
    assert header == {"alg": "HS256", "kid": "k1", "typ": "at+jwt", "x": 1}


@pytest.mark.parametrize(("duration", "seconds"), [("30s", 30), ("1h", 3600), ("2d", 172800)])
def test_encode_durations(duration: str, seconds: int) -> None:
    before = int(time.time())
    token = run("encode", "{}", "--key-env", "S", "--exp", duration, env={"S": SECRET}).out.strip()
    exp = fastjwt.decode(token, SECRET, algorithms=["HS256"])["exp"]
    assert before + seconds <= exp <= int(time.time()) + seconds


def test_encode_rsa_from_pem_infers_alg() -> None:
    token = run("encode", '{"a": 1}', "--key-file", str(RSA_PRIVATE)).out.strip()
    assert fastjwt.get_unverified_header(token)["alg"] == "RS256"
    assert fastjwt.decode(token, RSA_PUBLIC.read_bytes(), algorithms=["RS256"]) == {"a": 1}


def test_encode_errors() -> None:
    assert "not valid JSON" in assert_one_error_line(run("encode", "{x", "--key", SECRET), 2)
    assert "invalid duration" in assert_one_error_line(run("encode", "{}", "--key", SECRET, "--exp", "soon"), 2)
    assert "private key" in assert_one_error_line(run("encode", "{}", "--key-file", str(RSA_PUBLIC)), 2)
    assert "cannot read key file" in assert_one_error_line(run("encode", "{}", "--key-file", "/nonexistent"), 2)


# -- keygen and jwks -------------------------------------------------------------------------------------------------


def _split_keygen(out: str) -> tuple[bytes, bytes, dict[str, Any]]:
    end_private = out.index("-----END PRIVATE KEY-----") + len("-----END PRIVATE KEY-----\n")
    end_public = out.index("-----END PUBLIC KEY-----") + len("-----END PUBLIC KEY-----\n")
    return out[:end_private].encode(), out[end_private:end_public].encode(), json.loads(out[end_public:])


@pytest.mark.parametrize(
    ("args", "kty", "alg", "extra"),
    [
        (["--type", "rsa"], "RSA", "RS256", {}),
        (["--type", "ec", "--curve", "P-384"], "EC", "ES384", {"crv": "P-384"}),
        (["--type", "ec", "--curve", "secp256k1"], "EC", "ES256K", {"crv": "secp256k1"}),
        (["--type", "ed25519"], "OKP", "EdDSA", {"crv": "Ed25519"}),
        (["--type", "ed448"], "OKP", "EdDSA", {"crv": "Ed448"}),
    ],
)
def test_keygen_round_trip(args: list[str], kty: str, alg: str, extra: dict[str, str]) -> None:
    result = run("keygen", *args)
    assert result.code == 0, result.err
    private_pem, public_pem, jwk = _split_keygen(result.out)
    assert jwk["kty"] == kty and jwk["alg"] == alg and jwk["use"] == "sig"
    assert jwk["kid"] == jwk_thumbprint(jwk)
    assert all(jwk[k] == v for k, v in extra.items())
    assert "d" not in jwk
    token = fastjwt.encode({"ok": True}, private_pem, algorithm=alg, headers={"kid": jwk["kid"]})
    assert fastjwt.decode(token, public_pem, algorithms=[alg]) == {"ok": True}
    assert fastjwt.decode(token, fastjwt.PyJWK(jwk), algorithms=[alg]) == {"ok": True}


def test_keygen_rsa_bits_and_kid_and_out(tmp_path: Path) -> None:
    out = tmp_path / "keys"
    result = run("keygen", "--type", "rsa", "--bits", "3072", "--kid", "mykey", "--out", str(out))
    assert result.code == 0
    private = out / "mykey.private.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(private.read_bytes(), None)
    assert key.key_size == 3072  # type: ignore[union-attr]
    assert json.loads((out / "mykey.public.jwk.json").read_text())["kid"] == "mykey"
    again = run("keygen", "--type", "rsa", "--kid", "mykey", "--out", str(out))
    assert "exists" in assert_one_error_line(again, 2)


def test_keygen_bad_options() -> None:
    assert "--bits" in assert_one_error_line(run("keygen", "--type", "rsa", "--bits", "1024"), 2)
    assert "--curve" in assert_one_error_line(run("keygen", "--type", "ec", "--curve", "P-192"), 2)
    assert run("keygen", "--type", "dsa").code == 2


def test_jwks_from_pems() -> None:
    result = run("jwks", str(RSA_PRIVATE), str(P256_PRIVATE), str(ED25519_PUBLIC))
    assert result.code == 0
    doc = json.loads(result.out)
    assert [k["kty"] for k in doc["keys"]] == ["RSA", "EC", "OKP"]
    assert all("d" not in k and k["kid"] == jwk_thumbprint(k) for k in doc["keys"])
    jwk_set = fastjwt.PyJWKSet.from_dict(doc)
    kid = doc["keys"][0]["kid"]
    token = fastjwt.encode({"a": 1}, RSA_PRIVATE.read_bytes(), algorithm="RS256", headers={"kid": kid})
    assert fastjwt.Verifier(jwk_set, ["RS256"]).decode(token) == {"a": 1}


def test_jwks_rejects_secret_file(tmp_path: Path) -> None:
    path = tmp_path / "secret"
    path.write_text(SECRET)
    result = run("jwks", str(path))
    assert "HMAC secrets never go in a JWKS" in assert_one_error_line(result, 2)
    assert SECRET not in result.err


# -- bench and help --------------------------------------------------------------------------------------------------


def test_bench_runs_with_progress() -> None:
    result = run("bench", "--seconds", "0.01")
    assert result.code == 0
    assert "HS256 decode" in result.out and "RS256 decode" in result.out and "fastjwt Verifier" in result.out
    assert "PyJWT" in result.out and "x" in result.out  # PyJWT is installed in the test venv: ratios shown
    assert "[1/" in result.err


def test_help_and_missing_command() -> None:
    assert run("--help").code == 0
    assert run().code == 2


def test_verify_token_from_stdin_with_bearer_prefix() -> None:
    result = run("verify", "-", "--key-env", "S", stdin="Bearer " + hs_token() + "\n", env={"S": SECRET})
    assert result.code == 0 and json.loads(result.out)["sub"] == "alice"


def test_verify_jwks_unreachable_is_one_line() -> None:
    import socket

    with socket.socket() as s:  # a port nobody listens on: bound, never listening
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        token = fastjwt.encode({"sub": "x"}, RSA_PRIVATE.read_bytes(), algorithm="RS256", headers={"kid": "k"})
        line = assert_one_error_line(run("verify", token, "--jwks", f"http://127.0.0.1:{port}/j"), 3)
    assert "PyJWKClient" in line


def test_oct_jwk_key_file_is_the_secret(tmp_path: Path) -> None:
    raw = os.urandom(32)
    path = tmp_path / "oct.jwk.json"
    path.write_text(json.dumps({"kty": "oct", "k": base64.urlsafe_b64encode(raw).rstrip(b"=").decode()}))
    assert run("verify", hs_token(key=raw), "--key-file", str(path)).code == 0
    token = run("encode", '{"a": 1}', "--key-file", str(path)).out.strip()
    assert fastjwt.decode(token, raw, algorithms=["HS256"]) == {"a": 1}
