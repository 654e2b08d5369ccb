"""``Verifier.adecode`` under hostile tokens: nothing that can be refused without a key reaches the key source, and a
synchronous key source never runs on the event loop."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import threading
from typing import Any

import pytest
from jwks_server import JWKSServer

import fastjwt
from fastjwt.exceptions import DecodeError, InvalidAlgorithmError, InvalidTokenError, PyJWTError

SECRET = b"async-verifier-secret-0123456789abcdef-0123456789abcdef-0123456789"
KID = "k1"


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], claims: dict[str, Any] | None = None) -> str:
    """A compact JWS with exactly this header, HMAC-SHA256-signed with SECRET whatever the header says.

    With ``"b64": false`` in the header the payload segment is left empty (a detached payload).
    """
    payload = "" if header.get("b64") is False else _segment(json.dumps(claims or {"sub": "a"}).encode())
    signing_input = _segment(json.dumps(header).encode()) + "." + payload
    signature = hmac.new(SECRET, signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + _segment(signature)


def _oct_jwk() -> fastjwt.PyJWK:
    return fastjwt.PyJWK({"kty": "oct", "k": _segment(SECRET), "alg": "HS256", "kid": KID})


class AsyncRecordingSource:
    """An async key source that records every lookup."""

    def __init__(self) -> None:
        self.key = _oct_jwk()
        self.calls: list[str | None] = []

    async def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:
        self.calls.append(kid)
        await asyncio.sleep(0)
        return self.key


class SyncRecordingSource:
    """A sync key source that records every lookup and the thread it ran on."""

    def __init__(self) -> None:
        self.key = _oct_jwk()
        self.calls: list[str | None] = []
        self.threads: list[int] = []

    def get_signing_key(self, kid: str | None) -> fastjwt.PyJWK:
        self.calls.append(kid)
        self.threads.append(threading.get_ident())
        return self.key


def _raises_exactly(cls: type[PyJWTError], match: str, token: str, verifier: fastjwt.Verifier) -> None:
    with pytest.raises(cls, match=match) as info:
        asyncio.run(verifier.adecode(token))
    assert type(info.value) is cls


GOOD_HEADER = {"alg": "HS256", "kid": KID, "typ": "at+jwt"}

# Each token is refused on its header alone: (changes to GOOD_HEADER, None removing a member; exception; message).
KEYLESS_REFUSALS = [
    pytest.param({"alg": "HS512"}, InvalidAlgorithmError, "alg value is not allowed", id="alg-not-allowed"),
    pytest.param({"alg": "none"}, InvalidAlgorithmError, "alg value is not allowed", id="alg-none"),
    pytest.param({"alg": "hs256"}, InvalidAlgorithmError, "alg value is not allowed", id="alg-case"),
    pytest.param({"alg": 256}, InvalidAlgorithmError, "alg value is not allowed", id="alg-not-a-string"),
    pytest.param({"alg": None}, InvalidAlgorithmError, "Algorithm not specified", id="alg-missing"),
    pytest.param({"crit": ["exp"], "exp": 1}, InvalidTokenError, "Unsupported critical extension", id="crit-unknown"),
    pytest.param({"crit": []}, InvalidTokenError, "non-empty list", id="crit-empty"),
    pytest.param({"kid": 7}, InvalidTokenError, "Key ID header parameter", id="kid-not-a-string"),
    pytest.param({"typ": "JWT"}, InvalidTokenError, r"Invalid token type \(typ\)", id="typ-wrong"),
    pytest.param({"typ": None}, InvalidTokenError, r"Invalid token type \(typ\)", id="typ-missing"),
    pytest.param({"b64": False}, InvalidTokenError, "'b64' to be listed in 'crit'", id="b64-false-without-crit"),
]


@pytest.mark.parametrize("source_class", [AsyncRecordingSource, SyncRecordingSource])
@pytest.mark.parametrize(("changes", "error", "message"), KEYLESS_REFUSALS)
def test_keyless_checks_come_before_any_key_lookup(
    source_class: type[AsyncRecordingSource | SyncRecordingSource],
    changes: dict[str, Any],
    error: type[PyJWTError],
    message: str,
) -> None:
    header = {name: value for name, value in {**GOOD_HEADER, **changes}.items() if value is not None}
    source = source_class()
    verifier = fastjwt.Verifier(source, ["HS256"], typ="at+jwt")
    _raises_exactly(error, message, forge(header), verifier)
    assert source.calls == []


@pytest.mark.parametrize("source_class", [AsyncRecordingSource, SyncRecordingSource])
@pytest.mark.parametrize(
    "token",
    [
        pytest.param("not-a-token", id="one-segment"),
        pytest.param(_segment(b"{not json") + ".e30.c2ln", id="header-not-json"),
        pytest.param(_segment(b"[1]") + ".e30.c2ln", id="header-not-an-object"),
        pytest.param(forge(GOOD_HEADER) + "!", id="signature-not-base64url"),
    ],
)
def test_malformed_tokens_never_reach_the_key_source(
    source_class: type[AsyncRecordingSource | SyncRecordingSource], token: str
) -> None:
    source = source_class()
    verifier = fastjwt.Verifier(source, ["HS256"], typ="at+jwt")
    with pytest.raises(DecodeError) as info:
        asyncio.run(verifier.adecode(token))
    assert type(info.value) is DecodeError
    assert source.calls == []


@pytest.mark.parametrize("source_class", [AsyncRecordingSource, SyncRecordingSource])
def test_a_valid_token_still_looks_its_key_up_once(
    source_class: type[AsyncRecordingSource | SyncRecordingSource],
) -> None:
    source = source_class()
    verifier = fastjwt.Verifier(source, ["HS256"], typ="at+jwt")
    token = forge(GOOD_HEADER, {"sub": "alice"})
    assert asyncio.run(verifier.adecode(token)) == {"sub": "alice"}
    assert source.calls == [KID]


def test_a_sync_key_source_runs_off_the_event_loop_thread() -> None:
    source = SyncRecordingSource()
    verifier = fastjwt.Verifier(source, ["HS256"])
    token = forge({"alg": "HS256", "kid": KID}, {"sub": "alice"})

    async def main() -> int:
        assert await verifier.adecode(token) == {"sub": "alice"}
        return threading.get_ident()

    loop_thread = asyncio.run(main())
    assert source.calls == [KID]
    assert source.threads[0] != loop_thread


def test_async_jwks_client_is_not_fetched_for_a_disallowed_algorithm() -> None:
    """The real async client against a real endpoint: a refused algorithm costs the IdP nothing."""
    with JWKSServer() as idp:
        idp.set_keys({"kty": "oct", "k": _segment(SECRET), "alg": "HS256", "kid": KID})
        verifier = fastjwt.Verifier(fastjwt.AsyncPyJWKClient(idp.url), ["HS256"])
        _raises_exactly(
            InvalidAlgorithmError, "alg value is not allowed", forge({"alg": "HS384", "kid": KID}), verifier
        )
        _raises_exactly(
            InvalidTokenError,
            "Unsupported critical extension",
            forge({"alg": "HS256", "kid": KID, "crit": ["x"], "x": 1}),
            verifier,
        )
        assert idp.hits == 0
        assert asyncio.run(verifier.adecode(forge({"alg": "HS256", "kid": KID}))) == {"sub": "a"}
        assert idp.hits == 1
