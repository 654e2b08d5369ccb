"""``raises_exactly``: :func:`pytest.raises` for one exception class, its subclasses refused.

``pytest.raises(DecodeError)`` also passes on ``InvalidSignatureError`` (a subclass), so a test that feeds a
tampered, unsigned input to one check stays green when that check is gone and the signature check refuses the input
instead. Tests that target one check use this instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeVar

import pytest

E = TypeVar("E", bound=BaseException)


@contextmanager
def raises_exactly(expected: type[E], match: str | None = None) -> Iterator[pytest.ExceptionInfo[E]]:
    """Expect an exception of exactly class ``expected`` (not a subclass) whose message matches ``match``.

    :param expected: the exception class the block must raise.
    :param match: a regular expression searched in ``str(exception)``, as in :func:`pytest.raises`.
    """
    with pytest.raises(expected, match=match) as info:
        yield info
    assert info.type is expected, f"expected exactly {expected.__name__}, got {info.type.__name__}: {info.value}"
