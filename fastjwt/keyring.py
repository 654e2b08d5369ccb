"""The issuer's side of key rotation: :class:`KeyRing`.

A key ring holds the issuer's signing keys, each in one of three states:

* ``staged``: published in the JWKS, not yet signing (verifiers learn it ahead of the switch);
* ``active``: published and signing (exactly one key, once one has been activated);
* ``retired``: no longer signing, still published for ``retired_grace`` seconds so tokens it
  signed keep verifying until they expire; then dropped from the JWKS (and by :meth:`prune`).

A rotation that never rejects a valid token (see docs/key-rotation.md)::

    ring.add(new_key, "ES256")            # 1. stage: publish the next key
    # 2. wait at least the verifiers' JWKS cache lifetime
    ring.activate(new_kid)                # 3. switch: new tokens carry the new kid
    # 4. the old key stays published for retired_grace >= the longest token lifetime + leeway

:meth:`KeyRing.jwks` exports public members only (never ``d``, ``p``, ``q``, ``dp``, ``dq``,
``qi``, ``oth`` or ``k``): each published JWK is rebuilt from a per-``kty`` allow-list. HMAC
secrets may live in a ring (a :class:`~fastjwt.Signer` stamps their ``kid``) but are never
published, and their default ``kid`` is random rather than the RFC 7638 thumbprint, because a
thumbprint of a secret is a hash of the secret that every token would carry.
"""

from __future__ import annotations

import json
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from ._text import printable
from .algorithms import HMACAlgorithm, get_default_algorithms
from .api_jwk import PyJWK, jwk_thumbprint
from .exceptions import InvalidKeyError
from .signer import Signer

__all__ = ["KeyRing", "RingKey", "KeyState"]

#: The state of a key in a :class:`KeyRing`.
KeyState = Literal["staged", "active", "retired"]

# The public members of each key type (RFC 7518 section 6, RFC 8037 section 2).
_PUBLIC_MEMBERS: dict[str, tuple[str, ...]] = {
    "RSA": ("kty", "n", "e"),
    "EC": ("kty", "crv", "x", "y"),
    "OKP": ("kty", "crv", "x"),
}


def _quoted(value: object) -> str:
    """``repr(value)`` cut for a message (a kid may be long)."""
    return printable(repr(value))


