#!/usr/bin/env python3
"""c169 protocol v1 adapter for idpass claim169 0.3.0 (PyPI; Python over a Rust core).

A thin shim: it turns protocol requests into calls of the library and the
library's answers (typed objects, exceptions) back into protocol responses.
Persistent stdio transport: one JSON request per line on stdin, one response per
line on stdout; logs go to stderr. See README.md for the quirks and the stage map.

Library and glue: the library does every stage of a text (Base45 to claim 169). The
only glue is decode_image's scan (ZXing-C++), whose rejections say "by": "glue".
Only the library's typed exceptions (claim169.Claim169Exception and its subclasses)
are rejections; any other exception, a Rust panic included, is a crash and is
answered with an `internal` error.
"""

import base64
import importlib.metadata
import json
import re
import sys

import claim169

# The release installed, so that describe names the one under test whichever setup put in.
LIBRARY_VERSION = importlib.metadata.version("claim169")

DESCRIPTION = {
    "name": "claim169-py",
    "version": LIBRARY_VERSION,
    "protocol": 1,
    "ops": ["describe", "decode", "encode"],
    # decode()/encode() take Ed25519 and P-256 keys only; decode_encrypted_aes and
    # encode(encrypt_with_aes128/256=...) handle 16- and 32-byte AES-GCM keys only.
    "algorithms": {"sign": ["EdDSA", "ES256"], "encrypt": ["A128GCM", "A256GCM"]},
    # No parameter takes a validation time (the library reads the system clock), so
    # the adapter turns its time check off; decode(allow_unverified=True) exists.
    "options": {"now": False, "leeway": False, "unverified": True},
    # decode_image: ZXing-C++ (PyPI zxing-cpp) reads the PNG, as the camera path of a
    # verifier app built on this library would; see scan() and README.md.
    "capabilities": ["decode_image"],
}

# Claim 169 keys and the attribute of claim169.Claim169 / Claim169Input holding each.
FIELDS = {
    1: "id", 2: "version", 3: "language", 4: "full_name", 5: "first_name",
    6: "middle_name", 7: "last_name", 8: "date_of_birth", 9: "gender", 10: "address",
    11: "email", 12: "phone", 13: "nationality", 14: "marital_status", 15: "guardian",
    16: "photo", 17: "photo_format", 18: "best_quality_fingers",
    19: "secondary_full_name", 20: "secondary_language", 21: "location_code",
    22: "legal_status", 23: "country_of_issuance",
    50: "right_thumb", 51: "right_pointer_finger", 52: "right_middle_finger",
    53: "right_ring_finger", 54: "right_little_finger", 55: "left_thumb",
    56: "left_pointer_finger", 57: "left_middle_finger", 58: "left_ring_finger",
    59: "left_little_finger", 60: "right_iris", 61: "left_iris", 62: "face",
    63: "right_palm", 64: "left_palm", 65: "voice",
}
BIOMETRIC_KEYS = range(50, 66)
BIOMETRIC_FIELDS = {0: "data", 1: "format", 2: "sub_format", 3: "issuer"}
# CWT claims and the attribute of CwtMeta / CwtMetaInput holding each.
CWT_FIELDS = {1: "issuer", 2: "subject", 4: "expires_at", 5: "not_before", 6: "issued_at"}

# Library exception -> stage: a message naming a limit first (DecompressError and
# CoseParseError both carry limit messages), then the exception class, then, for the
# base class Claim169Exception, its message (first match wins). See README.md.
CLASS_STAGES = [
    (claim169.Base45DecodeError, "base45"),
    (claim169.DecompressError, "zlib"),
    (claim169.CoseParseError, "cose"),
    (claim169.CwtParseError, "cwt"),
    (claim169.Claim169NotFoundError, "claim169"),
    (claim169.SignatureError, "signature"),
    (claim169.DecryptionError, "decrypt"),
]
MESSAGE_STAGES = [
    ("invalid claim 169", "claim169"),
    ("date_of_birth", "claim169"),
    ("expired", "time"),
    ("not valid until", "time"),
    ("not yet valid", "time"),
    ("unsupported algorithm", "signature"),
]


class Unsupported(Exception):
    pass


class BadRequest(Exception):
    pass


# --- keys and canonical JSON --------------------------------------------------

