# adapted from PyJWT (MIT)
"""JWS algorithms (RFC 7518, RFC 8037) over ``cryptography``, with PyJWT's classes and names.

Each algorithm object offers ``prepare_key`` (turn user key material into the
object ``sign``/``verify`` use), ``sign``, ``verify``, ``to_jwk``, ``from_jwk``,
``check_key_length`` and ``compute_hash_digest``, exactly as PyJWT 2.15.1's do.
The fastjwt core dispatches on the public attributes (``hash_alg``,
``expected_curve``) and on the classes, so they keep PyJWT's meaning.

Differences from PyJWT
----------------------
Stricter, for security:

* ``HMACAlgorithm.prepare_key`` refuses (``InvalidKeyError``) any asymmetric
  key material used as an HMAC secret, in every form: PEM of any label, found
  anywhere in the key (leading whitespace, comments or control characters before
  it do not hide it; a BEGIN line alone is enough); DER that ``cryptography``
  loads as a public key, private key (also encrypted), certificate or CSR, and
  the bare Base64 body of such DER; OpenSSH public keys (also after leading
  whitespace, ``sk-`` security-key types, or embedded in an ``authorized_keys``
  line); JWK or JWK Set JSON text (a JSON object with ``"kty"`` anywhere in it,
  or ``"keys"`` at the top level, in any JSON encoding), and any text holding a
  ``"kty":`` or ``"keys": [`` member (a JWK with a comment or junk around it).
  PyJWT catches fewer of these forms (CVE-2022-29217, CVE-2026-48526).
* ``HMACAlgorithm.prepare_key`` given a ``cryptography`` key or certificate
  object raises ``InvalidKeyError`` (PyJWT: ``TypeError``).
* ``ECAlgorithm.verify`` accepts only raw ``r || s`` of exactly
  ``2 * ceil(curve bits / 8)`` bytes (as PyJWT), and returns ``False`` rather
  than raising ``TypeError`` for a signature that is not bytes-like.
* ``RSAAlgorithm``/``ECAlgorithm``/``OKPAlgorithm`` ``prepare_key`` raise
  ``InvalidKeyError`` for key text they cannot load (PyJWT lets ``ValueError``,
  ``TypeError`` for encrypted private keys, or ``UnicodeDecodeError`` escape
  for some of these).
* ``RSAAlgorithm``/``ECAlgorithm`` ``prepare_key`` given a ``cryptography``
  key object of another family (or a certificate) raise ``InvalidKeyError``
  (PyJWT: ``TypeError``); other non-text keys still raise ``TypeError``.
* ``HMACAlgorithm.from_jwk`` raises ``InvalidKeyError`` when ``"k"`` is missing
  (PyJWT: ``KeyError``, which also made ``PyJWKSet`` fail on the whole set
  instead of skipping that key).
* JWK Base64url members are decoded strictly (see :mod:`fastjwt.utils`).
* ``cryptography`` is a hard dependency: ``has_crypto`` is always ``True``
  and the module does not import without it (PyJWT offers HMAC alone then).

More permissive:

* ``RSAAlgorithm.verify`` and ``RSAPSSAlgorithm.verify`` accept a private key
  and verify with its public half (PyJWT raises ``AttributeError``), as the
  EC and EdDSA algorithms already do in PyJWT.

Unchanged on purpose: an empty HMAC key raises ``InvalidKeyError("HMAC key must
not be empty.")`` as in PyJWT 2.15.1; short keys are reported by
``check_key_length`` with PyJWT's exact message (HMAC secret shorter than the
hash output, RSA modulus below 2048 bits).
"""

from __future__ import annotations

import binascii
import hashlib
import hmac
import json
import re
from abc import ABC, abstractmethod
from typing import Any, ClassVar, Literal, NoReturn, TypeAlias, Union, cast, get_args, overload

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.backends import default_backend
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.asymmetric.ec import (
    ECDSA,
    SECP256K1,
    SECP256R1,
    SECP384R1,
    SECP521R1,
    EllipticCurve,
    EllipticCurvePrivateKey,
    EllipticCurvePrivateNumbers,
    EllipticCurvePublicKey,
    EllipticCurvePublicNumbers,
)
from cryptography.hazmat.primitives.asymmetric.ed448 import Ed448PrivateKey, Ed448PublicKey
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.asymmetric.rsa import (
    RSAPrivateKey,
    RSAPrivateNumbers,
    RSAPublicKey,
    RSAPublicNumbers,
    rsa_crt_dmp1,
    rsa_crt_dmq1,
    rsa_crt_iqmp,
    rsa_recover_prime_factors,
)
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes, PublicKeyTypes
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_der_private_key,
    load_der_public_key,
    load_pem_private_key,
    load_pem_public_key,
    load_ssh_public_key,
)

from ._text import printable
from .exceptions import InvalidKeyError
from .types import HashlibHash, JWKDict
from .utils import (
    base64url_decode,
    base64url_encode,
    der_to_raw_signature,
    force_bytes,
    from_base64url_uint,
    is_ssh_key,
    raw_to_der_signature,
    to_base64url_uint,
)

__all__ = [
    "AllowedECKeys",
    "AllowedKeys",
    "AllowedOKPKeys",
    "AllowedPrivateKeys",
    "AllowedPublicKeys",
    "AllowedRSAKeys",
    "Algorithm",
    "ECAlgorithm",
    "HMACAlgorithm",
    "NoneAlgorithm",
    "OKPAlgorithm",
    "RSAAlgorithm",
    "RSAPSSAlgorithm",
    "get_default_algorithms",
    "has_crypto",
    "requires_cryptography",
]

