#!/usr/bin/env python3
"""c169 protocol v1 adapter for pycose 1.1.0 (PyPI `pycose`), with cbor2, PyPI `base45` and zlib.

A Claim 169 verifier put together as a Python one usually is: base45.b45decode ->
zlib.decompress -> pycose's CoseMessage.decode -> Enc0Message.decrypt (when the
credential is encrypted) -> Sign1Message.verify_signature -> cbor2.loads of the
payload -> claim 169 out of the claims. The encoder runs the same way backwards
(Sign1Message.encode, Enc0Message.encode).

Persistent stdio: one JSON request per line in, one response per line out; logs go
to stderr. The same file serves two registered configurations, adapters/pycose
(cbor2 5.x) and adapters/pycose-cbor2-6 (cbor2 6.x): each runs it with the python
of its own .venv, and `describe` names the cbor2 it found.

Library and glue: pycose does the COSE layers, the signature and the decryption.
Base45, zlib, the CWT layer (tag 61, the claims map) and claim 169 are glue, and so
are the JWK -> COSE key translation and the choice of keys by kid; every rejection
the glue makes says "by": "glue". A rejection is made only from a documented
refusal (pycose's own exception classes, ValueError, cbor2's CBORDecodeError,
cryptography's InvalidTag, ecdsa's MalformedPointError, verify_signature returning
False); any other exception from inside the libraries (TypeError, KeyError,
AttributeError, IndexError ...) is a crash, answered with an `internal` error.
See README.md for the stage mapping and the library's quirks.
"""

import base64
import datetime
import decimal
import email.message
import fractions
import importlib.metadata
import ipaddress
import json
import os
import re
import sys
import traceback
import uuid
import zlib
from collections.abc import Mapping

import base45
import cbor2
from cryptography.exceptions import InvalidTag
from ecdsa.errors import MalformedPointError
from pycose import algorithms, headers
from pycose.exceptions import (CoseException, CoseIllegalAlgorithm, CoseIllegalKeyOps, CoseIllegalKeyType,
                               CoseInvalidKey, CoseMalformedMessage, CoseUnsupportedCurve)
from pycose.keys import EC2Key, OKPKey, SymmetricKey
from pycose.keys.curves import CoseCurve
from pycose.messages import CoseMessage, Enc0Message, Sign1Message

PYCOSE_VERSION = importlib.metadata.version("pycose")
CBOR2_VERSION = importlib.metadata.version("cbor2")