def b64url(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_member(jwk, name):
    try:
        return b64url(jwk[name])
    except (KeyError, TypeError, ValueError) as e:
        raise BadRequest(f"JWK member {name!r} missing or not base64url: {e}") from e


def key_kind(jwk):
    """'Ed25519', 'P-256', … for a JWK."""
    if not isinstance(jwk, dict):
        raise BadRequest("a JWK is not an object")
    if jwk.get("kty") == "OKP" or jwk.get("kty") == "EC":
        return jwk.get("crv")
    return jwk.get("kty")


def bstr(value):
    """{"bstr": hex} -> bytes."""
    if isinstance(value, dict) and set(value) == {"bstr"}:
        try:
            return bytes.fromhex(value["bstr"])
        except (TypeError, ValueError) as e:
            raise BadRequest(f"bad bstr: {e}") from e
    raise Unsupported(f"claim169 takes bytes here, not {json.dumps(value)}")


def scalar(value):
    """Canonical JSON of a value the library handed back (str, int, bytes)."""
    if isinstance(value, bytes):
        return {"bstr": value.hex()}
    if isinstance(value, int) and not isinstance(value, bool):
        value = int(value)
        return value if abs(value) <= 2 ** 53 else {"int": str(value)}
    return value


def int_keyed(obj, what):
    """A canonical int-keyed object -> [(int, value)]; the `map` form is not for this library."""
    if not isinstance(obj, dict) or set(obj) == {"map"}:
        raise Unsupported(f"claim169 takes {what} as a map with integer keys only")
    try:
        return [(int(k), v) for k, v in obj.items()]
    except ValueError as e:
        raise BadRequest(f"{what}: {e}") from e


# --- decode -------------------------------------------------------------------

def claim_json(claim):
    """claim169.Claim169 -> canonical claim 169 map: only what the object tells."""
    out = {}
    for key, attr in FIELDS.items():
        value = getattr(claim, attr)
        if value is None:
            continue
        if key in BIOMETRIC_KEYS:
            out[str(key)] = [
                {str(k): scalar(getattr(entry, a)) for k, a in BIOMETRIC_FIELDS.items()
                 if getattr(entry, a) is not None}
                for entry in value
            ]
        elif key == 18:
            # typed as bytes by the library: one finger position (0..10) per byte,
            # an array of unsigned integers in the credential
            out[str(key)] = list(value)
        else:
            out[str(key)] = scalar(value)
    return out


def cwt_json(meta):
    return {str(k): scalar(getattr(meta, a)) for k, a in CWT_FIELDS.items()
            if getattr(meta, a) is not None}


def reject(e):
    message = str(e)
    if re.search(r"\blimit\b", message):
        stage = "limit"
    else:
        stage = next((s for cls, s in CLASS_STAGES if isinstance(e, cls)), None)
    if stage is None:
        stage = next((s for text, s in MESSAGE_STAGES if text in message), None)
    return {"verdict": "reject", "stage": stage, "code": f"claim169-py.{type(e).__name__}",
            "message": message, "warnings": []}


def verify_argument(jwk):
    """A verification JWK -> the keyword argument of claim169.decode that takes it."""
    kind = key_kind(jwk)
    if kind == "Ed25519":
        return {"verify_with_ed25519": jwk_member(jwk, "x")}
    if kind == "P-256":
        return {"verify_with_ecdsa_p256": b"\x04" + jwk_member(jwk, "x") + jwk_member(jwk, "y")}
    raise Unsupported(f"claim169 {LIBRARY_VERSION} verifies with Ed25519 and P-256 keys only, not {kind}")


# The largest image read: a version-40 symbol at 20 pixels a module fits.
MAX_IMAGE_SIDE = 4096


def scan(image):
    """decode_image: the text of the QR symbol in a base64 PNG, read by ZXing-C++;
    or the rejection (stage scan) that says why there is none."""
    import io

    import PIL.Image
    import zxingcpp

    def unread(code, message):
        # glue: the library reads text only; the scan is the adapter's (protocol v1 `by`)
        return None, {"verdict": "reject", "stage": "scan", "code": f"zxing.{code}",
                      "message": message, "warnings": [], "by": "glue"}

    if not isinstance(image, str):
        raise BadRequest("image is not a string (base64 PNG)")
    try:
        png = base64.b64decode(image, validate=True)
    except ValueError as e:
        return unread("image", f"the image is not base64: {e}")
    PIL.Image.MAX_IMAGE_PIXELS = MAX_IMAGE_SIDE * MAX_IMAGE_SIDE
    try:
        img = PIL.Image.open(io.BytesIO(png), formats=["PNG"])
        if max(img.size) > MAX_IMAGE_SIDE:
            return unread("image", f"the image is {img.size[0]}x{img.size[1]}, over {MAX_IMAGE_SIDE} a side")
        img.load()
    except (OSError, ValueError, PIL.Image.DecompressionBombError) as e:
        return unread("image", f"not a PNG image PIL can read ({type(e).__name__})")
    found = zxingcpp.read_barcodes(img, formats=zxingcpp.BarcodeFormat.QRCode,
                                   text_mode=zxingcpp.TextMode.Plain)
    if not found:
        return unread("not_found", "ZXing-C++ found no QR symbol in the image")
    return found[0].text, None


def decode(request):
    if "image" in request:
        qr, unread = scan(request.get("image"))
        if unread is not None:
            return unread
    else:
        qr = request.get("qr")
    if not isinstance(qr, str):
        raise BadRequest("qr is not a string")
    keys = request.get("keys") or {}
    verify, decrypt = keys.get("verify") or [], keys.get("decrypt") or []
    if not isinstance(verify, list) or not isinstance(decrypt, list):
        raise BadRequest("keys.verify and keys.decrypt are lists of JWKs")
    if len(verify) > 1 or len(decrypt) > 1:
        raise Unsupported("claim169 takes one key to verify and one to decrypt, not a set of keys")
    # options.now / options.leeway: no parameter takes a validation time (see DESCRIPTION).
    try:
        if decrypt:
            if verify:
                raise Unsupported(
                    "claim169 cannot verify the COSE_Sign1 inside a COSE_Encrypt0 with a key: "
                    "decode_encrypted_aes takes only a verifier callback (the caller's own crypto)")
            if key_kind(decrypt[0]) != "oct":
                raise BadRequest("a decryption key is not kty oct")
            key = jwk_member(decrypt[0], "k")
            if len(key) not in (16, 32):
                raise Unsupported(f"claim169 decrypts with 16- or 32-byte AES keys, not {len(key)}-byte")
            # No validate_timestamps parameter here: exp/nbf are checked against the system clock.
            result = claim169.decode_encrypted_aes(qr, key, allow_unverified=True)
        elif verify:
            result = claim169.decode(qr, validate_timestamps=False, **verify_argument(verify[0]))
        else:
            result = claim169.decode(qr, validate_timestamps=False, allow_unverified=True)
    except claim169.Claim169Exception as e:
        return reject(e)
    return {
        "verdict": "accept",
        "claim169": claim_json(result.claim169),
        "cwt": cwt_json(result.cwt_meta),
        "verified": result.is_verified(),
        "warnings": [],
    }


# --- encode -------------------------------------------------------------------

def claim_input(obj):
    """Canonical claim 169 map -> claim169.Claim169Input."""
    claim = claim169.Claim169Input()
    for key, value in int_keyed(obj, "claim 169"):
        attr = FIELDS.get(key)
        if attr is None or key == 18:
            raise Unsupported(f"Claim169Input has no field for claim 169 key {key}")
        if key in BIOMETRIC_KEYS:
            if not isinstance(value, list):
                raise Unsupported(f"Claim169Input takes a list of biometrics at key {key}")
            value = [biometric(entry, key) for entry in value]
        elif key == 16:
            value = bstr(value)
        setattr(claim, attr, value)
    return claim


def biometric(entry, key):
    fields = {}
    for k, v in int_keyed(entry, f"a biometric entry of key {key}"):
        if k not in BIOMETRIC_FIELDS:
            raise Unsupported(f"claim169.Biometric has no field for key {key}/{k}")
        fields[BIOMETRIC_FIELDS[k]] = bstr(v) if k == 0 else v
    if "data" not in fields:
        raise Unsupported(f"claim169.Biometric requires data (key {key}/0)")
    return claim169.Biometric(**fields)


def cwt_input(obj):
    meta = claim169.CwtMetaInput()
    for key, value in int_keyed(obj, "the CWT claims"):
        if key not in CWT_FIELDS:
            raise Unsupported(f"CwtMetaInput has no field for CWT claim {key}")
        if isinstance(value, dict) and set(value) == {"int"}:
            value = int(value["int"])
        setattr(meta, CWT_FIELDS[key], value)
    return meta


def sign_parameters(sign):
    jwk = sign.get("jwk")
    kind = key_kind(jwk)
    alg = sign.get("alg") or {"Ed25519": "EdDSA", "P-256": "ES256"}.get(kind)
    if (alg, kind) not in (("EdDSA", "Ed25519"), ("ES256", "P-256")):
        raise Unsupported(f"claim169 {LIBRARY_VERSION} signs with EdDSA/Ed25519 and ES256/P-256 only, "
                          f"not {sign.get('alg')} with a {kind} key")
    return alg, jwk_member(jwk, "d")


def encrypt_parameters(encrypt):
    if encrypt.get("iv") is not None:
        raise Unsupported("claim169 draws its own nonce: it cannot encrypt with a given IV")
    jwk = encrypt.get("jwk")
    if key_kind(jwk) != "oct":
        raise BadRequest("the encryption key is not kty oct")
    key = jwk_member(jwk, "k")
    alg = encrypt.get("alg") or {16: "A128GCM", 24: "A192GCM", 32: "A256GCM"}.get(len(key))
    if (alg, len(key)) not in (("A128GCM", 16), ("A256GCM", 32)):
        raise Unsupported(f"claim169 encrypts with A128GCM and A256GCM only, not {alg} "
                          f"with a {len(key)}-byte key")
    return alg, key


def hook_signer(alg, d):
    """A signer callback for encode_with_signer: the raw signature over the bytes the
    library hands over, computed with `cryptography` (see README.md, "kid")."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

    if alg == "EdDSA":
        key = ed25519.Ed25519PrivateKey.from_private_bytes(d)
        return lambda _alg, _kid, data: key.sign(data)
    key = ec.derive_private_key(int.from_bytes(d, "big"), ec.SECP256R1())

    def sign(_alg, _kid, data):
        r, s = decode_dss_signature(key.sign(data, ec.ECDSA(hashes.SHA256())))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")
    return sign


def hook_encryptor(key):
    """An encryptor callback: AES-GCM with the nonce and AAD the library hands over."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    aead = AESGCM(key)
    return lambda _alg, _kid, nonce, aad, plaintext: aead.encrypt(nonce, plaintext, aad)


def encode(request):
    if request.get("options"):
        raise Unsupported(f"encoder options are not supported: {sorted(request['options'])}")
    sign, encrypt = request.get("sign"), request.get("encrypt")
    enc = encrypt_parameters(encrypt) if encrypt else None
    try:
        claim = claim_input(request.get("claim169"))
        meta = cwt_input(request.get("cwt") or {})
    except (TypeError, ValueError) as e:
        # The typed setters of Claim169Input / CwtMetaInput refuse a value of another type.
        raise Unsupported(f"claim169's input classes cannot hold this: {type(e).__name__}: {e}") from e
    try:
        if sign is None:
            if enc:
                raise Unsupported("claim169 encrypts signed credentials only")
            return {"qr": claim169.encode(claim, meta, allow_unsigned=True)}
        alg, d = sign_parameters(sign)
        kid = sign.get("kid")
        if kid is None:
            # The library's own keys: encode() signs and encrypts itself.
            kwargs = {"sign_with_ed25519" if alg == "EdDSA" else "sign_with_ecdsa_p256": d}
            if enc:
                kwargs["encrypt_with_aes256" if enc[0] == "A256GCM" else "encrypt_with_aes128"] = enc[1]
            return {"qr": claim169.encode(claim, meta, **kwargs)}
        # A kid is written only by the callback API (encode_with_signer*).
        kid = bstr(kid)
        if enc:
            return {"qr": claim169.encode_with_signer_and_encryptor(
                claim, meta, hook_signer(alg, d), alg, hook_encryptor(enc[1]), enc[0], key_id=kid)}
        return {"qr": claim169.encode_with_signer(claim, meta, hook_signer(alg, d), alg, key_id=kid)}
    except (claim169.Claim169Exception, ValueError) as e:
        # The library's documented refusals ("ValueError: If keys are invalid",
        # "Claim169Exception: If encoding fails"); any other exception is a crash (internal).
        raise Unsupported(f"claim169 refuses to encode this: {type(e).__name__}: {e}") from e


# --- the loop -----------------------------------------------------------------

def answer(line):
    try:
        request = json.loads(line)
        rid = request["id"]
        if not isinstance(rid, int) or isinstance(rid, bool) or rid < 0:
            raise ValueError("id is not a non-negative integer")
    except (ValueError, KeyError, TypeError) as e:
        return {"id": None, "error": {"kind": "bad_request", "message": f"unreadable request: {e}"}}
    try:
        op = request.get("op")
        if op == "describe":
            return {"id": rid, **DESCRIPTION}
        if op == "decode":
            return {"id": rid, **decode(request)}
        if op == "encode":
            return {"id": rid, **encode(request)}
        return {"id": rid, "error": {"kind": "unsupported", "message": f"op {op!r} is not supported"}}
    except Unsupported as e:
        return {"id": rid, "error": {"kind": "unsupported", "message": str(e)}}
    except BadRequest as e:
        return {"id": rid, "error": {"kind": "bad_request", "message": str(e)}}
    except BaseException as e:  # noqa: BLE001 - a panic in the Rust core arrives as BaseException
        if isinstance(e, (KeyboardInterrupt, SystemExit)):
            raise
        print(f"claim169-py adapter: {type(e).__name__}: {e}", file=sys.stderr, flush=True)
        return {"id": rid, "error": {"kind": "internal", "message": f"{type(e).__name__}: {e}"}}


def main():
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(answer(line)) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
