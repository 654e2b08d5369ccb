"""One clock for both cores, moved by the tools test suites use: freezegun, time-machine and a patched
``fastjwt.api_jwt.datetime``, exactly as they move PyJWT's (issue 11, point 10). An explicit ``now=`` wins.

Every case is checked against PyJWT itself under the same patch.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any
from unittest import mock

import freezegun
import jwt as pyjwt
import pytest
import time_machine

import fastjwt

SECRET = "c" * 32
Y2020 = calendar.timegm((2020, 1, 1, 0, 0, 0))
Y2100 = calendar.timegm((2100, 1, 1, 0, 0, 0))


@contextmanager
def patched_api_jwt_datetime(when: str) -> Iterator[None]:
    """What PyJWT-based suites do: replace ``api_jwt.datetime`` with a mock whose ``now()`` is fixed."""
    moment = datetime.datetime.fromisoformat(when).replace(tzinfo=datetime.timezone.utc)
    with mock.patch("fastjwt.api_jwt.datetime") as fast, mock.patch("jwt.api_jwt.datetime") as slow:
        fast.now.return_value = moment
        slow.now.return_value = moment
        yield


PATCHES: dict[str, Callable[[str], AbstractContextManager[Any]]] = {
    "freezegun": freezegun.freeze_time,
    "time-machine": lambda when: time_machine.travel(when, tick=False),
    "mock-api_jwt.datetime": patched_api_jwt_datetime,
}


def outcome(decode: Callable[[], Any]) -> Any:
    try:
        return decode()
    except pyjwt.PyJWTError as exc:
        return type(exc).__name__, str(exc)
    except fastjwt.PyJWTError as exc:
        return type(exc).__name__, str(exc)


# (claims, the moment the clock is moved to, the outcome fastjwt and PyJWT must both give)
CASES = [
    ({"exp": Y2020 + 60}, "2020-01-01T00:00:00", {"exp": Y2020 + 60}),  # valid then, long expired now
    ({"exp": Y2020 + 60}, "2020-01-01T00:02:00", ("ExpiredSignatureError", "Signature has expired")),
    ({"nbf": Y2100}, "2100-01-01T00:00:01", {"nbf": Y2100}),  # not valid before 2100
    ({"nbf": Y2100}, "2099-12-31T23:59:00", ("ImmatureSignatureError", "The token is not yet valid (nbf)")),
    ({"iat": Y2020}, "2019-12-31T23:00:00", ("ImmatureSignatureError", "The token is not yet valid (iat)")),
]


@pytest.mark.parametrize("patch", sorted(PATCHES))
@pytest.mark.parametrize(("claims", "when", "expected"), CASES)
def test_drop_in_decode_follows_the_patched_clock_like_pyjwt(
    patch: str, claims: dict[str, Any], when: str, expected: Any
) -> None:
    tok = fastjwt.encode(claims, SECRET, "HS256")
    with PATCHES[patch](when):
        got_fast = [outcome(lambda: fastjwt.decode(tok, SECRET, algorithms=["HS256"])) for _ in range(2)]
        got_complete = outcome(lambda: fastjwt.decode_complete(tok, SECRET, algorithms=["HS256"])["payload"])
        got_pyjwt = outcome(lambda: pyjwt.decode(tok, SECRET, algorithms=["HS256"]))
    assert got_pyjwt == expected
    assert got_fast == [expected, expected]
    assert got_complete == expected


@pytest.mark.parametrize("patch", sorted(PATCHES))
@pytest.mark.parametrize("cache", [None, True])
@pytest.mark.parametrize(("claims", "when", "expected"), CASES)
def test_verifier_without_now_follows_the_patched_clock(
    patch: str, cache: bool | None, claims: dict[str, Any], when: str, expected: Any
) -> None:
    tok = fastjwt.encode(claims, SECRET, "HS256")
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=cache)
    with PATCHES[patch](when):
        assert [outcome(lambda: verifier.decode(tok)) for _ in range(2)] == [expected, expected]


@pytest.mark.parametrize("patch", sorted(PATCHES))
def test_an_explicit_now_wins_over_any_patch(patch: str) -> None:
    tok = fastjwt.encode({"exp": Y2020 + 60}, SECRET, "HS256")
    verifier = fastjwt.Verifier(SECRET, ["HS256"], now=lambda: float(Y2020))
    with PATCHES[patch]("2100-01-01"):
        assert verifier.decode(tok) == {"exp": Y2020 + 60}


def test_cache_entries_expire_on_the_frozen_clock() -> None:
    tok = fastjwt.encode({"sub": "a", "exp": Y2020 + 60}, SECRET, "HS256")
    verifier = fastjwt.Verifier(SECRET, ["HS256"], cache=True)
    with freezegun.freeze_time("2020-01-01T00:00:00") as frozen:
        assert verifier.decode(tok) == {"sub": "a", "exp": Y2020 + 60}
        assert verifier.cache_len == 1
        frozen.tick(delta=datetime.timedelta(seconds=61))
        with pytest.raises(fastjwt.ExpiredSignatureError):
            verifier.decode(tok)


def test_clock_outside_any_patch_is_the_wall_clock() -> None:
    import time

    before = time.time()
    now = fastjwt._core.wall_clock()
    assert before <= now <= time.time()


def test_api_jwt_exposes_datetime_like_pyjwt() -> None:
    # suites written for PyJWT patch this exact name
    assert fastjwt.api_jwt.datetime is datetime.datetime
    assert fastjwt.api_jwt.timezone is datetime.timezone