# Type aliases for convenience in algorithms method signatures
AllowedRSAKeys: TypeAlias = Union[RSAPrivateKey, RSAPublicKey]
AllowedECKeys: TypeAlias = Union[EllipticCurvePrivateKey, EllipticCurvePublicKey]
AllowedOKPKeys: TypeAlias = Union[Ed25519PrivateKey, Ed25519PublicKey, Ed448PrivateKey, Ed448PublicKey]
AllowedKeys: TypeAlias = Union[AllowedRSAKeys, AllowedECKeys, AllowedOKPKeys]
#: Type alias for allowed ``cryptography`` private keys
AllowedPrivateKeys: TypeAlias = Union[RSAPrivateKey, EllipticCurvePrivateKey, Ed25519PrivateKey, Ed448PrivateKey]
#: Type alias for allowed ``cryptography`` public keys
AllowedPublicKeys: TypeAlias = Union[RSAPublicKey, EllipticCurvePublicKey, Ed25519PublicKey, Ed448PublicKey]

#: ``cryptography`` is a hard dependency of fastjwt; kept for PyJWT compatibility.
has_crypto: bool = True

#: Algorithm names that need ``cryptography`` (PyJWT's set).
requires_cryptography = {
    "RS256",
    "RS384",
    "RS512",
    "ES256",
    "ES256K",
    "ES384",
    "ES521",
    "ES512",
    "PS256",
    "PS384",
    "PS512",
    "EdDSA",
}


def get_default_algorithms() -> dict[str, Algorithm]:
    """
    Returns the algorithms that are implemented by the library.
    """
    return {
        "none": NoneAlgorithm(),
        "HS256": HMACAlgorithm(HMACAlgorithm.SHA256),
        "HS384": HMACAlgorithm(HMACAlgorithm.SHA384),
        "HS512": HMACAlgorithm(HMACAlgorithm.SHA512),
        "RS256": RSAAlgorithm(RSAAlgorithm.SHA256),
        "RS384": RSAAlgorithm(RSAAlgorithm.SHA384),
        "RS512": RSAAlgorithm(RSAAlgorithm.SHA512),
        "ES256": ECAlgorithm(ECAlgorithm.SHA256, SECP256R1),
        "ES256K": ECAlgorithm(ECAlgorithm.SHA256, SECP256K1),
        "ES384": ECAlgorithm(ECAlgorithm.SHA384, SECP384R1),
        "ES521": ECAlgorithm(ECAlgorithm.SHA512, SECP521R1),
        "ES512": ECAlgorithm(ECAlgorithm.SHA512, SECP521R1),  # Backward compat for #219 fix
        "PS256": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA256),
        "PS384": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA384),
        "PS512": RSAPSSAlgorithm(RSAPSSAlgorithm.SHA512),
        "EdDSA": OKPAlgorithm(),
    }


def _load_json_object(jwk: str | JWKDict) -> JWKDict:
    try:
        if isinstance(jwk, str):
            obj = json.loads(jwk)
        elif isinstance(jwk, dict):
            obj = jwk
        else:
            raise ValueError
    except ValueError:
        raise InvalidKeyError("Key is not valid JSON") from None
    if not isinstance(obj, dict):
        raise InvalidKeyError("Key is not valid JSON") from None
    return obj


class Algorithm(ABC):
    """
    The interface for an algorithm used to sign and verify tokens.
    """

    # pyjwt-964: Validate to ensure the key passed in was decoded to the correct cryptography key family
    _crypto_key_types: tuple[type[AllowedKeys], ...] | None = None

    def compute_hash_digest(self, bytestr: bytes) -> bytes:
        """
        Compute a hash digest using the specified algorithm's hash algorithm.

        If there is no hash algorithm, raises a NotImplementedError.
        """
        hash_alg = getattr(self, "hash_alg", None)
        if hash_alg is None:
            raise NotImplementedError

        if isinstance(hash_alg, type) and issubclass(hash_alg, hashes.HashAlgorithm):
            digest = hashes.Hash(hash_alg(), backend=default_backend())
            digest.update(bytestr)
            return bytes(digest.finalize())
        else:
            return bytes(hash_alg(bytestr).digest())

    def check_crypto_key_type(self, key: PublicKeyTypes | PrivateKeyTypes) -> None:
        """Check that the key belongs to the right cryptographic family.

        :raises ValueError: if called by a non-cryptography algorithm
        :raises InvalidKeyError: if the key doesn't match the expected key classes
        """
        if self._crypto_key_types is None:
            raise ValueError(
                "This method requires the cryptography library, "
                "and should only be used by cryptography-based algorithms."
            )

        if not isinstance(key, self._crypto_key_types):
            valid_classes = (cls.__name__ for cls in self._crypto_key_types)
            actual_class = key.__class__.__name__
            self_class = self.__class__.__name__
            raise InvalidKeyError(
                f"Expected one of {valid_classes}, got: {actual_class}. Invalid Key type for {self_class}"
            )

    @abstractmethod
    def prepare_key(self, key: Any) -> Any:
        """
        Performs necessary validation and conversions on the key and returns
        the key value in the proper format for sign() and verify().
        """

    @abstractmethod
    def sign(self, msg: bytes, key: Any) -> bytes:
        """
        Returns a digital signature for the specified message
        using the specified key value.
        """

    @abstractmethod
    def verify(self, msg: bytes, key: Any, sig: bytes) -> bool:
        """
        Verifies that the specified digital signature is valid
        for the specified message and key values.
        """

    @overload
    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: Literal[True]) -> JWKDict: ...  # pragma: no cover

    @overload
    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: Literal[False] = False) -> str: ...  # pragma: no cover

    @staticmethod
    @abstractmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> JWKDict | str:
        """
        Serializes a given key into a JWK
        """

    @staticmethod
    @abstractmethod
    def from_jwk(jwk: str | JWKDict) -> Any:
        """
        Deserializes a given key from JWK back into a key object
        """

    def check_key_length(self, key: Any) -> str | None:
        """
        Return a warning message if the key is below the minimum
        recommended length for this algorithm, or None if adequate.
        """
        return None


