"""Project Wycheproof vectors through the algorithm-level ``verify`` (and ``sign`` for HMAC).

Every ``*_test.json`` file in ``/work/shared/vectors/wycheproof`` (resolved as
``Path(__file__).parents[2] / "shared" / "vectors" / "wycheproof"``) runs through
the matching fastjwt algorithm; a file with no matching algorithm fails the run.

* ``valid`` vectors must verify, ``invalid`` ones must not.
* ``acceptable`` vectors are decided by flag, in :data:`ACCEPTABLE_POLICY`. The
  only flag in the current files is ``MissingNull`` (RSASSA-PKCS1-v1_5 whose
  DigestInfo omits the NULL hash parameters): fastjwt refuses it, so one
  message and key have exactly one valid PKCS#1 v1.5 signature. An
  ``acceptable`` vector with any other flag fails the run until a decision is
  written down here.
* Keys are imported from each group's PEM (``prepare_key``), DER
  (``load_der_public_key`` then ``prepare_key``) and JWK (``from_jwk``, when the
  group has one), which must agree; every vector is verified with each import.
* HMAC (``MacTest``): the tag is computed with ``HMACAlgorithm.sign`` and
  truncated to the group's ``tagSize``; ``valid`` tags must equal it and
  ``invalid`` tags must not. A tag shorter than the hash output is never a
  valid JWS signature, so ``HMACAlgorithm.verify`` must refuse every truncated
  tag, valid or not; full-length tags go through ``verify`` as well.
* ECDSA files are the IEEE P1363 (raw ``r || s``) variants that JWS uses.
* Every vector also goes through the core's prepared key
  (``fastjwt._keys.build(...).verify``), the object ``decode`` really verifies
  with: the compiled core normally, the pure-Python twin under
  ``FASTJWT_NO_EXTENSIONS=1``. Same expectations as above.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import load_der_public_key

from fastjwt import _keys, algorithms
from fastjwt.exceptions import InvalidKeyError

VECTORS_DIR = Path(__file__).resolve().parents[2] / "shared" / "vectors" / "wycheproof"
if not VECTORS_DIR.is_dir():
    pytest.skip(f"Wycheproof vectors not found at {VECTORS_DIR}", allow_module_level=True)

ALGS = algorithms.get_default_algorithms()

#: How ``acceptable`` vectors are decided, by flag: True = must verify, False = must not.
ACCEPTABLE_POLICY: dict[str, bool] = {"MissingNull": False}

#: Vector file -> (JWS algorithm, expected group parameters).
FILE_ALGORITHMS: dict[str, tuple[str, dict[str, Any]]] = {
    "ecdsa_secp256k1_sha256_p1363_test.json": ("ES256K", {"sha": "SHA-256"}),
    "ecdsa_secp256r1_sha256_p1363_test.json": ("ES256", {"sha": "SHA-256"}),
    "ecdsa_secp384r1_sha384_p1363_test.json": ("ES384", {"sha": "SHA-384"}),
    "ecdsa_secp521r1_sha512_p1363_test.json": ("ES512", {"sha": "SHA-512"}),
    "ed25519_test.json": ("EdDSA", {}),
    "ed448_test.json": ("EdDSA", {}),
    "hmac_sha256_test.json": ("HS256", {}),
    "hmac_sha384_test.json": ("HS384", {}),
    "hmac_sha512_test.json": ("HS512", {}),
    "rsa_pss_2048_sha256_mgf1_32_test.json": ("PS256", {"sha": "SHA-256", "mgfSha": "SHA-256", "sLen": 32}),
    "rsa_pss_2048_sha384_mgf1_48_test.json": ("PS384", {"sha": "SHA-384", "mgfSha": "SHA-384", "sLen": 48}),
    "rsa_pss_4096_sha512_mgf1_64_test.json": ("PS512", {"sha": "SHA-512", "mgfSha": "SHA-512", "sLen": 64}),
    "rsa_signature_2048_sha256_test.json": ("RS256", {"sha": "SHA-256"}),
    "rsa_signature_2048_sha384_test.json": ("RS384", {"sha": "SHA-384"}),
    "rsa_signature_2048_sha512_test.json": ("RS512", {"sha": "SHA-512"}),
    "rsa_signature_3072_sha384_test.json": ("RS384", {"sha": "SHA-384"}),
    "rsa_signature_4096_sha512_test.json": ("RS512", {"sha": "SHA-512"}),
}

VECTOR_FILES = sorted(p.name for p in VECTORS_DIR.glob("*_test.json"))


def _expected(test: dict[str, Any]) -> bool:
    result = test["result"]
    if result == "valid":
        return True
    if result == "invalid":
        return False
    assert result == "acceptable", f"tcId {test['tcId']}: unknown result {result!r}"
    decisions = {ACCEPTABLE_POLICY[flag] for flag in test["flags"] if flag in ACCEPTABLE_POLICY}
    undecided = [flag for flag in test["flags"] if flag not in ACCEPTABLE_POLICY]
    assert not undecided, f"tcId {test['tcId']}: no policy for acceptable flags {undecided}"
    assert len(decisions) == 1, f"tcId {test['tcId']}: conflicting policies for flags {test['flags']}"
    return decisions.pop()


def _spki(key: Any) -> bytes:
    return key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)  # type: ignore[no-any-return]


def _import_keys(alg: algorithms.Algorithm, group: dict[str, Any]) -> dict[str, Any]:
    """The group's public key imported from each format it offers; all must be the same key."""
    keys = {
        "pem": alg.prepare_key(group["publicKeyPem"]),
        "der": alg.prepare_key(load_der_public_key(bytes.fromhex(group["publicKeyDer"]))),
    }
    jwk = group.get("publicKeyJwk") or group.get("keyJwk")
    if jwk is not None:  # some edge-case EC groups come without one
        keys["jwk"] = alg.prepare_key(alg.from_jwk(jwk))
    assert len({_spki(k) for k in keys.values()}) == 1, "PEM, DER and JWK imports disagree"
    return keys


