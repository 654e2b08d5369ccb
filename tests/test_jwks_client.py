"""fastjwt.PyJWKClient against a real JWKS server on 127.0.0.1 (tests/jwks_server.py).

Covers PyJWT 2.15.1 parity (parameters, schemes, errors) and what fastjwt adds: single flight,
unknown-kid cooldown under 100 concurrent callers, stale-while-error, Cache-Control, the
response size cap, redirects refused, a pluggable fetcher, stable key identity and kid edge cases.
"""

from __future__ import annotations

import base64
import inspect
import json
import logging
import socket
import threading
from collections.abc import Mapping
from typing import Any

import jwt as pyjwt
import pytest
from conftest import Clock
from cryptography.hazmat.primitives.asymmetric import ec
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jwks_server import JWKSServer, jwks_server  # noqa: F401  (fixture)

import fastjwt
from fastjwt.algorithms import ECAlgorithm
from fastjwt.exceptions import (
    InvalidTokenError,
    PyJWKClientConnectionError,
    PyJWKClientError,
    PyJWKSetError,
    PyJWTError,
)
from fastjwt.jwks_client import PyJWKClient, _max_age

CLAIMS = {"sub": "user-1", "scope": "read"}


def make_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def public_jwk(private: ec.EllipticCurvePrivateKey, kid: str | None, **extra: Any) -> dict[str, Any]:
    jwk: dict[str, Any] = ECAlgorithm.to_jwk(private.public_key(), as_dict=True)
    if kid is not None:
        jwk["kid"] = kid
    jwk.update(extra)
    return jwk


@pytest.fixture(scope="module")
def keys() -> dict[str, ec.EllipticCurvePrivateKey]:
    return {name: make_key() for name in ("a", "b", "c")}


def token(private: ec.EllipticCurvePrivateKey, kid: Any = None, **header: Any) -> str:
    headers = dict(header)
    if kid is not None:
        headers["kid"] = kid
    return fastjwt.encode(CLAIMS, private, "ES256", headers=headers or None)


def raw_token(private: ec.EllipticCurvePrivateKey, header: dict[str, Any]) -> str:
    """A signed ES256 token with any header (encoders refuse a non-string kid)."""
    signing_input = b64url(json.dumps(header).encode()) + b"." + b64url(json.dumps(CLAIMS).encode())
    signature = ECAlgorithm(ECAlgorithm.SHA256).sign(signing_input, private)
    return (signing_input + b"." + b64url(signature)).decode()


def b64url(data: bytes) -> bytes:
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- PyJWT parity ---------------------------------------------------------------------------------


def test_constructor_takes_pyjwt_parameters_in_pyjwt_order() -> None:
    ours = list(inspect.signature(PyJWKClient).parameters.values())
    theirs = list(inspect.signature(pyjwt.PyJWKClient).parameters.values())
    assert [(p.name, p.default) for p in ours[: len(theirs)]] == [(p.name, p.default) for p in theirs]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in ours[len(theirs) :])
    assert fastjwt.PyJWKClient is PyJWKClient


@pytest.mark.parametrize(
    "uri",
    ["file:///etc/passwd", "ftp://example.com/jwks", "data:application/json,{}", "jwks.json", "gopher://x/"],
)
def test_only_http_and_https_uris_are_accepted_like_pyjwt(uri: str) -> None:
    with pytest.raises(pyjwt.PyJWKClientError):
        pyjwt.PyJWKClient(uri)
    with pytest.raises(PyJWKClientError, match="only 'http' and 'https'"):
        PyJWKClient(uri)


def test_scheme_is_checked_again_before_each_fetch(jwks_server: JWKSServer) -> None:
    client = PyJWKClient(jwks_server.url)
    client.uri = "file:///etc/passwd"
    with pytest.raises(PyJWKClientError, match="only 'http' and 'https'"):
        client.get_signing_key("a")


def test_clearing_the_set_cache_forces_a_fetch(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url)
    first = client.get_signing_key("a")
    client.jwk_set_cache.put(None)  # type: ignore[union-attr]
    assert client.get_signing_key("a") is first
    assert jwks_server.hits == 2