class NoneAlgorithm(Algorithm):
    """
    Placeholder for use when no signing or verification
    operations are required.
    """

    def prepare_key(self, key: str | None) -> None:
        """Accept only ``None`` (or ``""``) as the key of ``alg: none``."""
        if key == "":
            key = None

        if key is not None:
            raise InvalidKeyError('When alg = "none", key value must be None.')

        return key

    def sign(self, msg: bytes, key: None) -> bytes:
        """The empty signature."""
        return b""

    def verify(self, msg: bytes, key: None, sig: bytes) -> bool:
        """Always ``False``: an unsigned token never verifies."""
        return False

    @staticmethod
    def to_jwk(key_obj: Any, as_dict: bool = False) -> NoReturn:
        """Not supported for ``none``."""
        raise NotImplementedError()

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> NoReturn:
        """Not supported for ``none``."""
        raise NotImplementedError()


# --- detection of asymmetric key material offered as an HMAC secret ---------

_ASYMMETRIC_KEY_OBJECT_TYPES: tuple[type, ...] = (
    *get_args(PublicKeyTypes),
    *get_args(PrivateKeyTypes),
    x509.Certificate,
    x509.CertificateSigningRequest,
)

_NOT_AN_HMAC_SECRET = (
    "The specified key is an asymmetric key or x509 certificate and should not be used as an HMAC secret."
)
_LOOKS_LIKE_JWK = (
    "The specified key looks like a JWK and should not be "
    "used directly as an HMAC secret. Load it via "
    "PyJWK / HMACAlgorithm.from_jwk first."
)

# A PEM (RFC 7468) or SSH2 (RFC 4716) BEGIN line anywhere in the key. No END
# line is needed: a truncated PEM blob is still nobody's HMAC secret.
_PEM_BEGIN_RE = re.compile(rb"----[- ]?\s*BEGIN ", re.IGNORECASE)
_SSH_KEY_TYPES = (
    rb"ssh-ed25519|ssh-ed448|ssh-rsa|ssh-dss|ecdsa-sha2-nistp256|ecdsa-sha2-nistp384|ecdsa-sha2-nistp521"
    rb"|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com"
)
# The type at the start of the key (after whitespace or control characters),
# or anywhere as "<type> AAAA..." (the Base64 of the length-prefixed type name).
_SSH_KEY_START_RE = re.compile(rb"[\x00-\x20]*(?:" + _SSH_KEY_TYPES + rb")(?:-cert-v01@openssh\.com)?(?:\s|$)")
_SSH_KEY_ANYWHERE_RE = re.compile(rb"(?:" + _SSH_KEY_TYPES + rb")(?:-cert-v01@openssh\.com)?[ \t]+AAAA")
# What JSON text holding an object or array can start with: whitespace, then
# "{" or "[", or a byte-order mark or NUL byte (UTF-16/32).
_JSON_CONTAINER_START_RE = re.compile(rb"[ \t\r\n]*[{\[]|\xef\xbb\xbf|\xff\xfe|\xfe\xff|.?\x00", re.DOTALL)
_BASE64_BODY_RE = re.compile(rb"[\sA-Za-z0-9+/]+={0,2}\s*")
# JWK/JWKS members in text that is not (only) JSON, e.g. with a comment line.
_JWK_MEMBER_RE = re.compile(rb'"kty"\s*:|"keys"\s*:\s*\[')


def _loads_as_asymmetric_der(data: bytes) -> bool:
    """True if ``cryptography`` loads ``data`` as a key, certificate or CSR (DER)."""
    # Every such structure is an ASN.1 SEQUENCE; skip the loaders otherwise.
    if len(data) < 2 or data[0] != 0x30:
        return False
    try:
        load_der_public_key(data)
    except (TypeError, ValueError, UnsupportedAlgorithm):
        pass
    else:
        return True
    try:
        load_der_private_key(data, password=None, unsafe_skip_rsa_key_validation=True)
    except TypeError:
        return True  # an encrypted private key: still a private key
    except (ValueError, UnsupportedAlgorithm):
        pass
    else:
        return True
    for loader in (x509.load_der_x509_certificate, x509.load_der_x509_csr):
        try:
            loader(data)
        except (TypeError, ValueError, UnsupportedAlgorithm):
            pass
        else:
            return True
    return False


def _is_asymmetric_key_material(key: bytes) -> bool:
    # _PEM_BEGIN_RE finds every marker PyJWT's is_pem_format() needs a pair of.
    if _PEM_BEGIN_RE.search(key):
        return True
    if is_ssh_key(key) or _SSH_KEY_START_RE.match(key) or (b"AAAA" in key and _SSH_KEY_ANYWHERE_RE.search(key)):
        return True
    if _loads_as_asymmetric_der(key):
        return True
    # The Base64 body of a DER key or certificate without its PEM lines.
    if key.lstrip()[:1] == b"M" and _BASE64_BODY_RE.fullmatch(key):
        try:
            der = binascii.a2b_base64(key)
        except binascii.Error:
            return False
        return _loads_as_asymmetric_der(der)
    return False