def _check_file(name: str) -> Counter[str]:
    """Run one file; return counts of outcomes and raise with every mismatch listed."""
    assert name in FILE_ALGORITHMS, f"{name}: no fastjwt algorithm mapped to this vector file"
    alg_name, params = FILE_ALGORITHMS[name]
    alg = ALGS[alg_name]
    data = json.loads((VECTORS_DIR / name).read_text())
    counts: Counter[str] = Counter()
    mismatches: list[str] = []
    for group in data["testGroups"]:
        for param, value in params.items():
            assert group[param] == value, f"{name}: group {param}={group[param]!r}, expected {value!r}"
        if group["type"] == "MacTest":
            _check_mac_group(alg_name, alg, group, counts, mismatches)
            continue
        try:
            keys = _import_keys(alg, group)
        except (InvalidKeyError, ValueError):
            # A key no loader accepts: nothing can verify under it.
            assert all(not _expected(t) for t in group["tests"]), f"{name}: key of a group with valid vectors refused"
            counts.update(f"{t['result']}-refused-by-key" for t in group["tests"])
            continue
        core_key = _keys.build(alg_name, alg, group["publicKeyPem"])
        for test in group["tests"]:
            msg, sig = bytes.fromhex(test["msg"]), bytes.fromhex(test["sig"])
            expected = _expected(test)
            for form, key in keys.items():
                got = alg.verify(msg, key, sig)
                if got is not expected:
                    mismatches.append(f"tcId {test['tcId']} ({test['comment']}, {form} key): verify={got}")
            got = core_key.verify(msg, sig)
            if got is not expected:
                mismatches.append(
                    f"tcId {test['tcId']} ({test['comment']}, core {type(core_key).__name__}): verify={got}"
                )
            counts[f"{test['result']}-{'accepted' if expected else 'refused'}"] += 1
    assert not mismatches, f"{name}: {len(mismatches)} mismatches:\n" + "\n".join(mismatches[:50])
    return counts


def _check_mac_group(
    alg_name: str, alg: algorithms.Algorithm, group: dict[str, Any], counts: Counter[str], mismatches: list[str]
) -> None:
    tag_bytes = group["tagSize"] // 8
    full = tag_bytes == alg.hash_alg().digest_size  # type: ignore[attr-defined]
    for test in group["tests"]:
        key = alg.prepare_key(bytes.fromhex(test["key"]))
        core_key = _keys.build(alg_name, alg, key)
        msg, tag = bytes.fromhex(test["msg"]), bytes.fromhex(test["tag"])
        expected = _expected(test)
        where = f"tcId {test['tcId']} ({test['comment']}, tagSize {group['tagSize']})"
        for label, computed in (("sign", alg.sign(msg, key)), ("core sign", core_key.sign(msg))):
            if (computed[:tag_bytes] == tag) is not expected:
                mismatches.append(f"{where}: {label} mismatch")
        for label, verified in (("verify", alg.verify(msg, key, tag)), ("core verify", core_key.verify(msg, tag))):
            if verified is not (expected and full):
                mismatches.append(f"{where}: {label}={verified}")
        outcome = "accepted" if expected and full else ("truncated-refused" if expected else "refused")
        counts[f"{test['result']}-{outcome}"] += 1


def test_every_vector_file_has_an_algorithm() -> None:
    assert VECTOR_FILES, f"no *_test.json files in {VECTORS_DIR}"
    assert set(VECTOR_FILES) <= set(FILE_ALGORITHMS), set(VECTOR_FILES) - set(FILE_ALGORITHMS)


@pytest.mark.parametrize("name", VECTOR_FILES)
def test_wycheproof_file(name: str) -> None:
    counts = _check_file(name)
    data = json.loads((VECTORS_DIR / name).read_text())
    assert sum(counts.values()) == data["numberOfTests"] == sum(len(g["tests"]) for g in data["testGroups"])
    assert counts["valid-accepted"] + counts["valid-truncated-refused"] > 0


def main() -> None:
    """Print per-file outcome counts (``python tests/test_wycheproof.py``)."""
    total: Counter[str] = Counter()
    for name in VECTOR_FILES:
        counts = _check_file(name)
        total.update(counts)
        print(f"{name}: {dict(sorted(counts.items()))}")
    print(f"TOTAL: {dict(sorted(total.items()))}")


if __name__ == "__main__":
    main()