def test_https_and_uppercase_scheme_are_accepted() -> None:
    assert PyJWKClient("https://example.com/jwks").uri == "https://example.com/jwks"
    assert PyJWKClient("HTTP://example.com/jwks").uri == "HTTP://example.com/jwks"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"lifespan": 0},
        {"lifespan": -1},
        {"cooldown_duration": -1},
        {"cooldown_duration": float("inf")},
        {"max_response_bytes": 0},
        {"stale_if_error": -1},
    ],
)
def test_invalid_parameters_raise_pyjwkclienterror(kwargs: dict[str, Any]) -> None:
    with pytest.raises(PyJWKClientError):
        PyJWKClient("https://example.com/jwks", **kwargs)


def test_fetches_and_returns_the_key_for_a_kid(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
    client = PyJWKClient(jwks_server.url)
    key = client.get_signing_key("b")
    assert key.key_id == "b"
    assert fastjwt.decode(token(keys["b"], "b"), key.key, algorithms=["ES256"]) == CLAIMS
    with pytest.raises(fastjwt.InvalidSignatureError):
        fastjwt.decode(token(keys["a"], "b"), key.key, algorithms=["ES256"])
    assert client.get_signing_key_from_jwt(token(keys["a"], "a")).key_id == "a"
    assert jwks_server.hits == 1


def test_get_jwk_set_signing_keys_and_fetch_data(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(
        public_jwk(keys["a"], "a"),
        public_jwk(keys["b"], "enc-key", use="enc"),
        public_jwk(keys["c"], None),
    )
    client = PyJWKClient(jwks_server.url)
    data = client.fetch_data()
    assert data == jwks_server.document
    jwk_set = client.get_jwk_set()
    assert isinstance(jwk_set, fastjwt.PyJWKSet)
    assert [k.key_id for k in jwk_set.keys] == ["a", "enc-key", None]
    # as PyJWT: signing keys are use=sig/absent *and* have a kid
    assert [k.key_id for k in client.get_signing_keys()] == ["a"]
    reference = pyjwt.PyJWKClient(jwks_server.url)
    assert [k.key_id for k in reference.get_signing_keys()] == ["a"]
    with pytest.raises(PyJWKClientError):
        client.get_signing_key("enc-key")  # an encryption key is never a signing key


def test_no_signing_keys_raises_like_pyjwt(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a", use="enc"))
    with pytest.raises(PyJWKClientError, match="did not contain any signing keys"):
        PyJWKClient(jwks_server.url).get_signing_keys()
    with pytest.raises(pyjwt.PyJWKClientError, match="did not contain any signing keys"):
        pyjwt.PyJWKClient(jwks_server.url).get_signing_keys()


def test_unknown_kty_alg_and_crv_keys_are_skipped(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    good = public_jwk(keys["a"], "good")
    jwks_server.set_keys(
        {"kty": "XYZ", "kid": "weird"},
        {**public_jwk(keys["b"], "bad-alg"), "alg": "FOO256"},
        {**public_jwk(keys["c"], "bad-crv"), "crv": "P-999"},
        {"kid": "no-kty"},
        "not-an-object",  # type: ignore[arg-type]
        good,
    )
    client = PyJWKClient(jwks_server.url)
    assert [k.key_id for k in client.get_jwk_set().keys] == ["good"]
    assert [k.key_id for k in pyjwt.PyJWKClient(jwks_server.url).get_jwk_set().keys] == ["good"]
    with pytest.raises(PyJWKClientError, match="weird"):
        client.get_signing_key("weird")


def test_a_set_without_usable_keys_raises_pyjwksetError_like_pyjwt(jwks_server: JWKSServer) -> None:
    jwks_server.set_keys({"kty": "XYZ", "kid": "x"})
    with pytest.raises(pyjwt.PyJWKSetError):
        pyjwt.PyJWKClient(jwks_server.url).get_signing_key("x")
    with pytest.raises(PyJWKSetError, match="usable"):
        PyJWKClient(jwks_server.url).get_signing_key("x")
    jwks_server.document = {"keys": []}
    with pytest.raises(PyJWKSetError):
        PyJWKClient(jwks_server.url).get_signing_key("x")


# -- transport ------------------------------------------------------------------------------------


def test_user_agent_and_custom_headers_are_sent(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    PyJWKClient(jwks_server.url, headers={"X-Tenant": "t1"}).get_signing_key("a")
    assert jwks_server.request_headers["user-agent"] == f"fastjwt/{fastjwt.__version__}"
    assert jwks_server.request_headers["x-tenant"] == "t1"
    PyJWKClient(jwks_server.url, headers={"user-agent": "my-service/2"}).get_signing_key("a")
    assert jwks_server.request_headers["user-agent"] == "my-service/2"


def test_server_down_raises_connection_error() -> None:
    client = PyJWKClient(f"http://127.0.0.1:{closed_port()}/jwks.json", timeout=1)
    with pytest.raises(PyJWKClientConnectionError, match="Fail to fetch data from the url"):
        client.get_signing_key("a")


def test_https_with_ssl_context(keys: dict[str, Any]) -> None:
    with JWKSServer(tls=True) as server:
        server.set_keys(public_jwk(keys["a"], "a"))
        assert server.url.startswith("https://")
        client = PyJWKClient(server.url, ssl_context=server.client_ssl_context, timeout=1)
        assert client.get_signing_key("a").key_id == "a"
        # the default context does not trust the self-signed certificate
        with pytest.raises(PyJWKClientConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            PyJWKClient(server.url, timeout=1).get_signing_key("a")
        with pytest.raises(pyjwt.PyJWKClientConnectionError, match="CERTIFICATE_VERIFY_FAILED"):
            pyjwt.PyJWKClient(server.url, timeout=1).get_signing_key("a")


def test_slow_drip_is_cut_off_by_the_timeout(jwks_server: JWKSServer) -> None:
    jwks_server.stream_bytes = 100_000
    jwks_server.stream_chunk = 10
    jwks_server.stream_interval = 0.02  # each read returns in time; the whole body would take 200 s
    with pytest.raises(PyJWKClientConnectionError, match="took longer than the timeout"):
        PyJWKClient(jwks_server.url, timeout=0.3).get_signing_key("a")
    assert jwks_server.bytes_streamed < 1000


def test_slow_drip_of_headers_is_cut_off_by_the_timeout(jwks_server: JWKSServer) -> None:
    jwks_server.header_drip_interval = 0.01  # every read returns in time; the headers never end
    with pytest.raises(PyJWKClientConnectionError, match="took longer than the timeout"):
        PyJWKClient(jwks_server.url, timeout=0.3).get_signing_key("a")


def test_http_500_raises_connection_error_without_echoing_request_headers(jwks_server: JWKSServer) -> None:
    jwks_server.status = 500
    client = PyJWKClient(jwks_server.url, headers={"Authorization": "Bearer s3cret-token"})
    with pytest.raises(PyJWKClientConnectionError, match="500") as info:
        client.get_signing_key("a")
    assert "s3cret" not in str(info.value)
    with pytest.raises(pyjwt.PyJWKClientConnectionError):
        pyjwt.PyJWKClient(jwks_server.url).get_signing_key("a")


def test_slow_response_times_out(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    jwks_server.delay = 3
    client = PyJWKClient(jwks_server.url, timeout=0.3)
    with pytest.raises(PyJWKClientConnectionError, match=r"timed out|took longer than the timeout"):
        client.get_signing_key("a")


@pytest.mark.parametrize("body", [b"{not json", b"\xff\xfe\x00", b"[" * 100000])
def test_invalid_json_raises_pyjwkclienterror(jwks_server: JWKSServer, body: bytes) -> None:
    jwks_server.body = body
    with pytest.raises(PyJWKClientError, match="valid JSON"):
        PyJWKClient(jwks_server.url).get_signing_key("a")


@pytest.mark.parametrize("body", [b"[]", b'"keys"', b"null", b"42"])
def test_json_that_is_not_an_object_raises_like_pyjwt(jwks_server: JWKSServer, body: bytes) -> None:
    jwks_server.body = body
    with pytest.raises(PyJWKClientError, match="did not return a JSON object"):
        PyJWKClient(jwks_server.url).get_signing_key("a")
    with pytest.raises(pyjwt.PyJWKClientError, match="did not return a JSON object"):
        pyjwt.PyJWKClient(jwks_server.url).get_signing_key("a")


def test_50_mb_response_with_content_length_is_refused_before_reading(jwks_server: JWKSServer) -> None:
    jwks_server.stream_bytes = 50 * 1024 * 1024
    with pytest.raises(PyJWKClientError, match="larger than max_response_bytes"):
        PyJWKClient(jwks_server.url).get_signing_key("a")
    jwks_server.close()  # stop the writer; what it managed to push is bounded by socket buffers
    assert jwks_server.bytes_streamed < 10 * 1024 * 1024


def test_50_mb_response_without_content_length_stops_at_the_cap(jwks_server: JWKSServer) -> None:
    jwks_server.stream_bytes = 50 * 1024 * 1024
    jwks_server.stream_content_length = False
    with pytest.raises(PyJWKClientError, match=r"larger than max_response_bytes \(1048576 bytes\)"):
        PyJWKClient(jwks_server.url).get_signing_key("a")
    jwks_server.close()
    assert jwks_server.bytes_streamed < 10 * 1024 * 1024


def test_max_response_bytes_is_configurable(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    size = len(json.dumps(jwks_server.document).encode())
    with pytest.raises(PyJWKClientError, match="larger than"):
        PyJWKClient(jwks_server.url, max_response_bytes=size - 1).get_signing_key("a")
    assert PyJWKClient(jwks_server.url, max_response_bytes=size).get_signing_key("a").key_id == "a"


def test_redirect_is_not_followed(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    jwks_server.redirect_to = "/elsewhere.json"
    with pytest.raises(PyJWKClientConnectionError, match="302"):
        PyJWKClient(jwks_server.url).get_signing_key("a")
    assert jwks_server.hits == 1
    assert jwks_server.hits_by_path.get("/elsewhere.json", 0) == 0


def test_custom_fetcher_gets_url_headers_timeout_and_cache_control(keys: dict[str, Any]) -> None:
    calls: list[tuple[str, dict[str, str], float]] = []
    document = json.dumps({"keys": [public_jwk(keys["a"], "a")]}).encode()

    def fetcher(url: str, headers: Mapping[str, str], timeout: float) -> tuple[bytes, dict[str, str]]:
        calls.append((url, dict(headers), timeout))
        return document, {"cache-control": "public, max-age=60"}

    client = PyJWKClient("https://idp.example/jwks", headers={"X-A": "1"}, timeout=2.5, fetcher=fetcher)
    assert client.get_signing_key("a").key_id == "a"
    assert calls == [
        ("https://idp.example/jwks", {"X-A": "1", "User-Agent": f"fastjwt/{fastjwt.__version__}"}, 2.5)
    ]
    entry = client.jwk_set_cache.jwk_set_with_timestamp  # type: ignore[union-attr]
    assert entry is not None and entry.expires_at - entry.timestamp == pytest.approx(60)


def test_custom_fetcher_failures_are_wrapped(keys: dict[str, Any]) -> None:
    def down(url: str, headers: Mapping[str, str], timeout: float) -> bytes:
        raise OSError("proxy refused the connection")

    with pytest.raises(PyJWKClientConnectionError, match="proxy refused"):
        PyJWKClient("https://idp.example/jwks", fetcher=down).get_signing_key("a")

    def huge(url: str, headers: Mapping[str, str], timeout: float) -> bytes:
        return b" " * 2000

    with pytest.raises(PyJWKClientError, match="larger than"):
        PyJWKClient("https://idp.example/jwks", fetcher=huge, max_response_bytes=1000).get_signing_key("a")

    def wrong_type(url: str, headers: Mapping[str, str], timeout: float) -> Any:
        return "a string"

    with pytest.raises(PyJWKClientError, match="must return bytes"):
        PyJWKClient("https://idp.example/jwks", fetcher=wrong_type).get_signing_key("a")


# -- caching --------------------------------------------------------------------------------------


def test_set_is_cached_for_lifespan_then_refetched(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, lifespan=300)
    for _ in range(5):
        client.get_signing_key("a")
    jwks_clock.advance(299)
    client.get_signing_key("a")
    assert jwks_server.hits == 1
    jwks_clock.advance(2)
    client.get_signing_key("a")
    assert jwks_server.hits == 2


@pytest.mark.parametrize(
    ("cache_control", "lifespan", "honor", "expected"),
    [
        (None, 300, True, 300),
        ("max-age=60", 300, True, 60),
        ("public, max-age=120, must-revalidate", 300, True, 120),
        ("max-age=100000", 300, True, 300),  # never longer than the caller allows
        ("no-store", 300, True, 5),  # floored: "no-store" must not mean a fetch per request
        ("max-age=0", 2, True, 2),
        ("max-age=abc", 300, True, 300),
        ("max-age=60", 300, False, 300),
    ],
)
def test_cache_control_max_age_shortens_the_lifespan(
    jwks_server: JWKSServer,
    keys: dict[str, Any],
    cache_control: str | None,
    lifespan: float,
    honor: bool,
    expected: float,
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    if cache_control is not None:
        jwks_server.headers = {"Cache-Control": cache_control}
    client = PyJWKClient(jwks_server.url, lifespan=lifespan, honor_cache_control=honor)
    client.get_signing_key("a")
    entry = client.jwk_set_cache.jwk_set_with_timestamp  # type: ignore[union-attr]
    assert entry is not None
    assert entry.expires_at - entry.timestamp == pytest.approx(expected)


def test_cache_control_expiry_triggers_a_refetch(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    jwks_server.headers = {"Cache-Control": "max-age=0"}
    client = PyJWKClient(jwks_server.url, lifespan=300)  # max-age=0 is floored to min(5 s, lifespan)
    client.get_signing_key("a")
    jwks_clock.advance(4)
    client.get_signing_key("a")
    assert jwks_server.hits == 1
    jwks_clock.advance(2)
    client.get_signing_key("a")
    assert jwks_server.hits == 2


def test_unchanged_keys_keep_their_identity_across_refreshes(
    jwks_server: JWKSServer, keys: dict[str, Any]
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url)
    first = client.get_signing_key("a")
    jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
    client.get_jwk_set(refresh=True)
    assert client.get_signing_key("a") is first
    b = client.get_signing_key("b")
    jwks_server.set_keys(public_jwk(keys["c"], "a"), public_jwk(keys["b"], "b"))  # "a" re-keyed
    client.get_jwk_set(refresh=True)
    assert client.get_signing_key("b") is b
    changed = client.get_signing_key("a")
    assert changed is not first
    assert fastjwt.decode(token(keys["c"], "a"), changed.key, algorithms=["ES256"]) == CLAIMS
    assert jwks_server.hits == 3


def test_failed_refresh_keeps_the_cache(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url)
    first = client.get_signing_key("a")
    jwks_server.status = 503
    with pytest.raises(PyJWKClientConnectionError):
        client.get_jwk_set(refresh=True)
    assert client.get_signing_key("a") is first


def test_without_set_cache_every_lookup_fetches_but_keys_keep_identity(
    jwks_server: JWKSServer, keys: dict[str, Any]
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, cache_jwk_set=False)
    first = client.get_signing_key("a")
    assert client.get_signing_key("a") is first
    assert jwks_server.hits == 2
    assert client.jwk_set_cache is None


def test_cache_keys_without_set_cache_expires_with_lifespan(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, cache_jwk_set=False, cache_keys=True, lifespan=300)
    first = client.get_signing_key("a")
    jwks_clock.advance(299)
    assert client.get_signing_key("a") is first
    assert jwks_server.hits == 1
    jwks_server.set_keys(public_jwk(keys["b"], "b"))  # "a" revoked
    jwks_clock.advance(2)
    with pytest.raises(PyJWKClientError, match='matches: "a"'):
        client.get_signing_key("a")


def test_cache_keys_with_set_cache_expire_with_the_set(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, cache_keys=True, lifespan=300, cooldown_duration=0)
    client.get_signing_key("a")
    jwks_server.set_keys(public_jwk(keys["b"], "b"))  # "a" revoked: PyJWT's LRU would keep it forever
    jwks_clock.advance(301)
    with pytest.raises(PyJWKClientError, match='matches: "a"'):
        client.get_signing_key("a")


def test_explicit_refresh_always_fetches(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, cooldown_duration=60)
    client.get_jwk_set()
    client.get_jwk_set(refresh=True)
    client.get_signing_keys(refresh=True)
    assert jwks_server.hits == 3


def test_a_subclass_overriding_fetch_data_is_cached_as_returned(
    jwks_server: JWKSServer, keys: dict[str, Any]
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))

    class OnlyA(PyJWKClient):
        def fetch_data(self) -> Any:
            data = super().fetch_data()
            return {"keys": [k for k in data["keys"] if k["kid"] == "a"]}

    client = OnlyA(jwks_server.url)
    assert client.get_signing_key("a").key_id == "a"
    with pytest.raises(PyJWKClientError, match='"b"'):
        client.get_signing_key("b")
    assert [k.key_id for k in client.get_jwk_set().keys] == ["a"]
    assert jwks_server.hits == 1


def test_jwk_set_cache_keeps_pyjwts_api(keys: dict[str, Any]) -> None:
    from fastjwt.jwk_set_cache import JWKSetCache

    cache = JWKSetCache(lifespan=60)
    assert cache.get() is None and not cache.is_expired()
    cache.put({"keys": [public_jwk(keys["a"], "a")]})
    jwk_set = cache.get()
    assert isinstance(jwk_set, fastjwt.PyJWKSet) and jwk_set["a"].key_id == "a"
    assert cache.jwk_set_with_timestamp is not None
    assert cache.jwk_set_with_timestamp.get_jwk_set() is jwk_set
    cache.put(jwk_set, lifespan=-1)  # forever, as PyJWT's lifespan=-1
    assert not cache.is_expired() and cache.get() is jwk_set
    cache.put(None)
    assert cache.get() is None
    with pytest.raises(PyJWKSetError):
        cache.put("not a set")  # type: ignore[arg-type]


# -- unknown kid, cooldown, single flight ---------------------------------------------------------


def test_unknown_kid_refetches_once_per_cooldown(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, cooldown_duration=30)
    client.get_signing_key("a")
    for _ in range(3):
        with pytest.raises(PyJWKClientError, match='matches: "b"'):
            client.get_signing_key("b")
        jwks_clock.advance(9)
    assert jwks_server.hits == 1  # the first fetch started the cooldown
    jwks_clock.advance(4)
    jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
    assert client.get_signing_key("b").key_id == "b"
    assert jwks_server.hits == 2


def test_cooldown_zero_refetches_every_unknown_kid(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, cooldown_duration=0)
    client.get_signing_key("a")
    for _ in range(3):
        with pytest.raises(PyJWKClientError):
            client.get_signing_key("zzz")
    assert jwks_server.hits == 4


def run_concurrently(count: int, func: Any) -> list[Any]:
    """Run ``func()`` in ``count`` threads released together; return results or exceptions."""
    barrier = threading.Barrier(count)
    results: list[Any] = [None] * count

    def worker(i: int) -> None:
        barrier.wait()
        try:
            results[i] = func()
        except Exception as error:  # collected for the assertions
            results[i] = error

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    return results


def test_100_concurrent_unknown_kids_at_cold_start_hit_the_server_once(
    jwks_server: JWKSServer, keys: dict[str, Any]
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    jwks_server.delay = 0.1
    client = PyJWKClient(jwks_server.url)
    results = run_concurrently(100, lambda: client.get_signing_key("unknown"))
    assert all(isinstance(r, PyJWKClientError) and "unknown" in str(r) for r in results)
    assert jwks_server.hits == 1


def test_100_concurrent_cold_lookups_share_one_fetch_and_one_key(
    jwks_server: JWKSServer, keys: dict[str, Any]
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    jwks_server.delay = 0.1
    client = PyJWKClient(jwks_server.url)
    results = run_concurrently(100, lambda: client.get_signing_key("a"))
    assert all(r is results[0] for r in results) and results[0].key_id == "a"
    assert jwks_server.hits == 1


def test_100_concurrent_new_kid_after_cooldown_refetch_once(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, cooldown_duration=30)
    client.get_signing_key("a")
    jwks_clock.advance(31)
    jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
    jwks_server.delay = 0.1
    results = run_concurrently(100, lambda: client.get_signing_key("b"))
    assert all(r is results[0] for r in results) and results[0].key_id == "b"
    assert jwks_server.hits == 2


def test_100_concurrent_unknown_kids_after_cooldown_refetch_at_most_once(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, cooldown_duration=30)
    client.get_signing_key("a")
    jwks_clock.advance(31)  # the clock then stands still: every thread arrives within the refetch's cooldown
    jwks_server.delay = 0.2
    results = run_concurrently(100, lambda: client.get_signing_key("attacker-kid"))
    assert all(isinstance(r, PyJWKClientError) for r in results)
    assert jwks_server.hits == 2


# -- stale while error ----------------------------------------------------------------------------


def test_stale_keys_are_served_while_the_endpoint_fails_and_a_warning_is_logged(
    jwks_server: JWKSServer, keys: dict[str, Any], caplog: pytest.LogCaptureFixture, jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, lifespan=60, cooldown_duration=5, stale_if_error=30)
    first = client.get_signing_key("a")
    jwks_server.status = 500
    jwks_clock.advance(61)
    with caplog.at_level(logging.WARNING, logger="fastjwt.jwks"):
        assert client.get_signing_key("a") is first
        jwks_clock.advance(0.5)  # within the failure backoff (1 s after the first failure)
        assert client.get_signing_key("a") is first
        assert jwks_server.hits == 2  # one failed refresh; retries wait for the failure backoff
        jwks_clock.advance(1)  # past it: one more attempt, which fails too, and the stale keys are served again
        assert client.get_signing_key("a") is first
    assert jwks_server.hits == 3
    messages = [r.getMessage() for r in caplog.records if r.name == "fastjwt.jwks"]
    assert len(messages) == 2  # one warning per failed refresh, none for lookups during the backoff
    assert all("failed" in m and "500" in m and "serving the keys" in m for m in messages)


def test_stale_period_is_bounded(jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, lifespan=60, cooldown_duration=0, stale_if_error=20)
    client.get_signing_key("a")
    jwks_server.status = 500
    jwks_clock.advance(61)
    assert client.get_signing_key("a").key_id == "a"  # within the stale period
    jwks_clock.advance(18)
    assert client.get_signing_key("a").key_id == "a"  # 79 s: still within it
    jwks_clock.advance(2)
    with pytest.raises(PyJWKClientConnectionError, match="500"):
        client.get_signing_key("a")


def test_stale_if_error_zero_fails_at_expiry(jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, lifespan=60, stale_if_error=0)
    client.get_signing_key("a")
    jwks_server.status = 500
    jwks_clock.advance(61)
    with pytest.raises(PyJWKClientConnectionError):
        client.get_signing_key("a")


def test_recovery_after_errors_fetches_fresh_keys(
    jwks_server: JWKSServer, keys: dict[str, Any], jwks_clock: Clock
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url, lifespan=60, cooldown_duration=0, stale_if_error=600)
    client.get_signing_key("a")
    jwks_server.status = 500
    jwks_clock.advance(61)
    client.get_signing_key("a")  # stale
    jwks_server.status = 200
    jwks_server.set_keys(public_jwk(keys["b"], "b"))
    jwks_clock.advance(0.5)
    assert client.get_signing_key("a").key_id == "a"  # the error backoff is max(cooldown, 1 s): still stale
    assert jwks_server.hits == 2
    jwks_clock.advance(1)
    with pytest.raises(PyJWKClientError, match='matches: "a"'):
        client.get_signing_key("a")
    assert client.get_signing_key("b").key_id == "b"


# -- kid edge cases -------------------------------------------------------------------------------


def test_no_kid_uses_the_only_signing_key(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "enc", use="enc"))
    client = PyJWKClient(jwks_server.url)
    assert client.get_signing_key(None).key_id == "a"
    assert client.get_signing_key_from_jwt(token(keys["a"])).key_id == "a"
    verifier = fastjwt.Verifier(client, algorithms=["ES256"])
    assert verifier.decode(token(keys["a"])) == CLAIMS
    with pytest.raises(fastjwt.InvalidSignatureError):
        verifier.decode(token(keys["b"]))


def test_no_kid_with_several_signing_keys_is_refused(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
    client = PyJWKClient(jwks_server.url)
    with pytest.raises(PyJWKClientError, match="no kid and the JWKS holds 2 signing keys"):
        client.get_signing_key(None)
    assert jwks_server.hits == 1


def test_key_without_kid_is_found_by_thumbprint(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwk_b = public_jwk(keys["b"], None)
    jwks_server.set_keys(public_jwk(keys["a"], "a"), jwk_b)
    thumbprint = fastjwt.PyJWK(jwk_b).thumbprint()
    client = PyJWKClient(jwks_server.url)
    assert client.get_signing_key(thumbprint).thumbprint() == thumbprint
    verifier = fastjwt.Verifier(client, algorithms=["ES256"])
    assert verifier.decode(token(keys["b"], thumbprint)) == CLAIMS
    with pytest.raises(PyJWKClientError):
        client.get_signing_key(fastjwt.PyJWK(public_jwk(keys["a"], None)).thumbprint())  # "a" has a kid


@pytest.mark.parametrize("kid", [1, 1.5, True, ["a"], {"k": "a"}, b"a"])
def test_non_string_kid_is_refused_without_fetching(jwks_server: JWKSServer, keys: dict[str, Any], kid: Any) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    client = PyJWKClient(jwks_server.url)
    with pytest.raises(PyJWKClientError, match="kid must be a string"):
        client.get_signing_key(kid)
    assert jwks_server.hits == 0


@pytest.mark.parametrize("kid", [1, 0, ["a"], {"k": 1}, True])
def test_non_string_kid_in_a_token_is_an_invalid_token(
    jwks_server: JWKSServer, keys: dict[str, Any], kid: Any
) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    bad = raw_token(keys["a"], {"alg": "ES256", "kid": kid})
    client = PyJWKClient(jwks_server.url)
    with pytest.raises(InvalidTokenError):
        client.get_signing_key_from_jwt(bad)
    with pytest.raises(InvalidTokenError):
        fastjwt.Verifier(client, algorithms=["ES256"]).decode(bad)


def test_long_unknown_kid_is_truncated_in_the_message(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"))
    with pytest.raises(PyJWKClientError) as info:
        PyJWKClient(jwks_server.url).get_signing_key("x" * 5000)
    assert len(str(info.value)) < 300


def test_verifier_uses_the_client_as_key_source(jwks_server: JWKSServer, keys: dict[str, Any]) -> None:
    jwks_server.set_keys(public_jwk(keys["a"], "a"), public_jwk(keys["b"], "b"))
    client = PyJWKClient(jwks_server.url)
    verifier = fastjwt.Verifier(client, algorithms=["ES256"], cache=True)
    for _ in range(3):
        assert verifier.decode(token(keys["a"], "a")) == CLAIMS
        assert verifier.decode(token(keys["b"], "b")) == CLAIMS
    with pytest.raises(fastjwt.InvalidSignatureError):
        verifier.decode(token(keys["a"], "b"))
    with pytest.raises(PyJWKClientError):
        verifier.decode(token(keys["c"], "c"))
    assert jwks_server.hits == 1


# -- hostile documents ----------------------------------------------------------------------------


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4),
    max_leaves=12,
)
JWK_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "kty": st.sampled_from(["RSA", "EC", "OKP", "oct", "XYZ", ""]) | JSON_VALUES,
        "kid": st.text(max_size=4) | JSON_VALUES,
        "use": st.sampled_from(["sig", "enc"]) | JSON_VALUES,
        "alg": st.sampled_from(["ES256", "RS256", "EdDSA", "HS256", "none", "FOO"]) | JSON_VALUES,
        "crv": st.sampled_from(["P-256", "Ed25519", "X25519", "P-999"]) | JSON_VALUES,
        "x": st.text(alphabet="AQgw_-", max_size=50) | JSON_VALUES,
        "y": st.text(alphabet="AQgw_-", max_size=50) | JSON_VALUES,
        "n": st.text(alphabet="AQgw_-", max_size=50) | JSON_VALUES,
        "e": st.sampled_from(["AQAB", "", "=="]) | JSON_VALUES,
        "k": st.text(max_size=10) | JSON_VALUES,
    },
)
DOCUMENTS = st.one_of(
    JSON_VALUES,
    st.fixed_dictionaries({"keys": st.lists(JWK_LIKE | JSON_VALUES, max_size=4) | JSON_VALUES}),
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(document=DOCUMENTS, kid=st.none() | st.text(max_size=4) | JSON_VALUES)
def test_any_json_document_fails_only_with_pyjwt_errors(document: Any, kid: Any) -> None:
    body = json.dumps(document).encode()
    client = PyJWKClient("https://idp.example/jwks", fetcher=lambda url, headers, timeout: body)
    try:
        key = client.get_signing_key(kid)
    except PyJWTError:
        return
    assert isinstance(key, fastjwt.PyJWK)
    assert key.public_key_use in ("sig", None)
    assert kid is None or kid == key.key_id or (key.key_id is None and kid == key.thumbprint())


@given(st.text(max_size=60))
def test_cache_control_parsing_never_raises(value: str) -> None:
    age = _max_age({"Cache-Control": value})
    assert age is None or 0 <= age < 10**12
