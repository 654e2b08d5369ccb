"""Non-canonical Base64url, segment structure, invalid UTF-8, BOMs and hostile JSON."""

from __future__ import annotations

import pytest
from strict_raises import raises_exactly

import fastjwt as jwt
from fastjwt.exceptions import DecodeError, InvalidSignatureError
from security._forge import SECRET, b64, hs_raw, hs_token, seg

GOOD = hs_token({"alg": "HS256", "typ": "JWT"}, {"sub": "u"}, SECRET)


def _decode(tok: str | bytes) -> object:
    return jwt.decode(tok, SECRET, algorithms=["HS256"])


def test_good_token_decodes() -> None:
    assert _decode(GOOD) == {"sub": "u"}


@pytest.mark.parametrize("suffix", ["==", "===", "%3D", " ", "\n", "\t", "\x00"])
def test_signature_suffix_malleability_refused(suffix: str) -> None:
    with raises_exactly(DecodeError, match="Invalid crypto padding"):
        _decode(GOOD + suffix)
    with raises_exactly(DecodeError, match="Invalid crypto padding"):
        jwt.Verifier(SECRET, ["HS256"]).decode(GOOD + suffix)


def test_exact_padding_follows_pyjwt_on_the_drop_in_path_and_is_refused_by_a_verifier() -> None:
    # PyJWT 2.15 accepts a signature with exactly the padding its length calls for (AWS ALB tokens), so the drop-in
    # path does too; a Verifier, whose cache is keyed on the token string, refuses the second spelling by default.
    padded = GOOD + "=" * (-len(GOOD.rsplit(".", 1)[1]) % 4)
    assert padded != GOOD
    assert _decode(padded) == _decode(GOOD)
    with raises_exactly(DecodeError, match="Invalid crypto padding"):
        jwt.Verifier(SECRET, ["HS256"]).decode(padded)
    assert jwt.Verifier(SECRET, ["HS256"], allow_b64_padding=True).decode(padded) == {"sub": "u"}


def test_padding_in_header_segment_follows_the_same_rule() -> None:
    h = next(seg({"alg": "HS256", "x": "y" * i}) for i in range(4) if len(seg({"alg": "HS256", "x": "y" * i})) % 4)
    p = seg({"a": 1})
    padded = h + "=" * (-len(h) % 4)
    token = hs_raw(padded, p, SECRET)
    assert _decode(token) == {"a": 1}
    with raises_exactly(DecodeError, match="Invalid header padding"):
        jwt.Verifier(SECRET, ["HS256"]).decode(token)
    with raises_exactly(DecodeError, match="Invalid header padding"):
        _decode(hs_raw(padded + "=", p, SECRET))


def test_standard_alphabet_in_signature_refused() -> None:
    # Make sure the signature actually changes: force a '+' or '/' by picking a token whose signature has one.
    for i in range(200):
        tok = hs_token({"alg": "HS256"}, {"i": i}, SECRET)
        s = tok.rsplit(".", 1)[1]
        if "-" in s or "_" in s:
            std = s.replace("-", "+").replace("_", "/")
            with raises_exactly(DecodeError, match="Invalid crypto padding"):
                _decode(tok.rsplit(".", 1)[0] + "." + std)
            return
    pytest.fail("no signature with - or _ found")


def test_nonzero_trailing_bits_in_signature_refused() -> None:
    h, p, s = GOOD.split(".")
    # 32-byte HMAC -> 43 chars, last char carries 4 data bits + 2 unused; flip an unused bit.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    last = alphabet.index(s[-1])
    assert last & 0b11 == 0
    forged = s[:-1] + alphabet[last | 1]
    with raises_exactly(DecodeError, match="Invalid crypto padding"):
        _decode(f"{h}.{p}.{forged}")


def test_nonzero_trailing_bits_in_payload_refused() -> None:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    for i in range(50):
        p = seg({"sub": "u" * i})
        if len(p) % 4:
            last = alphabet.index(p[-1])
            forged = p[:-1] + alphabet[last | 1]
            with raises_exactly(DecodeError, match="Invalid payload padding"):
                _decode(hs_raw(seg({"alg": "HS256"}), forged, SECRET))
            return
    pytest.fail("no segment with unused bits")


