"""Signature verification and decryption for the walkthrough adapter.

The second half of adapters/examples/python/c169_adapter.py, loaded only when the
adapter is started with --verify. It uses the PyPI `cryptography` package, so
importing this module raises ImportError where that package is not installed.

- COSE_Sign1 (RFC 9052 section 4.4): the signature covers the CBOR array
  ["Signature1", protected header bytes, external_aad h'', payload].
  EdDSA (Ed25519, RFC 8032), and ES256, ES384, ES512, whose signature is r and s
  as two big-endian integers of the curve's size, concatenated (RFC 9053 section
  2.1), not DER.
- COSE_Encrypt0 (RFC 9052 section 5.3): AES-GCM with a 12-byte IV and the CBOR
  array ["Encrypt0", protected header bytes, external_aad h''] as additional
  authenticated data; A128GCM, A192GCM, A256GCM (RFC 9053 section 4.1).
- Keys arrive as JWK (RFC 7517): OKP Ed25519 (RFC 8037), EC P-256/P-384/P-521, oct.
"""

import base64

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, ed25519
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

# COSE alg -> JOSE name, the JWK curve of its keys, its hash, the size of r and of s.
SIGNATURE = {
    -8: ("EdDSA", "Ed25519", None, None),
    -7: ("ES256", "P-256", hashes.SHA256, 32),
    -35: ("ES384", "P-384", hashes.SHA384, 48),
    -36: ("ES512", "P-521", hashes.SHA512, 66),
}
# COSE alg -> JOSE name, key length in bytes.
CONTENT = {1: ("A128GCM", 16), 2: ("A192GCM", 24), 3: ("A256GCM", 32)}
CURVES = {"P-256": ec.SECP256R1, "P-384": ec.SECP384R1, "P-521": ec.SECP521R1}

SIGN_NAMES = [name for name, _, _, _ in SIGNATURE.values()]
CONTENT_NAMES = [name for name, _ in CONTENT.values()]

# The y coordinates of the Ed25519 points of small order (the identity, its
# negation, the two of order 4 at y = 0 and the four of order 8). A public key
# among them lets anyone forge signatures that RFC 8032 verification accepts,
# so such a key is refused, as the reference codec refuses it.
P25519 = 2**255 - 19
SMALL_ORDER_Y = {
    0,
    1,
    P25519 - 1,
    int.from_bytes(bytes.fromhex("26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05"), "little"),
    int.from_bytes(bytes.fromhex("c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a"), "little"),
}


class Refused(Exception):
    """The credential is rejected at `stage`, with a machine `code`."""

    def __init__(self, stage, code, message):
        super().__init__(message)
        self.stage, self.code = stage, code


def b64url(text):
    """The bytes of a JWK member: base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _head(major, n):
    """A CBOR head: major type and length (RFC 8949 section 3)."""
    if n < 24:
        return bytes([major << 5 | n])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if n < 1 << (8 * size):
            return bytes([major << 5 | info]) + n.to_bytes(size, "big")
    raise ValueError("length too large for CBOR")


def _bstr(b):
    return _head(2, len(b)) + b


def sig_structure(protected_bytes, payload):
    """What a COSE_Sign1 signature covers (RFC 9052 section 4.4)."""
    return _head(4, 4) + _head(3, 10) + b"Signature1" + _bstr(protected_bytes) + _bstr(b"") + _bstr(payload)


def enc_structure(protected_bytes):
    """The additional authenticated data of a COSE_Encrypt0 (RFC 9052 section 5.3)."""
    return _head(4, 3) + _head(3, 8) + b"Encrypt0" + _bstr(protected_bytes) + _bstr(b"")


def by_kid(jwks, kid):
    """The keys to try: those whose JWK `kid`, as UTF-8 bytes, equals the
    credential's kid, when any does; otherwise every key given. A kid is only a
    hint (RFC 9052 section 3.1: kid values need not be unique), so a kid that
    names no key given, or no kid at all, leaves every key to try."""
    if kid is not None:
        named = [k for k in jwks if isinstance(k.get("kid"), str) and k["kid"].encode("utf-8") == kid]
        if named:
            return named
    return list(jwks)


def check_keys(jwks):
    """Refuses the whole request when a verification key is unusable: an
    Ed25519 key of small order, an EC point off its curve, a malformed member."""
    for jwk in jwks:
        try:
            _public_key(jwk)
        except (KeyError, ValueError, TypeError) as e:
            raise Refused("signature", "signature.key_refused", f"the verification key is refused: {e}") from e


def _public_key(jwk):
    """The key of a JWK and its curve name; (None, None) for a kind not handled here."""
    kty, crv = jwk.get("kty"), jwk.get("crv")
    if kty == "OKP" and crv == "Ed25519":
        x = b64url(jwk["x"])
        if len(x) != 32:
            raise ValueError(f"an Ed25519 key is 32 bytes, this one {len(x)}")
        if int.from_bytes(x, "little") % 2**255 % P25519 in SMALL_ORDER_Y:
            raise ValueError("the Ed25519 point is of small order (a weak key)")
        return ed25519.Ed25519PublicKey.from_public_bytes(x), crv
    if kty == "EC" and crv in CURVES:
        x, y = (int.from_bytes(b64url(jwk[m]), "big") for m in ("x", "y"))
        # ValueError when the point is not on the curve.
        return ec.EllipticCurvePublicNumbers(x, y, CURVES[crv]()).public_key(), crv
    return None, None


def verify(alg, protected_bytes, payload, signature, jwks, kid):
    """Checks a COSE_Sign1 signature with the keys given; Refused when none holds."""
    name, curve, hash_type, size = SIGNATURE[alg]
    keys = [key for key, crv in map(_public_key, by_kid(jwks, kid)) if crv == curve]
    if not keys:
        raise Refused("signature", "signature.no_key_for_alg", f"no verification key given fits {name}")
    message = sig_structure(protected_bytes, payload)
    if size is not None:
        if len(signature) != 2 * size:
            raise Refused("signature", "signature.bad_length",
                          f"an {name} signature is r||s, {2 * size} bytes; this one is {len(signature)}")
        r, s = int.from_bytes(signature[:size], "big"), int.from_bytes(signature[size:], "big")
        signature = encode_dss_signature(r, s)  # the DER form the library verifies
    for key in keys:
        try:
            if size is None:
                key.verify(signature, message)
            else:
                key.verify(signature, message, ec.ECDSA(hash_type()))
            return
        except InvalidSignature:
            continue
    raise Refused("signature", "signature.invalid", f"the {name} signature does not hold under any key given")


def decrypt(alg, iv, protected_bytes, ciphertext, jwks, kid):
    """The plaintext of a COSE_Encrypt0; Refused when no key given opens it."""
    name, length = CONTENT[alg]
    if len(iv) != 12:
        raise Refused("decrypt", "decrypt.iv_length", f"the AES-GCM IV is 12 bytes; this one is {len(iv)}")
    try:
        keys = [b64url(k["k"]) for k in by_kid(jwks, kid) if k.get("kty") == "oct"]
    except (KeyError, ValueError, TypeError) as e:
        raise Refused("decrypt", "decrypt.bad_key", f"a decryption key is not a usable oct JWK: {e}") from e
    if not keys:
        raise Refused("decrypt", "decrypt.no_key", "the credential is encrypted and no decryption key was given")
    aad = enc_structure(protected_bytes)
    for key in keys:
        if len(key) != length:
            continue
        try:
            return AESGCM(key).decrypt(iv, ciphertext, aad)
        except InvalidTag:
            continue
    raise Refused("decrypt", "decrypt.failed", f"no {name} key given opens the COSE_Encrypt0")
