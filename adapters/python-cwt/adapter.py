#!/usr/bin/env python3
"""c169 protocol v1 adapter for python-cwt 3.3.0 (PyPI `cwt`), with PyPI `base45` and zlib.

The pipeline: base45.b45decode -> zlib.decompress -> the layers of CWT.decode
(cwt/cwt.py) run through python-cwt's public COSE object -> claim 169 out of the
claims. Persistent stdio: one JSON request per line in, one response per line out.
Logs go to stderr. See README.md for the stage mapping and the library's quirks.

Library and glue: python-cwt does the COSE, signature, decryption and CWT steps.
Base45 (PyPI base45), zlib (Python's zlib) and taking claim 169 out of the claims
are the adapter's glue: their rejections say "by": "glue". Only the documented
refusals are rejections (python-cwt's DecodeError, VerifyError and the ValueError
it documents for invalid input; base45's ValueError; zlib.error); any other
exception is a crash and is answered with an `internal` error.
"""

import base64
import datetime
import email.message
import ipaddress
import re
import decimal
import fractions
import json
import sys
import traceback
import uuid
import zlib
from collections.abc import Mapping

import base45
import cbor2
import cwt
from cwt import COSEKey, DecodeError, VerifyError

DESCRIPTION = {
    "name": "python-cwt",
    "version": cwt.__version__,
    "protocol": 1,
    "ops": ["describe", "decode", "encode"],
    # python-cwt 3.3.0 verifies and signs with these (and more: RS*, PS*, ES256K, Ed448 ...).
    "algorithms": {"sign": ["EdDSA", "ES256", "ES384", "ES512"], "encrypt": ["A128GCM", "A192GCM", "A256GCM"]},
    # CWT.decode checks exp/nbf only against the system clock, with a leeway that must be > 0;
    # it cannot take the rig's time. It never returns the claims of a COSE_Sign1 it has not verified.
    "options": {"now": False, "leeway": False, "unverified": False},
    "capabilities": [],
}

AES_GCM_BY_LENGTH = {16: "A128GCM", 24: "A192GCM", 32: "A256GCM"}
SIGN_TAGS = (18, 98)
ENCRYPT_TAGS = (16, 96)

# A CWT object like the one behind cwt.decode: its COSE has verify_kid=True. Its claim
# validation compares exp/nbf with the system clock; the leeway keeps every realistic
# exp/nbf in range, so that verdicts do not depend on the day of the run (see README).
CTX = cwt.CWT.new(leeway=2 ** 62)


class Unsupported(Exception):
    pass


class BadRequest(Exception):
    pass


class Internal(Exception):
    pass


# --- canonical JSON <-> the values cbor2 gives and takes --------------------