def _json_has_jwk_member(key_bytes: bytes) -> bool:
    """True if ``key_bytes`` is JSON holding a JWK (``kty`` anywhere) or a JWK Set.

    The JSON branch is PyJWT 2.15.1's, including its fallback scan for inputs
    nested too deeply for ``json``; the top-level ``keys`` check is fastjwt's.
    """
    if not _JSON_CONTAINER_START_RE.match(key_bytes):
        return False  # a JSON scalar (or not JSON at all) cannot hold a JWK
    try:
        jwk_obj = json.loads(key_bytes, parse_int=lambda _: 0)
    except RecursionError:
        try:
            decoded_key = key_bytes.decode(json.detect_encoding(key_bytes), errors="surrogatepass")
        except UnicodeError:
            decoded_key = ""
        stripped_key = decoded_key.lstrip("\ufeff \t\r\n")
        has_jwk_member = False
        index = 0
        while index < len(decoded_key):
            if decoded_key[index] != '"':
                index += 1
                continue
            end = index + 1
            while end < len(decoded_key):
                if decoded_key[end] == "\\":
                    end += 2
                elif decoded_key[end] == '"':
                    break
                else:
                    end += 1
            if end >= len(decoded_key):
                break
            next_index = end + 1
            while next_index < len(decoded_key) and decoded_key[next_index] in " \t\r\n":
                next_index += 1
            if next_index < len(decoded_key) and decoded_key[next_index] == ":":
                try:
                    has_jwk_member = json.loads(decoded_key[index : end + 1]) == "kty"
                except ValueError:
                    pass
                if has_jwk_member:
                    break
            index = end + 1
        return stripped_key.startswith("{") or (stripped_key.startswith("[") and has_jwk_member)
    except ValueError:
        # json refuses a second byte-order mark; retry once without any.
        try:
            text = key_bytes.decode(json.detect_encoding(key_bytes)).lstrip("\ufeff")
        except (UnicodeError, LookupError):
            return False
        if len(text) == len(key_bytes.decode(json.detect_encoding(key_bytes))):
            return False
        return _json_has_jwk_member(text.encode("utf-8"))
    if isinstance(jwk_obj, dict) and "keys" in jwk_obj:
        return True
    objects_to_check = [jwk_obj]
    while objects_to_check:
        obj = objects_to_check.pop()
        if isinstance(obj, dict):
            if "kty" in obj:
                return True
            objects_to_check.extend(obj.values())
        elif isinstance(obj, list):
            objects_to_check.extend(obj)
    return False


class HMACAlgorithm(Algorithm):
    """
    Performs signing and verification operations using HMAC
    and the specified hash function.
    """

    SHA256: ClassVar[HashlibHash] = hashlib.sha256
    SHA384: ClassVar[HashlibHash] = hashlib.sha384
    SHA512: ClassVar[HashlibHash] = hashlib.sha512

    def __init__(self, hash_alg: HashlibHash) -> None:
        self.hash_alg = hash_alg
        # hmac.digest() takes OpenSSL's one-shot path for a digest name.
        name = getattr(hash_alg(), "name", None)
        self._digestmod: str | HashlibHash = (
            name if isinstance(name, str) and name in hashlib.algorithms_available else hash_alg
        )

    @staticmethod
    def _is_der_key(key_bytes: bytes) -> bool:
        return _loads_as_asymmetric_der(key_bytes)

    def prepare_key(self, key: str | bytes) -> bytes:
        """Return the secret as bytes, refusing empty secrets and anything that is asymmetric key material.

        :raises InvalidKeyError: for an empty key, a key or certificate object,
            or a PEM, DER, OpenSSH, JWK or JWK Set text.
        :raises TypeError: if ``key`` is not ``str`` or ``bytes``.
        """
        # (str/bytes first: isinstance against the ABCs costs microseconds)
        if not isinstance(key, (str, bytes)) and isinstance(key, _ASYMMETRIC_KEY_OBJECT_TYPES):
            raise InvalidKeyError(_NOT_AN_HMAC_SECRET)

        key_bytes = force_bytes(key)

        if len(key_bytes) == 0:
            raise InvalidKeyError("HMAC key must not be empty.")

        if _is_asymmetric_key_material(key_bytes):
            raise InvalidKeyError(_NOT_AN_HMAC_SECRET)

        # Defense against algorithm-confusion attacks: an attacker with
        # control over the token header can force this code path by setting
        # alg=HS*, and HMACAlgorithm is the only algorithm that accepts
        # arbitrary bytes as a valid secret. Even a symmetric (kty=oct) JWK
        # should be loaded via PyJWK / from_jwk rather than fed as raw JSON
        # bytes (whose contents are not the secret material).
        if _JWK_MEMBER_RE.search(key_bytes) or _json_has_jwk_member(key_bytes):
            raise InvalidKeyError(_LOOKS_LIKE_JWK)

        return key_bytes

    @overload
    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: str | bytes, as_dict: bool = False) -> JWKDict | str:
        """The secret as an ``oct`` JWK (dict, or JSON text)."""
        jwk = {
            "k": base64url_encode(force_bytes(key_obj)).decode(),
            "kty": "oct",
        }

        if as_dict:
            return jwk
        else:
            return json.dumps(jwk)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> bytes:
        """The secret bytes of an ``oct`` JWK.

        :raises InvalidKeyError: not JSON, not ``oct``, no ``k``, or an empty secret.
        """
        obj = _load_json_object(jwk)

        if obj.get("kty") != "oct":
            raise InvalidKeyError("Not an HMAC key")

        if "k" not in obj:
            raise InvalidKeyError('HMAC key must have a "k" parameter')

        key_bytes = base64url_decode(obj["k"])
        if len(key_bytes) == 0:
            raise InvalidKeyError("HMAC key must not be empty.")
        return key_bytes

    def check_key_length(self, key: bytes) -> str | None:
        """PyJWT's warning text if the secret is shorter than the hash output, else ``None``."""
        min_length = self.hash_alg().digest_size
        if len(key) < min_length:
            return (
                f"The HMAC key is {len(key)} bytes long, which is below "
                f"the minimum recommended length of {min_length} bytes for "
                f"{self.hash_alg().name.upper()}. "
                f"See RFC 7518 Section 3.2."
            )
        return None

    def sign(self, msg: bytes, key: bytes) -> bytes:
        """The HMAC tag of ``msg``."""
        return hmac.digest(key, msg, self._digestmod)

    def verify(self, msg: bytes, key: bytes, sig: bytes) -> bool:
        """Compare ``sig`` with the HMAC tag of ``msg`` in constant time."""
        return hmac.compare_digest(sig, hmac.digest(key, msg, self._digestmod))


