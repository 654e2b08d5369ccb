"""When a JWKS client fetches: why a refetch is asked for, the pause after failed fetches, and how long
``Cache-Control`` lets a fetched set live."""

from __future__ import annotations

from collections.abc import Callable, Mapping

from ..exceptions import PyJWKClientConnectionError, PyJWKClientError, PyJWKSetError, PyJWTError

#: A monotonic time source in seconds.
Clock = Callable[[], float]

#: ``Cache-Control`` may shorten a set's lifetime, never below this many seconds: an endpoint answering
#: ``no-store`` must not turn every verification into a fetch.
MIN_CACHE_SECONDS = 5.0

# Why a caller wants the set refetched; it decides what may be answered without a fetch.
_EXPIRED = "expired"  # no fresh set is cached
_UNKNOWN_KID = "unknown kid"  # the current set lacks the token's kid
_ON_REQUEST = "on request"  # get_jwk_set(refresh=True)


def max_age(headers: Mapping[str, str]) -> float | None:
    """Seconds the response may be cached according to ``Cache-Control``, or ``None`` if it does not say.

    ``no-cache`` and ``no-store`` mean 0. Ages are read as at most 12 digits, so a gigantic value costs
    nothing to parse.
    """
    directives = next((value for name, value in headers.items() if name.lower() == "cache-control"), None)
    if not directives:
        return None
    found: float | None = None
    for directive in directives.split(","):
        name, _, argument = directive.partition("=")
        name = name.strip().lower()
        if name in ("no-cache", "no-store"):
            return 0.0
        if name == "max-age":
            digits = argument.strip().strip('"')
            if digits.isdigit():
                found = float(int(digits[:12]))
    return found


def _public_class(error: BaseException) -> type[PyJWTError]:
    """The exception class a lookup raises while fetches are paused after ``error``."""
    for public in (PyJWKClientConnectionError, PyJWKSetError, PyJWKClientError):
        if isinstance(error, public):
            return public
    return PyJWKClientConnectionError


class _FetchBackoff:
    """Consecutive failed fetches, and when the next fetch is allowed."""

    __slots__ = ("failures", "pause", "resume_at", "last_error")

    def __init__(self) -> None:
        self.failures = 0
        self.pause = 0.0
        self.resume_at = 0.0
        self.last_error: BaseException | None = None

    def failed(self, error: BaseException, now: float, base: float, ceiling: float) -> None:
        self.failures += 1
        doubled = max(float(base), 0.0) * 2.0 ** min(self.failures - 1, 64)
        self.pause = min(doubled, max(float(ceiling), 0.0))
        self.resume_at = now + self.pause
        self.last_error = error

    def succeeded(self) -> None:
        self.failures = 0
        self.last_error = None

    def holds(self, now: float) -> bool:
        """Whether fetching is paused at ``now``."""
        return self.failures > 0 and now < self.resume_at

    def paused_error(self, now: float) -> PyJWTError:
        error = self.last_error
        fetches = "fetch" if self.failures == 1 else "fetches"
        note = (
            f"JWKS fetches paused for {self.pause:g} s after {self.failures} failed {fetches}; "
            f"next attempt in {max(self.resume_at - now, 0.0):.1f} s"
        )
        if error is None:
            return PyJWKClientConnectionError(note)
        return _public_class(error)(f"{error} ({note})")
