"""The test helper ``raises_exactly`` itself: it must fail on a subclass, where ``pytest.raises`` passes."""

from __future__ import annotations

import pytest
from strict_raises import raises_exactly

from fastjwt.exceptions import DecodeError, InvalidSignatureError


def test_the_exact_class_passes_and_gives_the_exception_info() -> None:
    with raises_exactly(DecodeError, match="bad padding") as info:
        raise DecodeError("bad padding")
    assert info.type is DecodeError


def test_a_subclass_fails() -> None:
    expected = pytest.raises(AssertionError, match="expected exactly DecodeError, got InvalidSignatureError")
    with expected, raises_exactly(DecodeError):
        raise InvalidSignatureError("Signature verification failed")


def test_another_message_fails() -> None:
    expected = pytest.raises(AssertionError, match="Regex pattern did not match")
    with expected, raises_exactly(DecodeError, match="Invalid header padding"):
        raise DecodeError("Invalid payload padding")


def test_no_exception_fails() -> None:
    with pytest.raises(pytest.fail.Exception, match="DID NOT RAISE"), raises_exactly(DecodeError):
        pass