class RSAAlgorithm(Algorithm):
    """
    Performs signing and verification operations using
    RSASSA-PKCS-v1_5 and the specified hash function.
    """

    SHA256: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA256
    SHA384: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA384
    SHA512: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA512

    _crypto_key_types = cast(
        tuple[type[AllowedKeys], ...],
        get_args(Union[RSAPrivateKey, RSAPublicKey]),
    )
    _MIN_KEY_SIZE: ClassVar[int] = 2048

    def __init__(self, hash_alg: type[hashes.HashAlgorithm]) -> None:
        self.hash_alg = hash_alg

    def check_key_length(self, key: AllowedRSAKeys) -> str | None:
        """PyJWT's warning text if the modulus is below 2048 bits, else ``None``."""
        if key.key_size < self._MIN_KEY_SIZE:
            return (
                f"The RSA key is {key.key_size} bits long, which is below "
                f"the minimum recommended size of {self._MIN_KEY_SIZE} bits. "
                f"See NIST SP 800-131A."
            )
        return None

    def prepare_key(self, key: AllowedRSAKeys | str | bytes) -> AllowedRSAKeys:
        """Load an RSA key: a key object, PEM (PKCS#1, PKCS#8, SPKI) or an OpenSSH public key.

        :raises InvalidKeyError: if the key cannot be loaded or is not RSA.
        :raises TypeError: if ``key`` is not a key object, ``str`` or ``bytes``.
        """
        if isinstance(key, self._crypto_key_types):
            return cast(AllowedRSAKeys, key)  # type: ignore[redundant-cast,unused-ignore]

        if not isinstance(key, (bytes, str)):
            if isinstance(key, _ASYMMETRIC_KEY_OBJECT_TYPES):
                self.check_crypto_key_type(key)  # type: ignore[arg-type, unused-ignore]
            raise TypeError("Expecting a PEM-formatted key.")

        key_bytes = force_bytes(key)

        try:
            if key_bytes.startswith(b"ssh-rsa"):
                public_key: PublicKeyTypes = load_ssh_public_key(key_bytes)
                self.check_crypto_key_type(public_key)
                return cast(RSAPublicKey, public_key)
            else:
                private_key: PrivateKeyTypes = load_pem_private_key(key_bytes, password=None)
                self.check_crypto_key_type(private_key)
                return cast(RSAPrivateKey, private_key)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            try:
                public_key = load_pem_public_key(key_bytes)
                self.check_crypto_key_type(public_key)
                return cast(RSAPublicKey, public_key)
            except (ValueError, UnsupportedAlgorithm):
                raise InvalidKeyError("Could not parse the provided public key.") from None

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: AllowedRSAKeys, as_dict: bool = False) -> JWKDict | str:
        """The key as an ``RSA`` JWK (dict, or JSON text), PyJWT's member order."""
        obj: dict[str, Any] | None = None

        if hasattr(key_obj, "private_numbers"):
            numbers = key_obj.private_numbers()

            obj = {
                "kty": "RSA",
                "key_ops": ["sign"],
                "n": to_base64url_uint(numbers.public_numbers.n).decode(),
                "e": to_base64url_uint(numbers.public_numbers.e).decode(),
                "d": to_base64url_uint(numbers.d).decode(),
                "p": to_base64url_uint(numbers.p).decode(),
                "q": to_base64url_uint(numbers.q).decode(),
                "dp": to_base64url_uint(numbers.dmp1).decode(),
                "dq": to_base64url_uint(numbers.dmq1).decode(),
                "qi": to_base64url_uint(numbers.iqmp).decode(),
            }

        elif hasattr(key_obj, "verify"):
            numbers = key_obj.public_numbers()

            obj = {
                "kty": "RSA",
                "key_ops": ["verify"],
                "n": to_base64url_uint(numbers.n).decode(),
                "e": to_base64url_uint(numbers.e).decode(),
            }
        else:
            raise InvalidKeyError("Not a public or private key")

        if as_dict:
            return obj
        else:
            return json.dumps(obj)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedRSAKeys:
        """An RSA key object from an ``RSA`` JWK (public, or private with or without CRT members).

        :raises InvalidKeyError: not JSON, not RSA, incomplete or multi-prime.
        :raises ValueError: if ``cryptography`` rejects the numbers.
        """
        obj = _load_json_object(jwk)

        if obj.get("kty") != "RSA":
            raise InvalidKeyError("Not an RSA key") from None

        if "d" in obj and "e" in obj and "n" in obj:
            if "oth" in obj:
                raise InvalidKeyError("Unsupported RSA private key: > 2 primes not supported")

            other_props = ["p", "q", "dp", "dq", "qi"]
            props_found = [prop in obj for prop in other_props]
            any_props_found = any(props_found)

            if any_props_found and not all(props_found):
                raise InvalidKeyError("RSA key must include all parameters if any are present besides d") from None

            public_numbers = RSAPublicNumbers(
                from_base64url_uint(obj["e"]),
                from_base64url_uint(obj["n"]),
            )

            if any_props_found:
                numbers = RSAPrivateNumbers(
                    d=from_base64url_uint(obj["d"]),
                    p=from_base64url_uint(obj["p"]),
                    q=from_base64url_uint(obj["q"]),
                    dmp1=from_base64url_uint(obj["dp"]),
                    dmq1=from_base64url_uint(obj["dq"]),
                    iqmp=from_base64url_uint(obj["qi"]),
                    public_numbers=public_numbers,
                )
            else:
                d = from_base64url_uint(obj["d"])
                p, q = rsa_recover_prime_factors(public_numbers.n, d, public_numbers.e)

                numbers = RSAPrivateNumbers(
                    d=d,
                    p=p,
                    q=q,
                    dmp1=rsa_crt_dmp1(d, p),
                    dmq1=rsa_crt_dmq1(d, q),
                    iqmp=rsa_crt_iqmp(p, q),
                    public_numbers=public_numbers,
                )

            return numbers.private_key()
        elif "n" in obj and "e" in obj:
            return RSAPublicNumbers(
                from_base64url_uint(obj["e"]),
                from_base64url_uint(obj["n"]),
            ).public_key()
        else:
            raise InvalidKeyError("Not a public or private key")

    def sign(self, msg: bytes, key: RSAPrivateKey) -> bytes:
        """RSASSA-PKCS1-v1_5 signature of ``msg``."""
        signature: bytes = key.sign(msg, padding.PKCS1v15(), self.hash_alg())
        return signature

    def verify(self, msg: bytes, key: AllowedRSAKeys, sig: bytes) -> bool:
        """True if ``sig`` is a valid RSASSA-PKCS1-v1_5 signature of ``msg``."""
        public_key = key.public_key() if isinstance(key, RSAPrivateKey) else key
        try:
            public_key.verify(sig, msg, padding.PKCS1v15(), self.hash_alg())
            return True
        except InvalidSignature:
            return False