def _grace_seconds(value: object, name: str) -> float:
    """``value`` as a finite number of seconds >= 0 (NaN would unpublish at once, infinity publish forever)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise TypeError(f"{name} must be a number of seconds, not {type(value).__name__}")
    try:
        seconds = float(value)
    except OverflowError:  # an int too large for a float
        seconds = math.inf
    if not (math.isfinite(seconds) and seconds >= 0):
        raise ValueError(f"{name} must be a finite number of seconds >= 0")
    return seconds


@dataclass
class RingKey:
    """One key of a :class:`KeyRing` (read-only view; change states through the ring).

    :ivar kid: the key ID stamped in tokens and published in the JWKS.
    :ivar algorithm: the JWS ``alg`` the key signs with.
    :ivar state: ``"staged"``, ``"active"`` or ``"retired"``.
    :ivar public_jwk: the published JWK (``None`` for an HMAC secret, which is never published).
    :ivar added_at: when the key was added (ring clock, seconds).
    :ivar retired_at: when it was retired, or ``None``.
    :ivar publish_until: when a retired key leaves the JWKS, or ``None``.
    """

    kid: str
    algorithm: str
    state: KeyState
    public_jwk: dict[str, Any] | None
    added_at: float
    retired_at: float | None = None
    publish_until: float | None = None
    _signing_key: Any = None

    def __repr__(self) -> str:  # never show key material
        return f"RingKey(kid={self.kid!r}, algorithm={self.algorithm!r}, state={self.state!r})"


class KeyRing:
    """The issuer's signing keys with their rotation states, and the JWKS that publishes them.

    Thread-safe: state changes take a lock; :meth:`encode` and :meth:`jwks` read a consistent
    snapshot.

    :param retired_grace: seconds a retired key stays published (default one day). Make it at
        least the longest token lifetime plus the verifiers' leeway.
    :param clock: the time source in seconds (``time.time`` by default; tests pass a fake).
    :raises ValueError: if ``retired_grace`` is negative, NaN or infinite.
    :raises TypeError: if ``retired_grace`` is not a number.
    """

    def __init__(self, *, retired_grace: float = 86400.0, clock: Callable[[], float] = time.time) -> None:
        self._retired_grace = _grace_seconds(retired_grace, "retired_grace")
        self._clock = clock
        self._keys: dict[str, RingKey] = {}
        self._lock = threading.Lock()
        self._active: RingKey | None = None
        self._signer: tuple[str, Signer] | None = None

    @property
    def retired_grace(self) -> float:
        """Seconds a retired key stays published unless :meth:`retire` says otherwise.

        :raises ValueError: on assigning a negative, NaN or infinite value.
        :raises TypeError: on assigning something that is not a number.
        """
        return self._retired_grace

    @retired_grace.setter
    def retired_grace(self, value: float) -> None:
        self._retired_grace = _grace_seconds(value, "retired_grace")

    # -- adding and changing keys ---------------------------------------------------------------

    def add(self, key: Any, algorithm: str, *, kid: str | None = None, activate: bool = False) -> str:
        """Add a private signing key (staged, or active with ``activate=True``); return its kid.

        :param key: a ``cryptography`` private key, a private key PEM (str/bytes), a private
            JWK (dict or :class:`~fastjwt.PyJWK`), or an HMAC secret.
        :param algorithm: the JWS algorithm it signs with, e.g. ``"ES256"``.
        :param kid: the key ID; by default the RFC 7638 thumbprint of the public key (random for
            HMAC secrets).
        :param activate: make it the active signing key right away (retiring the current one).
        :raises InvalidKeyError: if the key is not a private key usable with ``algorithm``.
        :raises NotImplementedError: if ``algorithm`` is unknown.
        :raises ValueError: if ``kid`` is already in the ring or is not a non-empty string.
        """
        try:
            alg_obj = get_default_algorithms()[algorithm]
        except KeyError:
            raise NotImplementedError(f"Algorithm not supported: {_quoted(algorithm)}") from None
        if algorithm == "none":
            raise InvalidKeyError('A key ring cannot hold keys for the "none" algorithm')
        if isinstance(key, PyJWK):
            key = key.key
        elif isinstance(key, dict):
            key = alg_obj.from_jwk(key)
        signing_key = alg_obj.prepare_key(key)
        public_jwk: dict[str, Any] | None = None
        if isinstance(alg_obj, HMACAlgorithm):
            default_kid = secrets.token_urlsafe(12)
        else:
            public_key = getattr(signing_key, "public_key", None)
            if public_key is None or not hasattr(signing_key, "sign"):
                raise InvalidKeyError("A key ring signs tokens: add a private key, not a public one")
            exported = alg_obj.to_jwk(public_key(), as_dict=True)
            members = _PUBLIC_MEMBERS.get(exported.get("kty", ""))
            if members is None:
                raise InvalidKeyError(f"Cannot publish a key of type {_quoted(exported.get('kty'))}")
            public_jwk = {name: exported[name] for name in members}
            default_kid = jwk_thumbprint(public_jwk)
        if kid is None:
            kid = default_kid
        if not isinstance(kid, str) or not kid:
            raise ValueError("kid must be a non-empty string")
        if public_jwk is not None:
            public_jwk.update({"kid": kid, "alg": algorithm, "use": "sig"})
        # Sign once now: a key that fits the algorithm's prepare_key but not its curve/size fails here.
        Signer(signing_key, algorithm, headers={"kid": kid}).encode({})
        entry = RingKey(kid, algorithm, "staged", public_jwk, self._clock(), _signing_key=signing_key)
        with self._lock:
            if kid in self._keys:
                raise ValueError(f"kid {_quoted(kid)} is already in the key ring")
            self._keys[kid] = entry
        if activate:
            self.activate(kid)
        return kid

    def activate(self, kid: str) -> None:
        """Make ``kid`` the signing key; the previously active key is retired.

        :raises KeyError: if ``kid`` is not in the ring (a pruned key cannot come back).
        """
        with self._lock:
            entry = self._get(kid)
            previous = self._active
            if previous is entry:
                return
            if previous is not None:
                self._retire(previous, None)
            entry.state = "active"
            entry.retired_at = entry.publish_until = None
            self._active = entry
            self._signer = None

    def retire(self, kid: str, *, grace: float | None = None) -> None:
        """Stop using a staged key (or re-time a retired one); it stays published for ``grace``.

        :param grace: seconds it stays in the JWKS; the ring's ``retired_grace`` by default.
        :raises KeyError: if ``kid`` is not in the ring.
        :raises ValueError: if ``kid`` is the active key (activate another key first), or ``grace`` is negative,
            NaN or infinite.
        :raises TypeError: if ``grace`` is not a number.
        """
        seconds = None if grace is None else _grace_seconds(grace, "grace")
        with self._lock:
            entry = self._get(kid)
            if entry is self._active:
                raise ValueError("Cannot retire the active key: activate its successor first")
            self._retire(entry, seconds)

    def remove(self, kid: str) -> None:
        """Drop a key now (it disappears from the JWKS at once). Refuses the active key.

        :raises KeyError: if ``kid`` is not in the ring.
        :raises ValueError: if ``kid`` is the active key.
        """
        with self._lock:
            entry = self._get(kid)
            if entry is self._active:
                raise ValueError("Cannot remove the active key: activate its successor first")
            del self._keys[kid]

    def prune(self) -> list[str]:
        """Drop retired keys whose grace period is over; return their kids."""
        now = self._clock()
        with self._lock:
            gone = [k.kid for k in self._keys.values() if k.state == "retired" and not self._published(k, now)]
            for kid in gone:
                del self._keys[kid]
        return gone

    def _retire(self, entry: RingKey, grace: float | None) -> None:
        now = self._clock()
        entry.state = "retired"
        entry.retired_at = now
        entry.publish_until = now + (self.retired_grace if grace is None else grace)

    def _get(self, kid: str) -> RingKey:
        try:
            return self._keys[kid]
        except (KeyError, TypeError):
            raise KeyError(f"No key with kid {_quoted(kid)} in the key ring") from None

    @staticmethod
    def _published(entry: RingKey, now: float) -> bool:
        if entry.state != "retired":
            return True
        return entry.publish_until is not None and now < entry.publish_until

    # -- reading --------------------------------------------------------------------------------

    @property
    def active_kid(self) -> str | None:
        """The kid of the active signing key, or ``None`` before any activation."""
        active = self._active
        return active.kid if active is not None else None

    def keys(self) -> list[RingKey]:
        """All keys in the ring (including retired ones not yet pruned), oldest first."""
        with self._lock:
            return list(self._keys.values())

    def __getitem__(self, kid: str) -> RingKey:
        """The ring's entry for ``kid``.

        :raises KeyError: if there is none.
        """
        return self._get(kid)

    def __contains__(self, kid: object) -> bool:
        """Whether ``kid`` is in the ring."""
        return kid in self._keys

    def __len__(self) -> int:
        """How many keys the ring holds."""
        return len(self._keys)

    # -- signing --------------------------------------------------------------------------------

    def signer(
        self,
        *,
        headers: dict[str, Any] | None = None,
        json_encoder: type[json.JSONEncoder] | None = None,
        sort_headers: bool = True,
    ) -> Signer:
        """A :class:`~fastjwt.Signer` for the active key that stamps its ``kid`` in every token.

        The Signer keeps that key after a later :meth:`activate`; use :meth:`encode` (or ask
        for a new Signer after each switch) to always sign with the current key.

        :param headers: extra header members (a ``kid`` here is replaced by the active kid).
        :raises LookupError: if no key is active.
        """
        active = self._active
        if active is None:
            raise LookupError("The key ring has no active key: add(..., activate=True) or activate(kid)")
        merged = {**(headers or {}), "kid": active.kid}
        return Signer(
            active._signing_key,
            active.algorithm,
            headers=merged,
            json_encoder=json_encoder,
            sort_headers=sort_headers,
        )

    def encode(self, payload: dict[str, Any]) -> str:
        """Sign ``payload`` with the active key, its ``kid`` in the header.

        :raises LookupError: if no key is active.
        """
        cached = self._signer
        active = self._active
        if cached is None or active is None or cached[0] != active.kid:
            cached = (active.kid if active is not None else "", self.signer())
            self._signer = cached
        return cached[1].encode(payload)

    # -- publishing -----------------------------------------------------------------------------

    def jwks(self) -> dict[str, Any]:
        """The public JWKS document: active, staged and retired-within-grace keys.

        Each key has ``kty``, its public members, ``kid``, ``alg`` and ``use: "sig"``; the
        active key comes first. HMAC secrets are never included.
        """
        now = self._clock()
        order = {"active": 0, "staged": 1, "retired": 2}
        with self._lock:
            entries = sorted(
                (k for k in self._keys.values() if k.public_jwk is not None and self._published(k, now)),
                key=lambda k: order[k.state],
            )
            return {"keys": [dict(k.public_jwk) for k in entries]}  # type: ignore[arg-type]

    def jwks_json(self, *, indent: int | None = None) -> str:
        """:meth:`jwks` as JSON text, ready to serve as ``application/json``."""
        return json.dumps(self.jwks(), indent=indent, separators=None if indent else (",", ":"))