@pytest.mark.parametrize(("where", "message"), [(0, "Invalid header padding"), (1, "Invalid payload padding")])
def test_whitespace_inside_segment_refused(where: int, message: str) -> None:
    parts = GOOD.split(".")
    parts[where] = parts[where][:5] + " " + parts[where][5:]
    with raises_exactly(DecodeError, match=message):
        _decode(".".join(parts))


# Like PyJWT, the token is cut at the last "." and the rest at the first, so extra dots land in the payload (or an
# empty header) and are refused by the segment's own check.
@pytest.mark.parametrize(
    ("tok", "message"),
    [
        ("", "Not enough segments"),
        (".", "Not enough segments"),
        ("..", "Invalid header string: invalid JSON at byte 0"),
        ("...", "Invalid header string: invalid JSON at byte 0"),
        ("a", "Not enough segments"),
        ("a.b", "Not enough segments"),
        ("a.b.c.d", "Invalid header padding"),
        ("a.b.c.d.e", "Invalid header padding"),
        (GOOD + ".", "Invalid payload padding"),
        ("." + GOOD, "Invalid header string: invalid JSON at byte 0"),
        (GOOD.replace(".", "..", 1), "Invalid payload padding"),
    ],
)
def test_wrong_number_of_segments_or_empty_refused(tok: str, message: str) -> None:
    with raises_exactly(DecodeError, match=message):
        _decode(tok)


def test_empty_header_segment_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid header string: invalid JSON at byte 0"):
        _decode(hs_raw("", seg({"a": 1}), SECRET))


def test_empty_payload_segment_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid payload string: invalid JSON at byte 0"):
        _decode(hs_raw(seg({"alg": "HS256"}), "", SECRET))


def test_empty_signature_refused() -> None:
    with pytest.raises(InvalidSignatureError):
        _decode(GOOD.rsplit(".", 1)[0] + ".")


@pytest.mark.parametrize("raw", [b"\xff\xfe", b'{"alg":"HS256","x":"\xc3\x28"}', b'{"alg":"HS256","x":"\xed\xa0\x80"}'])
def test_invalid_utf8_header_refused(raw: bytes) -> None:
    with raises_exactly(DecodeError, match="Invalid header string: invalid UTF-8"):
        _decode(hs_raw(b64(raw), seg({"a": 1}), SECRET))


def test_invalid_utf8_payload_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid payload string: invalid UTF-8"):
        _decode(hs_raw(seg({"alg": "HS256"}), b64(b'{"a":"\xc3\x28"}'), SECRET))


def test_bom_before_header_json_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid header string: invalid UTF-8"):
        _decode(hs_raw(b64(b'\xef\xbb\xbf{"alg":"HS256"}'), seg({"a": 1}), SECRET))


def test_bom_before_payload_json_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid payload string: invalid UTF-8"):
        _decode(hs_raw(seg({"alg": "HS256"}), b64(b'\xef\xbb\xbf{"a":1}'), SECRET))


def test_bom_before_token_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid token: non-ASCII characters"):
        _decode("\ufeff" + GOOD)


def test_non_ascii_token_str_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid token: non-ASCII characters"):
        _decode(GOOD[:-1] + "\u00e9")


def test_duplicate_header_member_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid header string: duplicate member name"):
        _decode(hs_raw(b64(b'{"alg":"HS256","alg":"none"}'), seg({"a": 1}), SECRET))


def test_duplicate_payload_member_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid payload string: duplicate member name"):
        _decode(hs_raw(seg({"alg": "HS256"}), b64(b'{"sub":"a","sub":"admin"}'), SECRET))


@pytest.mark.parametrize("header", [b"[]", b'"HS256"', b"1", b"null", b"true"])
def test_non_object_header_refused(header: bytes) -> None:
    with raises_exactly(DecodeError, match="Invalid header string: must be a json object"):
        _decode(hs_raw(b64(header), seg({"a": 1}), SECRET))