def canonical(value):
    """The canonical JSON of a value as cbor2 decoded it."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int):
        return value if abs(value) <= 2 ** 53 else {"int": str(value)}
    if isinstance(value, float):
        if value != value:
            return {"float": "NaN"}
        if value in (float("inf"), float("-inf")):
            return {"float": "Infinity" if value > 0 else "-Infinity"}
        return {"float": value}
    if isinstance(value, (bytes, bytearray)):
        return {"bstr": bytes(value).hex()}
    if isinstance(value, Mapping):  # dict, and FrozenDict for a map used as a key: duplicates already collapsed
        keys = list(value)
        if all(isinstance(k, int) and not isinstance(k, bool) for k in keys):
            return {str(k): canonical(v) for k, v in value.items()}
        return {"map": [[canonical(k), canonical(v)] for k, v in value.items()]}
    if isinstance(value, cbor2.CBORSimpleValue):  # a namedtuple: before tuple
        return {"simple": value.value}
    if isinstance(value, (list, tuple)):  # tuple: an array used as a map key
        return [canonical(v) for v in value]
    if isinstance(value, cbor2.CBORTag):
        return {"tag": value.tag, "value": canonical(value.value)}
    if value is cbor2.undefined:
        return {"undefined": True}
    # Tags cbor2 decodes into Python objects; the original tag form is not kept by cbor2.
    if isinstance(value, datetime.datetime):  # tag 0 or 1
        ts = value.timestamp()
        return {"tag": 1, "value": int(ts) if ts == int(ts) else {"float": ts}}
    if isinstance(value, datetime.date):  # tag 100 or 1004
        return {"tag": 100, "value": value.toordinal() - 719163}
    if isinstance(value, decimal.Decimal):  # tag 4 (or 5)
        sign, digits, exponent = value.as_tuple()
        mantissa = int("".join(map(str, digits)) or "0") * (-1 if sign else 1)
        return {"tag": 4, "value": [exponent, canonical(mantissa)]}
    if isinstance(value, fractions.Fraction):  # tag 30
        return {"tag": 30, "value": [canonical(value.numerator), canonical(value.denominator)]}
    if isinstance(value, uuid.UUID):  # tag 37
        return {"tag": 37, "value": {"bstr": value.bytes.hex()}}
    if isinstance(value, (set, frozenset)):  # tag 258
        return {"tag": 258, "value": [canonical(v) for v in value]}
    if isinstance(value, re.Pattern):  # tag 35
        return {"tag": 35, "value": value.pattern}
    if isinstance(value, email.message.Message):  # tag 36
        return {"tag": 36, "value": value.as_string()}
    if isinstance(value, (ipaddress.IPv4Address, ipaddress.IPv6Address)):  # tag 260 / 52 / 54
        return {"tag": 260, "value": {"bstr": value.packed.hex()}}
    if isinstance(value, (ipaddress.IPv4Network, ipaddress.IPv6Network)):  # tag 261
        return {"tag": 261, "value": {"map": [[{"bstr": value.network_address.packed.hex()}, value.prefixlen]]}}
    raise TypeError(f"cbor2 decoded a value into {type(value).__name__}, which the adapter cannot express")


def from_canonical(value):
    """The cbor2 value of a canonical JSON value (encode requests)."""
    if value is None or isinstance(value, (bool, str, int, float)):
        return value
    if isinstance(value, list):
        return [from_canonical(v) for v in value]
    if not isinstance(value, dict):
        raise BadRequest(f"not canonical JSON: {value!r}")
    if set(value) == {"bstr"}:
        return bytes.fromhex(value["bstr"])
    if set(value) == {"int"}:
        return int(value["int"])
    if set(value) == {"float"}:
        f = value["float"]
        return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}.get(f, f))
    if set(value) == {"undefined"}:
        return cbor2.undefined
    if set(value) == {"simple"}:
        return cbor2.CBORSimpleValue(value["simple"])
    if set(value) == {"tag", "value"}:
        return cbor2.CBORTag(value["tag"], from_canonical(value["value"]))
    if set(value) == {"map"}:
        return {hashable(from_canonical(k)): from_canonical(v) for k, v in value["map"]}
    try:
        return {int(k): from_canonical(v) for k, v in value.items()}
    except ValueError as e:
        raise BadRequest(f"not canonical JSON: {e}") from e


def hashable(key):
    return tuple(hashable(k) for k in key) if isinstance(key, list) else key


# --- keys ---------------------------------------------------------------------

def cose_key(jwk, kid=None, alg=None):
    """COSEKey.from_jwk on the JWK. For a symmetric key without alg the adapter names the
    AES-GCM algorithm of its length (python-cwt needs one; protocol v1: "by key length");
    a key of no AES-GCM length, or whose k cannot be read, is passed on without alg and
    python-cwt refuses it itself. kid replaces the JWK's when given."""
    jwk = {k: v for k, v in jwk.items() if k != "c169_test_key"}
    if kid is not None:
        jwk["kid"] = kid
    if alg is not None:
        jwk["alg"] = alg
    elif jwk.get("kty") == "oct" and "alg" not in jwk:
        length = symmetric_length(jwk.get("k"))
        if length in AES_GCM_BY_LENGTH:
            jwk["alg"] = AES_GCM_BY_LENGTH[length]
    return COSEKey.from_jwk(jwk)


