"""The JOSE header ``api_jws.encode`` signs under, against PyJWT 2.15.1: byte-identical tokens for every combination of
extra members, ``typ``/``alg`` overrides, detached payloads (RFC 7797 ``b64``/``crit``), the algorithm argument and
member order, or the same exception class."""

from __future__ import annotations

from typing import Any

import jwt as pyjwt
import keyfiles
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from fastjwt import api_jws
from fastjwt.api_jws import protected_header
from fastjwt.exceptions import InvalidTokenError

SECRET = keyfiles.hmac_secret()
UNSET = object()

_MEMBER_VALUES = st.one_of(
    st.none(),
    st.sampled_from(["", "JWT", "at+jwt", "HS256", "HS384", "k1"]),
    st.booleans(),
    st.lists(st.sampled_from(["b64", "exp", "x"]), max_size=2),
    st.integers(-1, 2),
)
_HEADERS = st.one_of(
    st.none(), st.dictionaries(st.sampled_from(["typ", "alg", "kid", "b64", "crit", "cty", "zz", "aa"]), _MEMBER_VALUES)
)


def _outcome(module: Any, kwargs: dict[str, Any]) -> str:
    try:
        return str(module.encode(b'{"sub":"1"}', SECRET, **kwargs))
    except Exception as error:  # the class is compared, whatever it is
        return type(error).__name__


@settings(max_examples=500, deadline=None)
@given(
    headers=_HEADERS,
    algorithm=st.sampled_from([UNSET, None, "HS256", "HS512"]),
    detached=st.booleans(),
    sort_headers=st.booleans(),
)
def test_tokens_match_pyjwt_for_every_header_combination(
    headers: dict[str, Any] | None, algorithm: object, detached: bool, sort_headers: bool
) -> None:
    kwargs: dict[str, Any] = {"headers": headers, "is_payload_detached": detached, "sort_headers": sort_headers}
    if algorithm is not UNSET:
        kwargs["algorithm"] = algorithm
    ours, theirs = _outcome(api_jws, kwargs), _outcome(pyjwt.api_jws, kwargs)
    if theirs == "TypeError" and headers and isinstance(headers.get("alg"), list):
        # An unhashable alg is an unknown algorithm here; PyJWT lets the dict lookup's TypeError escape.
        theirs = "NotImplementedError"
    assert ours == theirs


def test_protected_header_order_and_detached_members() -> None:
    assert list(protected_header("JWT", "HS256", {"kid": "a", "typ": "at+jwt"}, False)) == ["typ", "alg", "kid"]
    assert protected_header(None, "HS256", {"b64": True}, False) == {"alg": "HS256"}
    detached = protected_header("JWT", "HS256", {"crit": ["exp"]}, True)
    assert detached == {"typ": "JWT", "alg": "HS256", "crit": ["exp", "b64"], "b64": False}
    assert list(protected_header("JWT", "ES256", None, True)) == ["typ", "alg", "b64", "crit"]
    with pytest.raises(InvalidTokenError, match="must be a list"):
        protected_header("JWT", "HS256", {"crit": "b64"}, True)