@pytest.mark.parametrize("payload", [b"[]", b'"x"', b"1", b"null", b"true", b"[1,2]"])
def test_non_object_payload_refused(payload: bytes) -> None:
    with raises_exactly(DecodeError, match="Invalid payload string: must be a json object"):
        _decode(hs_raw(seg({"alg": "HS256"}), b64(payload), SECRET))


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (b"NaN", "non-finite number"),
        (b"Infinity", "non-finite number"),
        (b"-Infinity", "non-finite number"),
        (b"nan", "invalid JSON at byte 6"),  # not a JSON literal at all
        (b"1e999", "non-finite number"),
    ],
)
def test_non_finite_number_in_payload_refused(value: bytes, message: str) -> None:
    with raises_exactly(DecodeError, match=f"Invalid payload string: {message}"):
        _decode(hs_raw(seg({"alg": "HS256"}), b64(b'{"x":' + value + b"}"), SECRET))


def test_huge_integer_in_payload_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid payload string: number too large"):
        _decode(hs_raw(seg({"alg": "HS256"}), b64(b'{"x":' + b"9" * 5000 + b"}"), SECRET))


def test_deep_nesting_in_payload_refused() -> None:
    deep = b'{"x":' + b"[" * 1000 + b"]" * 1000 + b"}"
    with raises_exactly(DecodeError, match="Invalid payload string: nesting too deep"):
        _decode(hs_raw(seg({"alg": "HS256"}), b64(deep), SECRET))


def test_deep_nesting_in_header_refused() -> None:
    deep = b'{"alg":"HS256","x":' + b"{" + b'"a":{' * 200 + b"}" * 201 + b"}"
    with raises_exactly(DecodeError, match="Invalid header string: nesting too deep"):
        _decode(hs_raw(b64(deep), seg({"a": 1}), SECRET))


def test_trailing_garbage_after_json_refused() -> None:
    with raises_exactly(DecodeError, match="Invalid payload string: invalid JSON at byte 8"):
        _decode(hs_raw(seg({"alg": "HS256"}), b64(b'{"a":1} x'), SECRET))


def test_token_over_one_mebibyte_refused() -> None:
    tok = hs_token({"alg": "HS256"}, {"x": "a" * (1 << 20)}, SECRET)
    with raises_exactly(DecodeError, match="Token is too long"):
        _decode(tok)


def test_header_over_limit_refused() -> None:
    tok = hs_token({"alg": "HS256", "x": "a" * (20 << 10)}, {"a": 1}, SECRET)
    with raises_exactly(DecodeError, match="Invalid header string: header is too long"):
        _decode(tok)


def test_get_unverified_header_refuses_garbage() -> None:
    with raises_exactly(DecodeError, match="Not enough segments"):
        jwt.get_unverified_header("not-a-token")


WRONG_TYPE = r"Invalid token type\. Token must be a <class 'bytes'>"


@pytest.mark.parametrize(
    ("tok", "message"),
    [
        (None, WRONG_TYPE),
        (1, WRONG_TYPE),
        (1.5, WRONG_TYPE),
        ([GOOD], WRONG_TYPE),
        ({"t": GOOD}, WRONG_TYPE),
        (bytearray(GOOD.encode()), WRONG_TYPE),
        (memoryview(GOOD.encode()), WRONG_TYPE),
        (GOOD.encode("utf-16"), "Invalid header padding"),  # bytes, but the BOM and NULs are not Base64url
    ],
    ids=["None", "int", "float", "list", "dict", "bytearray", "memoryview", "utf16"],
)
def test_token_of_wrong_type_refused(tok: object, message: str) -> None:
    with raises_exactly(DecodeError, match=message):
        _decode(tok)  # type: ignore[arg-type]
    with raises_exactly(DecodeError, match=message):
        jwt.Verifier(SECRET, ["HS256"], cache=True).decode(tok)  # type: ignore[arg-type]


@pytest.mark.parametrize("suffix", ["\x00", "\x00" * 8])
def test_nul_bytes_in_token_refused(suffix: str) -> None:
    with raises_exactly(DecodeError, match="Invalid crypto padding"):
        _decode(GOOD + suffix)
    with raises_exactly(DecodeError, match="Invalid header padding"):
        _decode(GOOD.replace(".", "\x00.", 1))