class ECAlgorithm(Algorithm):
    """
    Performs signing and verification operations using
    ECDSA and the specified hash function
    """

    SHA256: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA256
    SHA384: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA384
    SHA512: ClassVar[type[hashes.HashAlgorithm]] = hashes.SHA512

    _crypto_key_types = cast(
        tuple[type[AllowedKeys], ...],
        get_args(Union[EllipticCurvePrivateKey, EllipticCurvePublicKey]),
    )

    def __init__(
        self,
        hash_alg: type[hashes.HashAlgorithm],
        expected_curve: type[EllipticCurve] | None = None,
    ) -> None:
        self.hash_alg = hash_alg
        self.expected_curve = expected_curve

    def _validate_curve(self, key: AllowedECKeys) -> None:
        """Validate that the key's curve matches the expected curve."""
        if self.expected_curve is None:
            return

        if not isinstance(key.curve, self.expected_curve):
            raise InvalidKeyError(
                f"The key's curve '{key.curve.name}' does not match the expected "
                f"curve '{self.expected_curve.name}' for this algorithm"
            )

    def prepare_key(self, key: AllowedECKeys | str | bytes) -> AllowedECKeys:
        """Load an EC key on this algorithm's curve: a key object, PEM (SEC1, PKCS#8, SPKI) or OpenSSH public key.

        :raises InvalidKeyError: if the key cannot be loaded, is not EC, or is on another curve.
        :raises TypeError: if ``key`` is not a key object, ``str`` or ``bytes``.
        """
        if isinstance(key, self._crypto_key_types):
            ec_key = cast(AllowedECKeys, key)  # type: ignore[redundant-cast,unused-ignore]
            self._validate_curve(ec_key)
            return ec_key

        if not isinstance(key, (bytes, str)):
            if isinstance(key, _ASYMMETRIC_KEY_OBJECT_TYPES):
                self.check_crypto_key_type(key)  # type: ignore[arg-type, unused-ignore]
            raise TypeError("Expecting a PEM-formatted key.")

        key_bytes = force_bytes(key)

        # We don't know if it's a signing or a verifying key: try the
        # verifying key first.
        try:
            if key_bytes.startswith(b"ecdsa-sha2-"):
                public_key: PublicKeyTypes = load_ssh_public_key(key_bytes)
            else:
                public_key = load_pem_public_key(key_bytes)
        except (ValueError, UnsupportedAlgorithm):
            try:
                private_key = load_pem_private_key(key_bytes, password=None)
            except (ValueError, TypeError, UnsupportedAlgorithm):
                raise InvalidKeyError("Could not parse the provided key.") from None
            self.check_crypto_key_type(private_key)
            ec_private_key = cast(EllipticCurvePrivateKey, private_key)
            self._validate_curve(ec_private_key)
            return ec_private_key

        self.check_crypto_key_type(public_key)
        ec_public_key = cast(EllipticCurvePublicKey, public_key)
        self._validate_curve(ec_public_key)
        return ec_public_key

    def sign(self, msg: bytes, key: EllipticCurvePrivateKey) -> bytes:
        """ECDSA signature of ``msg`` as raw ``r || s`` (JWS form)."""
        der_sig = key.sign(msg, ECDSA(self.hash_alg()))

        return der_to_raw_signature(der_sig, key.curve)

    def verify(self, msg: bytes, key: AllowedECKeys, sig: bytes) -> bool:
        """True if ``sig`` is a valid raw ``r || s`` ECDSA signature of ``msg`` of exactly the curve's size."""
        if isinstance(sig, (bytearray, memoryview)):
            sig = bytes(sig)
        elif not isinstance(sig, bytes):
            return False
        try:
            der_sig = raw_to_der_signature(sig, key.curve)
        except ValueError:
            return False

        try:
            public_key = key.public_key() if isinstance(key, EllipticCurvePrivateKey) else key
            public_key.verify(der_sig, msg, ECDSA(self.hash_alg()))
            return True
        except InvalidSignature:
            return False

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key_obj: AllowedECKeys, as_dict: bool = False) -> JWKDict | str:
        """The key as an ``EC`` JWK (dict, or JSON text)."""
        if isinstance(key_obj, EllipticCurvePrivateKey):
            public_numbers = key_obj.public_key().public_numbers()
        elif isinstance(key_obj, EllipticCurvePublicKey):
            public_numbers = key_obj.public_numbers()
        else:
            raise InvalidKeyError("Not a public or private key")

        if isinstance(key_obj.curve, SECP256R1):
            crv = "P-256"
        elif isinstance(key_obj.curve, SECP384R1):
            crv = "P-384"
        elif isinstance(key_obj.curve, SECP521R1):
            crv = "P-521"
        elif isinstance(key_obj.curve, SECP256K1):
            crv = "secp256k1"
        else:
            raise InvalidKeyError(f"Invalid curve: {key_obj.curve}")

        obj: dict[str, Any] = {
            "kty": "EC",
            "crv": crv,
            "x": to_base64url_uint(public_numbers.x, bit_length=key_obj.curve.key_size).decode(),
            "y": to_base64url_uint(public_numbers.y, bit_length=key_obj.curve.key_size).decode(),
        }

        if isinstance(key_obj, EllipticCurvePrivateKey):
            obj["d"] = to_base64url_uint(
                key_obj.private_numbers().private_value,
                bit_length=key_obj.curve.key_size,
            ).decode()

        if as_dict:
            return obj
        else:
            return json.dumps(obj)

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedECKeys:
        """An EC key object from an ``EC`` JWK on P-256, P-384, P-521 or secp256k1.

        :raises InvalidKeyError: not JSON, not EC, unknown curve, or wrong coordinate sizes.
        :raises ValueError: if the point is not on the curve.
        """
        obj = _load_json_object(jwk)

        if obj.get("kty") != "EC":
            raise InvalidKeyError("Not an Elliptic curve key") from None

        if "x" not in obj or "y" not in obj:
            raise InvalidKeyError("Not an Elliptic curve key") from None

        x = base64url_decode(obj.get("x"))  # type: ignore[arg-type]
        y = base64url_decode(obj.get("y"))  # type: ignore[arg-type]

        curve = obj.get("crv")
        curve_obj: EllipticCurve

        if curve == "P-256":
            if len(x) == len(y) == 32:
                curve_obj = SECP256R1()
            else:
                raise InvalidKeyError("Coords should be 32 bytes for curve P-256") from None
        elif curve == "P-384":
            if len(x) == len(y) == 48:
                curve_obj = SECP384R1()
            else:
                raise InvalidKeyError("Coords should be 48 bytes for curve P-384") from None
        elif curve == "P-521":
            if len(x) == len(y) == 66:
                curve_obj = SECP521R1()
            else:
                raise InvalidKeyError("Coords should be 66 bytes for curve P-521") from None
        elif curve == "secp256k1":
            if len(x) == len(y) == 32:
                curve_obj = SECP256K1()
            else:
                raise InvalidKeyError("Coords should be 32 bytes for curve secp256k1")
        else:
            raise InvalidKeyError(f"Invalid curve: {printable(curve)}")

        public_numbers = EllipticCurvePublicNumbers(
            x=int.from_bytes(x, byteorder="big"),
            y=int.from_bytes(y, byteorder="big"),
            curve=curve_obj,
        )

        if "d" not in obj:
            return public_numbers.public_key()

        d = base64url_decode(obj.get("d"))  # type: ignore[arg-type]
        if len(d) != len(x):
            raise InvalidKeyError(f"D should be {len(x)} bytes for curve {curve}")

        return EllipticCurvePrivateNumbers(int.from_bytes(d, byteorder="big"), public_numbers).private_key()