SIGN = {"EdDSA": algorithms.EdDSA, "ES256": algorithms.Es256, "ES384": algorithms.Es384, "ES512": algorithms.Es512}
ENCRYPT = {"A128GCM": algorithms.A128GCM, "A192GCM": algorithms.A192GCM, "A256GCM": algorithms.A256GCM}
# For an encode request without `alg` (protocol v1: "the key's", "by key length").
SIGN_BY_CURVE = {"Ed25519": "EdDSA", "P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
ENCRYPT_BY_LENGTH = {16: "A128GCM", 24: "A192GCM", 32: "A256GCM"}

DESCRIPTION = {
    # The cbor2 in use is part of the name: the same code runs as two configurations.
    "name": f"pycose (cbor2 {CBOR2_VERSION})",
    "version": PYCOSE_VERSION,
    "protocol": 1,
    "ops": ["describe", "decode", "encode"],
    # pycose 1.1.0 verifies and signs with these (and RS*, PS*, Ed448 ...), and decrypts and
    # encrypts with these (and AES-CCM ...).
    "algorithms": {"sign": list(SIGN), "encrypt": list(ENCRYPT)},
    # pycose is a COSE library: it reads no exp or nbf, so no validation time is honoured.
    # A COSE_Sign1 decoded by CoseMessage.decode is readable before (without) verify_signature.
    "options": {"now": False, "leeway": False, "unverified": True},
    "capabilities": [],
}

# The CWT tag (RFC 8392 §6), 61, in its one-byte-argument head: d8 3d.
CWT_TAG_HEAD = b"\xd8\x3d"

# The documented refusals. pycose's own exception classes; ValueError, which pycose raises
# for a value it refuses (a kid that is not a byte string, a bad crit, a key of the wrong
# size) and documents for CoseMessage.decode; cbor2's CBORDecodeError (not a ValueError in
# cbor2 5.x or 6.x), which pycose lets through from cbor2.loads; cryptography's InvalidTag
# (AES-GCM: the ciphertext does not open), which pycose lets through from decrypt; ecdsa's
# MalformedPointError (an EC point not on the curve), which pycose lets through from
# verify_signature. Everything else (TypeError, KeyError, AttributeError, IndexError,
# AssertionError ...) is a crash, even where CoseMessage.decode's docstring names the
# class: those builtin classes are also what a bug inside raises, and with cbor2 6.x the
# same TypeError comes for every well-formed message.
PYCOSE_ERRORS = (CoseException, CoseIllegalAlgorithm, CoseIllegalKeyOps, CoseIllegalKeyType,
                 CoseInvalidKey, CoseMalformedMessage, CoseUnsupportedCurve)
REFUSALS = PYCOSE_ERRORS + (ValueError, cbor2.CBORDecodeError, InvalidTag, MalformedPointError)


class Unsupported(Exception):
    pass


class BadRequest(Exception):
    pass


class Internal(Exception):
    pass


class Rejected(Exception):
    """A rejection: stage, code, message, and who made it (library or glue)."""

    def __init__(self, stage, code, message, by="library"):
        super().__init__(message)
        self.stage, self.code, self.by = stage, code, by


def refused(stage, error, context="", by="library"):
    """The rejection for a documented refusal: code pycose.<its class>."""
    name = "zlib.error" if isinstance(error, zlib.error) else type(error).__name__
    text = str(error) or name
    cause = error.__cause__ or error.__context__
    if cause is not None and isinstance(cause, cbor2.CBORDecodeError):
        text += f" (cbor2: {type(cause).__name__}: {cause})"
    return Rejected(stage, f"pycose.{name}", f"{context}{text}", by)


def print_traceback(error):
    """The traceback on stderr, which the rig attaches to the case, with each file named
    from its package (site-packages/…) or from adapters/…: no path of the machine it ran
    on goes into a published report."""
    text = "".join(traceback.format_exception(type(error), error, error.__traceback__))
    sys.stderr.write(re.sub(r'File "[^"]*?/(site-packages|adapters)/', r'File "\1/', text))
    sys.stderr.flush()


def crashed(where, error):
    """Any exception that is not a documented refusal: a crash, reported `internal`, naming
    the exception and the line that raised it (a bare `assert` has no text of its own)."""
    print_traceback(error)
    frames = traceback.extract_tb(error.__traceback__)
    at = ""
    if frames:
        at = f" at {frames[-1].filename.rsplit('site-packages/', 1)[-1]}:{frames[-1].lineno}"
    return Internal(f"{where} raised {type(error).__name__}{at}: {error}")


def depth_or(stage, error):
    """cbor2's nesting limit is a resource limit; any other refusal belongs to `stage`."""
    cause = error.__cause__ or error.__context__
    texts = str(error) + " " + str(cause or "")
    return "limit" if "nesting depth" in texts else stage


# --- canonical JSON <-> the values cbor2 gives and takes ------------------------

def canonical(value):
    """The canonical JSON (protocol v1, Values) of a value as cbor2 decoded it."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return value if -(2 ** 53) <= value <= 2 ** 53 else {"int": str(value)}
    if isinstance(value, float):
        if value != value:
            return {"float": "NaN"}
        if value in (float("inf"), float("-inf")):
            return {"float": "Infinity" if value > 0 else "-Infinity"}
        return {"float": value}
    if isinstance(value, (bytes, bytearray)):
        return {"bstr": bytes(value).hex()}
    if isinstance(value, Mapping):  # dict; FrozenDict / frozendict for a map inside a key or a tag
        keys = list(value)
        if all(isinstance(k, int) and not isinstance(k, bool) for k in keys):
            return {str(k): canonical(v) for k, v in value.items()}
        return {"map": [[canonical(k), canonical(v)] for k, v in value.items()]}
    if isinstance(value, cbor2.CBORSimpleValue):  # before tuple: a namedtuple in cbor2 5.x
        return {"simple": value.value}
    if isinstance(value, (list, tuple)):  # tuple: an array inside a key (5.x) or a tag (6.x)
        return [canonical(v) for v in value]
    if isinstance(value, cbor2.CBORTag):
        return {"tag": value.tag, "value": canonical(value.value)}
    if value is cbor2.undefined:
        return {"undefined": True}
    return semantic(value)


def semantic(value):
    """A tag cbor2 turned into a Python object, written back as the tag it most likely was:
    cbor2 does not keep the original form (tag 0 or 1, 4 or 5 ...)."""
    if isinstance(value, datetime.datetime):
        seconds = value.timestamp()
        return {"tag": 1, "value": int(seconds) if seconds == int(seconds) else {"float": seconds}}
    if isinstance(value, datetime.date):
        return {"tag": 100, "value": value.toordinal() - datetime.date(1970, 1, 1).toordinal()}
    if isinstance(value, decimal.Decimal):
        sign, digits, exponent = value.as_tuple()
        mantissa = int("".join(str(d) for d in digits) or "0")
        return {"tag": 4, "value": [exponent, canonical(-mantissa if sign else mantissa)]}
    if isinstance(value, fractions.Fraction):
        return {"tag": 30, "value": [canonical(value.numerator), canonical(value.denominator)]}
    if isinstance(value, uuid.UUID):
        return {"tag": 37, "value": {"bstr": value.bytes.hex()}}
    if isinstance(value, (set, frozenset)):
        return {"tag": 258, "value": [canonical(v) for v in value]}
    if isinstance(value, re.Pattern):
        return {"tag": 35, "value": value.pattern}
    if isinstance(value, email.message.Message):
        return {"tag": 36, "value": value.as_string()}
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):
        return {"tag": 260, "value": {"bstr": value.packed.hex()}}
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):
        return {"tag": 261, "value": {"map": [[{"bstr": value.network_address.packed.hex()}, value.prefixlen]]}}
    raise TypeError(f"cbor2 gave a {type(value).__name__}, which the adapter cannot write as canonical JSON")


def from_canonical(value):
    """The cbor2 value of a canonical JSON value (encode requests)."""
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [from_canonical(v) for v in value]
    if not isinstance(value, dict):
        raise BadRequest(f"not canonical JSON: {value!r}")
    members = set(value)
    if members == {"bstr"}:
        return bytes.fromhex(value["bstr"])
    if members == {"int"}:
        return int(value["int"])
    if members == {"float"}:
        f = value["float"]
        return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}.get(f, f))
    if members == {"undefined"}:
        return cbor2.undefined
    if members == {"simple"}:
        return cbor2.CBORSimpleValue(value["simple"])
    if members == {"tag", "value"}:
        return cbor2.CBORTag(value["tag"], from_canonical(value["value"]))
    if members == {"map"}:
        return {as_key(from_canonical(k)): from_canonical(v) for k, v in value["map"]}
    try:
        return {int(k): from_canonical(v) for k, v in value.items()}
    except ValueError as e:
        raise BadRequest(f"not canonical JSON: {e}") from e


def as_key(key):
    """A decoded map key Python can hash (an array becomes a tuple)."""
    return tuple(as_key(k) for k in key) if isinstance(key, list) else key


# --- keys: JWK -> pycose keys (glue: pycose reads COSE_Key maps, not JWK) ----------

def b64url(jwk, member):
    text = jwk.get(member)
    if text is None:
        return b""
    if not isinstance(text, str):
        raise BadRequest(f"JWK member {member} is not a string")
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except ValueError as e:  # binascii.Error
        raise BadRequest(f"JWK member {member} is not base64url: {e}") from e


def cose_key(jwk, private=False):
    """The pycose key of a JWK. The translation (member names, base64url, the curve's name in
    pycose's registry) is glue; the constructors' refusals are pycose's (PYCOSE_ERRORS,
    ValueError) and reach the caller as they are."""
    kty = jwk.get("kty")
    if kty == "oct":
        return SymmetricKey(k=b64url(jwk, "k"))
    if kty not in ("OKP", "EC"):
        raise Unsupported(f"JWK kty {kty!r}: the adapter translates OKP, EC and oct keys")
    crv = jwk.get("crv")
    if not isinstance(crv, str):
        raise BadRequest("JWK crv is missing or not a string")
    curve = CoseCurve.from_id(crv.upper().replace("-", "_"))  # P-256 -> P_256, Ed25519 -> ED25519
    d = b64url(jwk, "d") if private else b""
    if kty == "OKP":
        return OKPKey(crv=curve, x=b64url(jwk, "x"), d=d)
    return EC2Key(crv=curve, x=b64url(jwk, "x"), y=b64url(jwk, "y"), d=d)


def kid_of(message):
    """The message's kid, read as a verifier that picks keys by kid reads it: pycose's
    get_attr(KID), which looks in both buckets and refuses a kid found in both."""
    try:
        return message.get_attr(headers.KID)
    except REFUSALS as e:
        raise refused("cose", e, f"{type(message).__name__}.get_attr(KID): ") from e
    except Exception as e:
        raise crashed(f"{type(message).__name__}.get_attr(KID)", e) from e


def by_kid(jwks, kid):
    """Key choice (glue; pycose verifies with the one key it is handed): the JWKs whose kid
    equals the message's, or every key when none does (protocol v1, "Several keys, and kid")."""
    if isinstance(kid, bytes):
        named = [j for j in jwks if isinstance(j.get("kid"), str) and j["kid"].encode("utf-8") == kid]
        if named:
            return named
    return list(jwks)


# --- decode ---------------------------------------------------------------------

def cose_decode(data, what):
    """pycose's CoseMessage.decode: CBOR, the tag, the array and the headers."""
    try:
        return CoseMessage.decode(data)
    except REFUSALS as e:
        raise refused(depth_or("cose", e), e, f"CoseMessage.decode of {what}: ") from e
    except Exception as e:
        raise crashed(f"CoseMessage.decode of {what}", e) from e


def layer_stage(error, stage):
    """A refusal raised while decrypting or verifying: a malformed message (a header in both
    buckets, no payload) is `cose`; the rest belongs to the step."""
    text = str(error)
    return "cose" if "MALFORMED" in text or "payload" in text.lower() else stage


def decrypt(message, jwks):
    """Enc0Message.decrypt with each chosen key in turn; the plaintext of the first that opens it."""
    oct_keys = [j for j in jwks if j.get("kty") == "oct"]
    if not oct_keys:
        raise Rejected("decrypt", "pycose.no_key", "a COSE_Encrypt0 and no decryption key", by="glue")
    last = None
    for jwk in by_kid(oct_keys, kid_of(message)):
        try:
            message.key = cose_key(jwk)
            return message.decrypt()
        except REFUSALS as e:
            last = e
        except (Unsupported, BadRequest):
            raise
        except Exception as e:
            raise crashed("Enc0Message.decrypt", e) from e
    raise refused(layer_stage(last, "decrypt"), last, "Enc0Message.decrypt: ")


def verify(message, jwks):
    """Sign1Message.verify_signature with each chosen key in turn: True when one holds. Each
    key's answer is False (the documented "invalid signature") or a refusal."""
    answers = []
    for jwk in by_kid(jwks, kid_of(message)):
        try:
            message.key = cose_key(jwk)
            if message.verify_signature():
                return True
            answers.append(None)
        except REFUSALS as e:
            answers.append(e)
        except (Unsupported, BadRequest):
            raise
        except Exception as e:
            raise crashed("Sign1Message.verify_signature", e) from e
    if None in answers:
        raise Rejected("signature", "pycose.verify_false", "Sign1Message.verify_signature returned False")
    last = answers[-1]
    raise refused(layer_stage(last, "signature"), last, "Sign1Message.verify_signature: ")


def claims_of(payload):
    """Glue: the CWT layer, which pycose does not have. cbor2.loads of the payload, a map."""
    try:
        claims = cbor2.loads(payload)
    except (cbor2.CBORDecodeError, ValueError) as e:
        raise refused(depth_or("cwt", e), e, "cbor2.loads of the COSE payload: ", by="glue") from e
    except Exception as e:
        raise crashed("cbor2.loads of the COSE payload", e) from e
    if not isinstance(claims, Mapping):
        raise Rejected("cwt", "pycose.claims_not_a_map",
                       f"the COSE payload is a {type(claims).__name__}, not a claims map", by="glue")
    return claims


def pipeline(request, warnings):
    qr = request.get("qr")
    if not isinstance(qr, str):
        raise BadRequest("qr is missing or not a string")
    keys = request.get("keys") or {}
    if not isinstance(keys, dict):
        raise BadRequest("keys is not an object")
    verify_jwks, decrypt_jwks = keys.get("verify") or [], keys.get("decrypt") or []
    if not isinstance(verify_jwks, list) or not isinstance(decrypt_jwks, list):
        raise BadRequest("keys.verify and keys.decrypt must be lists")
    if not all(isinstance(j, dict) for j in verify_jwks + decrypt_jwks):
        raise BadRequest("a key is not a JWK object")

    # Glue: pycose has no Base45 and no zlib.
    try:
        compressed = base45.b45decode(qr)
    except ValueError as e:  # base45's one refusal: ValueError("Invalid base45 string")
        raise refused("base45", e, "base45.b45decode: ", by="glue") from e
    except Exception as e:
        raise crashed("base45.b45decode", e) from e
    try:
        data = zlib.decompress(compressed)
    except zlib.error as e:
        raise refused("zlib", e, "zlib.decompress: ", by="glue") from e

    # Glue: the CWT tag belongs to the CWT layer, which pycose does not have. Its head is
    # taken off the bytes (nothing is re-encoded) before pycose reads the COSE message.
    if data.startswith(CWT_TAG_HEAD):
        data = data[len(CWT_TAG_HEAD):]

    message = cose_decode(data, "the credential")
    if isinstance(message, Enc0Message):
        plaintext = decrypt(message, decrypt_jwks)
        message = cose_decode(plaintext, "the COSE_Encrypt0's plaintext")
        if not isinstance(message, Sign1Message):
            raise Rejected("cose", "pycose.not_sign1",
                           f"the COSE_Encrypt0 holds a {type(message).__name__}, not a COSE_Sign1", by="glue")
    elif not isinstance(message, Sign1Message):
        raise Rejected("cose", "pycose.not_sign1",
                       f"pycose read a {type(message).__name__}; the adapter goes on only with a "
                       "COSE_Sign1 or a COSE_Encrypt0", by="glue")

    verified = bool(verify_jwks) and verify(message, verify_jwks)
    if not verify_jwks:
        warnings.append({"flag": "SignatureNotVerified",
                         "message": "no verification key: verify_signature was not called"})
    if message.payload is None:  # a detached payload: no claims to read
        raise Rejected("cose", "pycose.no_payload", "the COSE_Sign1 carries no payload (nil)", by="glue")
    claims = claims_of(message.payload)

    # Glue: pycose knows no claim 169.
    if 169 not in claims:
        raise Rejected("claim169", "pycose.no_claim169", "the claims hold no claim 169", by="glue")
    return {
        "verdict": "accept",
        "claim169": canonical(claims[169]),
        "cwt": canonical({k: v for k, v in claims.items() if k != 169}),
        "verified": verified,
        "warnings": warnings,
    }


def decode(request):
    warnings = []
    if (request.get("options") or {}).get("now") is not None:
        warnings.append({"flag": "TimeNotChecked", "message": "pycose reads no exp or nbf"})
    try:
        return pipeline(request, warnings)
    except Rejected as e:
        outcome = {"verdict": "reject", "stage": e.stage, "code": e.code, "message": str(e), "warnings": warnings}
        if e.by != "library":
            outcome["by"] = e.by
        return outcome


# --- encode ---------------------------------------------------------------------

def encode(request):
    if request.get("options"):
        raise Unsupported(f"no encode option is known: {sorted(request['options'])}")
    sign, encrypt = request.get("sign"), request.get("encrypt")
    if not sign:
        raise Unsupported("the adapter makes signed credentials only (pycose has no CWT of its own)")
    # Glue: the CWT layer, the claims map as the COSE payload.
    claims = from_canonical(request.get("cwt") or {})
    if not isinstance(claims, dict):
        raise BadRequest("cwt is not a map")
    claims[169] = from_canonical(request["claim169"])
    payload = cbor2.dumps(claims)

    alg = sign.get("alg") or SIGN_BY_CURVE.get(sign["jwk"].get("crv"))
    if alg not in SIGN:
        raise Unsupported(f"signature algorithm {alg!r}")
    phdr = {headers.Algorithm: SIGN[alg]}
    if sign.get("kid"):
        phdr[headers.KID] = bytes.fromhex(sign["kid"]["bstr"])
    try:
        message = Sign1Message(phdr=phdr, payload=payload)
        message.key = cose_key(sign["jwk"], private=True)
        token = message.encode()
        if encrypt:
            enc = encrypt.get("alg") or ENCRYPT_BY_LENGTH.get(len(b64url(encrypt["jwk"], "k")))
            if enc not in ENCRYPT:
                raise Unsupported(f"content algorithm {enc!r}")
            # pycose draws no IV: when none is given the adapter draws one (glue).
            iv = bytes.fromhex(encrypt["iv"]["bstr"]) if encrypt.get("iv") else os.urandom(12)
            outer = Enc0Message(phdr={headers.Algorithm: ENCRYPT[enc]}, uhdr={headers.IV: iv}, payload=token)
            outer.key = cose_key(encrypt["jwk"])
            token = outer.encode()
    except REFUSALS as e:
        raise Unsupported(f"pycose refused: {type(e).__name__}: {e}") from e
    except (Unsupported, BadRequest):
        raise
    except Exception as e:
        raise crashed("pycose's encoder", e) from e
    # Glue: zlib and Base45.
    return {"qr": base45.b45encode(zlib.compress(token)).decode("ascii")}


# --- the loop ---------------------------------------------------------------------

def answer(line):
    try:
        request = json.loads(line)
        rid = request["id"]
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
    except Internal as e:
        return {"id": rid, "error": {"kind": "internal", "message": str(e)}}
    except Exception as e:  # a bug in the adapter must not take it down
        print_traceback(e)
        return {"id": rid, "error": {"kind": "internal", "message": f"adapter: {type(e).__name__}: {e}"}}


def main():
    sys.setrecursionlimit(10000)  # canonical() recurses per level; cbor2 stops at 400
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(answer(line)) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