def symmetric_length(text):
    """The length of a JWK's k, or None when it is not base64url text."""
    if not isinstance(text, str):
        return None
    try:
        return len(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
    except ValueError:  # binascii.Error
        return None


# --- decode -------------------------------------------------------------------

def reject(stage, code, message, by="library"):
    """A rejection; by "glue" when the adapter's glue, not python-cwt, refused (protocol v1 `by`)."""
    outcome = {"verdict": "reject", "stage": stage, "code": code, "message": message, "warnings": []}
    if by != "library":
        outcome["by"] = by
    return outcome


def rejected(stage, error, context="", by="library"):
    """A rejection for a documented exception: code python-cwt.<its class>."""
    name = "zlib.error" if isinstance(error, zlib.error) else type(error).__name__
    return reject(stage, f"python-cwt.{name}", f"{context}{error}" if str(error) else f"{context}{name}", by)


def crashed(where, error):
    """An exception that is not a documented refusal: a crash, reported `internal`."""
    traceback.print_exc(file=sys.stderr)
    return Internal(f"{where} raised {type(error).__name__}: {error}")


# python-cwt's documented refusals (its docstrings: "ValueError: Invalid arguments.",
# "DecodeError: Failed to decode ...", "VerifyError: Failed to verify ...").
CWT_REFUSALS = (ValueError, DecodeError, VerifyError)


def layer_stage(tag, error):
    """The stage of an exception raised by COSE.decode_with_headers on a layer with `tag`."""
    text = str(error)
    if isinstance(error, VerifyError):
        return "signature"
    if isinstance(error, DecodeError):
        return "decrypt" if "decrypt" in text else "cose"
    if isinstance(error, ValueError) and ("key is not found" in text or "kid should be specified" in text
                                          or "nonce" in text):
        return "decrypt" if tag in ENCRYPT_TAGS else "signature"
    return "cose"


def cbor_stage(error, stage):
    """cbor2's error for a nesting limit is a resource limit; any other is the layer's."""
    return "limit" if "depth" in str(error) else stage


def loads(data, stage, context=""):
    """python-cwt's own CBOR step (CBORProcessor._loads, what CWT.decode calls): cbor2.loads,
    with every exception of cbor2 turned into DecodeError("Failed to decode.") by python-cwt
    itself. Returns (value, None) or (None, the rejection)."""
    try:
        return CTX._loads(data), None
    except DecodeError as e:
        cause = e.__cause__
        detail = f" (cbor2: {type(cause).__name__}: {cause})" if cause is not None else ""
        return None, reject(cbor_stage(cause, stage), "python-cwt.DecodeError", f"{context}{e}{detail}")


def decode(request):
    qr = request.get("qr")
    if not isinstance(qr, str):
        raise BadRequest("qr is missing or not a string")
    # Glue: python-cwt has no Base45 and no zlib step.
    try:
        compressed = base45.b45decode(qr)
    except ValueError as e:  # base45's one refusal: ValueError("Invalid base45 string")
        return rejected("base45", e, by="glue")
    try:
        data = zlib.decompress(compressed)
    except zlib.error as e:
        return rejected("zlib", e, by="glue")

    keys = request.get("keys") or {}
    cose_keys = []
    for purpose, stage in (("verify", "signature"), ("decrypt", "decrypt")):
        for jwk in keys.get(purpose) or []:
            if not isinstance(jwk, dict):
                raise BadRequest(f"a {purpose} key is not a JWK object")
            try:
                cose_keys.append(cose_key(jwk))
            except CWT_REFUSALS as e:  # python-cwt refuses the key, so it cannot use it
                return rejected(stage, e, f"COSEKey.from_jwk refused the {purpose} key: ")
            except Exception as e:
                raise crashed("COSEKey.from_jwk", e) from e

    # The body of CWT.decode(data, keys) in cwt/cwt.py, step by step, so that a failure
    # names its layer: the same calls (_loads, COSE.decode_with_headers, _verify).
    token, rejection = loads(data, "cose")
    if rejection:
        return rejection
    if isinstance(token, cbor2.CBORTag) and token.tag == cwt.CWT.CBOR_TAG:
        token = token.value
    protected, verified = {}, False
    while isinstance(token, cbor2.CBORTag):
        tag = token.tag
        try:
            protected, _, payload = CTX.cose.decode_with_headers(token, cose_keys)
        except CWT_REFUSALS as e:
            return rejected(layer_stage(tag, e), e, f"COSE layer with tag {tag}: ")
        except Exception as e:
            raise crashed(f"COSE.decode_with_headers on the layer with tag {tag}", e) from e
        verified = verified or tag in SIGN_TAGS
        token, rejection = loads(payload, "cwt", f"the payload of the COSE layer with tag {tag}: ")
        if rejection:
            return rejection
    try:
        CTX._verify(token, protected)  # claims a map, exp/nbf numbers and in range, header 13
    except VerifyError as e:
        return rejected("time" if "expired" in str(e) or "not yet valid" in str(e) else "cwt", e)
    except (DecodeError, ValueError) as e:
        return rejected("cwt", e)
    except Exception as e:
        raise crashed("CWT._verify (the claim validation of CWT.decode)", e) from e

    # Glue: python-cwt knows no claim 169. The protocol answer needs one to return.
    if 169 not in token:
        return reject("claim169", "python-cwt.no_claim169", "the claims hold no claim 169", by="glue")
    outcome = {
        "verdict": "accept",
        "claim169": canonical(token[169]),
        "cwt": canonical({k: v for k, v in token.items() if k != 169}),
        "verified": verified,
        "warnings": [],
    }
    return outcome


# --- encode -------------------------------------------------------------------

def encode(request):
    if request.get("options"):
        raise Unsupported(f"python-cwt knows no encode option {sorted(request['options'])}")
    claims = from_canonical(request.get("cwt") or {})
    if not isinstance(claims, dict):
        raise BadRequest("cwt is not a map")
    claims[169] = from_canonical(request["claim169"])
    sign, encrypt = request.get("sign"), request.get("encrypt")
    if not sign and not encrypt:
        raise Unsupported("python-cwt makes no CWT that is neither signed, MACed nor encrypted")
    try:
        if sign:
            alg = sign.get("alg")
            if alg is not None and alg not in DESCRIPTION["algorithms"]["sign"]:
                raise Unsupported(f"signature algorithm {alg}")
            kid = bytes.fromhex(sign["kid"]["bstr"]) if sign.get("kid") else None
            jwk = {k: v for k, v in sign["jwk"].items() if k != "kid"}
            token = cwt.encode_and_sign(claims, cose_key(jwk, kid=kid, alg=alg))
        if encrypt:
            alg = encrypt.get("alg")
            if alg is not None and alg not in DESCRIPTION["algorithms"]["encrypt"]:
                raise Unsupported(f"content algorithm {alg}")
            iv = bytes.fromhex(encrypt["iv"]["bstr"]) if encrypt.get("iv") else b""
            jwk = {k: v for k, v in encrypt["jwk"].items() if k != "kid"}
            content = token if sign else claims
            token = cwt.encode_and_encrypt(content, cose_key(jwk, alg=alg), nonce=iv)
    except (ValueError, cwt.EncodeError) as e:
        raise Unsupported(f"python-cwt refused: {type(e).__name__}: {e}") from e
    return {"qr": base45.b45encode(zlib.compress(token)).decode("ascii")}


# --- the loop -----------------------------------------------------------------

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
    except Exception as e:  # a bug here must not take the adapter down
        traceback.print_exc(file=sys.stderr)
        return {"id": rid, "error": {"kind": "internal", "message": f"{type(e).__name__}: {e}"}}


def main():
    sys.setrecursionlimit(10000)  # canonical() recurses once or twice per level; cbor2 stops at 400
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(answer(line)) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