class RSAPSSAlgorithm(RSAAlgorithm):
    """
    Performs a signature using RSASSA-PSS with MGF1
    """

    def sign(self, msg: bytes, key: RSAPrivateKey) -> bytes:
        """RSASSA-PSS signature of ``msg`` (MGF1 with the same hash, salt length = hash length)."""
        signature: bytes = key.sign(
            msg,
            padding.PSS(mgf=padding.MGF1(self.hash_alg()), salt_length=self.hash_alg().digest_size),
            self.hash_alg(),
        )
        return signature

    def verify(self, msg: bytes, key: AllowedRSAKeys, sig: bytes) -> bool:
        """True if ``sig`` is a valid RSASSA-PSS signature of ``msg`` (salt length = hash length)."""
        public_key = key.public_key() if isinstance(key, RSAPrivateKey) else key
        try:
            public_key.verify(
                sig,
                msg,
                padding.PSS(mgf=padding.MGF1(self.hash_alg()), salt_length=self.hash_alg().digest_size),
                self.hash_alg(),
            )
            return True
        except InvalidSignature:
            return False


class OKPAlgorithm(Algorithm):
    """
    Performs signing and verification operations using EdDSA (Ed25519 and Ed448).
    """

    _crypto_key_types = cast(
        tuple[type[AllowedKeys], ...],
        get_args(Union[Ed25519PrivateKey, Ed25519PublicKey, Ed448PrivateKey, Ed448PublicKey]),
    )

    def __init__(self, **kwargs: Any) -> None:
        pass

    def prepare_key(self, key: AllowedOKPKeys | str | bytes) -> AllowedOKPKeys:
        """Load an Ed25519/Ed448 key: a key object, PEM (PKCS#8, SPKI) or OpenSSH public key.

        :raises InvalidKeyError: if the key cannot be loaded or is not an EdDSA key.
        """
        if not isinstance(key, (str, bytes)):
            self.check_crypto_key_type(key)
            return key

        try:
            key_str = key.decode("utf-8") if isinstance(key, bytes) else key
        except UnicodeDecodeError:
            raise InvalidKeyError("Not a public or private key") from None
        key_bytes = key.encode("utf-8") if isinstance(key, str) else key

        loaded_key: PublicKeyTypes | PrivateKeyTypes
        try:
            if "-----BEGIN PUBLIC" in key_str:
                loaded_key = load_pem_public_key(key_bytes)
            elif "-----BEGIN PRIVATE" in key_str:
                loaded_key = load_pem_private_key(key_bytes, password=None)
            elif key_str[0:4] == "ssh-":
                loaded_key = load_ssh_public_key(key_bytes)
            else:
                raise InvalidKeyError("Not a public or private key")
        except (ValueError, TypeError, UnsupportedAlgorithm):
            raise InvalidKeyError("Could not parse the provided key.") from None

        # Explicit check the key to prevent confusing errors from cryptography
        self.check_crypto_key_type(loaded_key)
        return cast("AllowedOKPKeys", loaded_key)

    def sign(self, msg: str | bytes, key: Ed25519PrivateKey | Ed448PrivateKey) -> bytes:
        """
        Sign a message ``msg`` using the EdDSA private key ``key``
        :param str|bytes msg: Message to sign
        :param Ed25519PrivateKey}Ed448PrivateKey key: A :class:`.Ed25519PrivateKey`
            or :class:`.Ed448PrivateKey` isinstance
        :return bytes signature: The signature, as bytes
        """
        msg_bytes = msg.encode("utf-8") if isinstance(msg, str) else msg
        signature: bytes = key.sign(msg_bytes)
        return signature

    def verify(self, msg: str | bytes, key: AllowedOKPKeys, sig: str | bytes) -> bool:
        """
        Verify a given ``msg`` against a signature ``sig`` using the EdDSA key ``key``

        :param str|bytes sig: EdDSA signature to check ``msg`` against
        :param str|bytes msg: Message to sign
        :param Ed25519PrivateKey|Ed25519PublicKey|Ed448PrivateKey|Ed448PublicKey key:
            A private or public EdDSA key instance
        :return bool verified: True if signature is valid, False if not.
        """
        try:
            msg_bytes = msg.encode("utf-8") if isinstance(msg, str) else msg
            sig_bytes = sig.encode("utf-8") if isinstance(sig, str) else sig

            public_key = key.public_key() if isinstance(key, (Ed25519PrivateKey, Ed448PrivateKey)) else key
            public_key.verify(sig_bytes, msg_bytes)
            return True
        except InvalidSignature:
            return False

    @overload
    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: Literal[True]) -> JWKDict: ...

    @overload
    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: Literal[False] = False) -> str: ...

    @staticmethod
    def to_jwk(key: AllowedOKPKeys, as_dict: bool = False) -> JWKDict | str:
        """The key as an ``OKP`` JWK (dict, or JSON text)."""
        if isinstance(key, (Ed25519PublicKey, Ed448PublicKey)):
            x = key.public_bytes(encoding=Encoding.Raw, format=PublicFormat.Raw)
            crv = "Ed25519" if isinstance(key, Ed25519PublicKey) else "Ed448"

            obj = {
                "x": base64url_encode(force_bytes(x)).decode(),
                "kty": "OKP",
                "crv": crv,
            }

            if as_dict:
                return obj
            else:
                return json.dumps(obj)

        if isinstance(key, (Ed25519PrivateKey, Ed448PrivateKey)):
            d = key.private_bytes(
                encoding=Encoding.Raw,
                format=PrivateFormat.Raw,
                encryption_algorithm=NoEncryption(),
            )

            x = key.public_key().public_bytes(encoding=Encoding.Raw, format=PublicFormat.Raw)

            crv = "Ed25519" if isinstance(key, Ed25519PrivateKey) else "Ed448"
            obj = {
                "x": base64url_encode(force_bytes(x)).decode(),
                "d": base64url_encode(force_bytes(d)).decode(),
                "kty": "OKP",
                "crv": crv,
            }

            if as_dict:
                return obj
            else:
                return json.dumps(obj)

        raise InvalidKeyError("Not a public or private key")

    @staticmethod
    def from_jwk(jwk: str | JWKDict) -> AllowedOKPKeys:
        """An Ed25519/Ed448 key object from an ``OKP`` JWK.

        :raises InvalidKeyError: not JSON, not OKP, unknown curve, bad or mismatched key bytes.
        """
        obj = _load_json_object(jwk)

        if obj.get("kty") != "OKP":
            raise InvalidKeyError("Not an Octet Key Pair")

        curve = obj.get("crv")
        if curve != "Ed25519" and curve != "Ed448":
            raise InvalidKeyError(f"Invalid curve: {printable(curve)}")

        if "x" not in obj:
            raise InvalidKeyError('OKP should have "x" parameter')
        x = base64url_decode(obj.get("x"))  # type: ignore[arg-type]

        try:
            if "d" not in obj:
                if curve == "Ed25519":
                    return Ed25519PublicKey.from_public_bytes(x)
                return Ed448PublicKey.from_public_bytes(x)
            d = base64url_decode(obj.get("d"))  # type: ignore[arg-type]
            private_key: Ed25519PrivateKey | Ed448PrivateKey
            if curve == "Ed25519":
                private_key = Ed25519PrivateKey.from_private_bytes(d)
            else:
                private_key = Ed448PrivateKey.from_private_bytes(d)
            if private_key.public_key().public_bytes(encoding=Encoding.Raw, format=PublicFormat.Raw) != x:
                raise InvalidKeyError("Public key does not match private key")
            return private_key
        except ValueError as err:
            raise InvalidKeyError("Invalid key parameter") from err
