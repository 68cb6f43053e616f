#!/usr/bin/env python3
"""A tiny c169 protocol v1 adapter, in two configurations.

Without options it is Python 3 standard library only: `describe` and `decode`
for credentials it does not verify, with its own Base45 and CBOR readers and
zlib from the standard library. Its `describe` answer claims no signature or
encryption algorithm, so the rig skips every case that needs a verification or
a decryption.

With --verify, and the PyPI package `cryptography` installed, it also verifies
COSE_Sign1 signatures (EdDSA, ES256, ES384, ES512) and decrypts COSE_Encrypt0
(A128GCM, A192GCM, A256GCM) with the keys each request gives (cose_crypto.py,
beside this file), and claims those algorithms in `describe`. Without
`cryptography` it says so on stderr and runs as without --verify.

Run by the rig as a persistent adapter (one JSON object per line each way):

    c169 run --adapter-cmd "python3 adapters/examples/python/c169_adapter.py"
    c169 run --adapter-cmd "python3 adapters/examples/python/c169_adapter.py --verify"

Walked through in adapters/PROTOCOL.md, "Writing an adapter".
"""

import json
import struct
import sys
import zlib

# --- Base45 (RFC 9285) ------------------------------------------------------

ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:"
VALUE = {c: i for i, c in enumerate(ALPHABET)}


def base45_decode(text):
    for position, c in enumerate(text):
        if c not in VALUE:
            raise ValueError(f"character {c!r} at {position} is not Base45")
    if len(text) % 3 == 1:
        raise ValueError("a single character dangles at the end")
    out = bytearray()
    for i in range(0, len(text), 3):
        group = [VALUE[c] for c in text[i:i + 3]]
        n = sum(v * 45 ** k for k, v in enumerate(group))
        if len(group) == 3:
            if n > 0xFFFF:
                raise ValueError(f"group at {i} exceeds 65535")
            out += n.to_bytes(2, "big")
        else:
            if n > 0xFF:
                raise ValueError(f"final pair at {i} exceeds 255")
            out.append(n)
    return bytes(out)


# --- CBOR (RFC 8949), just enough -------------------------------------------

class Tag:
    def __init__(self, number, value):
        self.number, self.value = number, value


class Map(list):
    """A CBOR map: a list of (key, value) pairs, so order and duplicates survive."""


class Simple:
    def __init__(self, number):
        self.number = number


UNDEFINED = Simple(23)


class TooDeep(ValueError):
    """Nested deeper than this reader goes: a resource limit, not a malformed item."""


def cbor_decode(data):
    """The one item `data` holds; trailing bytes are an error."""
    value, end = _item(data, 0, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the CBOR item")
    return value


def _item(data, i, depth):
    if depth > 64:
        raise TooDeep("nested more than 64 deep")
    if i >= len(data):
        raise ValueError("the CBOR ends early")
    major, info = data[i] >> 5, data[i] & 0x1F
    i += 1
    if info == 31 and major in (2, 3, 4, 5):
        return _indefinite(data, i, depth, major)
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        if i + size > len(data):
            raise ValueError("the CBOR ends early")
        arg = int.from_bytes(data[i:i + size], "big")
        if major == 7 and info >= 25:  # half, single, double float
            raw = data[i:i + size]
            i += size
            if size == 2:
                return struct.unpack(">e", raw)[0], i
            return struct.unpack(">f" if size == 4 else ">d", raw)[0], i
        i += size
    elif info == 31 and major == 7:
        raise ValueError("a break (0xff) outside an indefinite-length item")
    else:
        raise ValueError(f"additional information {info} is not allowed for major type {major}")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        if i + arg > len(data):
            raise ValueError("a string runs past the end")
        raw = data[i:i + arg]
        return (bytes(raw) if major == 2 else raw.decode("utf-8")), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = _item(data, i, depth + 1)
            items.append(item)
        return items, i
    if major == 5:
        pairs = Map()
        for _ in range(arg):
            key, i = _item(data, i, depth + 1)
            value, i = _item(data, i, depth + 1)
            pairs.append((key, value))
        return pairs, i
    if major == 6:
        value, i = _item(data, i, depth + 1)
        return Tag(arg, value), i
    return {20: False, 21: True, 22: None}.get(arg, UNDEFINED if arg == 23 else Simple(arg)), i


def _indefinite(data, i, depth, major):
    """A string, array or map of indefinite length: items up to a break (0xff)."""
    items = []
    while True:
        if i >= len(data):
            raise ValueError("the CBOR ends early")
        if data[i] == 0xFF:
            i += 1
            break
        if major in (2, 3) and (data[i] >> 5 != major or data[i] & 0x1F == 31):
            raise ValueError("a chunk of an indefinite-length string is not a definite string of its type")
        item, i = _item(data, i, depth + 1)
        items.append(item)
    if major == 2:
        return b"".join(items), i
    if major == 3:
        return "".join(items), i
    if major == 4:
        return items, i
    if len(items) % 2:
        raise ValueError("an indefinite-length map ends after a key")
    return Map(zip(items[::2], items[1::2])), i


def is_map(value):
    return isinstance(value, Map)


def is_int(value):
    return isinstance(value, int) and not isinstance(value, bool)


def first(pairs, key, default=None):
    """The value of `key` in a map, or `default`."""
    return next((v for k, v in pairs if k == key and type(k) is type(key)), default)


def duplicate(pairs):
    """A key that a map holds twice, or None (RFC 8949 section 5.6: not valid)."""
    seen = []
    for k, _ in pairs:
        if any(type(k) is type(s) and k == s for s in seen):
            return k
        seen.append(k)
    return None


def canonical(value):
    """The canonical JSON of a CBOR value (see harness/model/src/canonical.rs)."""
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
    if isinstance(value, bytes):
        return {"bstr": value.hex()}
    if isinstance(value, Tag):
        return {"tag": value.number, "value": canonical(value.value)}
    if isinstance(value, Simple):
        return {"undefined": True} if value is UNDEFINED else {"simple": value.number}
    if is_map(value):
        keys = [k for k, _ in value]
        if all(is_int(k) for k in keys) and len(set(keys)) == len(keys):
            return {str(k): canonical(v) for k, v in value}
        return {"map": [[canonical(k), canonical(v)] for k, v in value]}
    return [canonical(v) for v in value]


# --- the pipeline ------------------------------------------------------------

# The other half, cose_crypto.py: loaded by main() when started with --verify.
CRYPTO = None
# A credential must not inflate without bound: this much and no more is inflated.
MAX_INFLATED = 1 << 20


class Rejected(Exception):
    """The credential is rejected at `stage`, with a machine `code`."""

    def __init__(self, stage, code, message):
        super().__init__(message)
        self.stage, self.code = stage, code


class Unsupported(Exception):
    pass


def reject(stage, code, message):
    return {"verdict": "reject", "stage": stage, "code": code, "message": message, "warnings": []}


def decode(request):
    try:
        return pipeline(request)
    except Rejected as e:
        return reject(e.stage, e.code, str(e))


def pipeline(request):
    keys = request.get("keys") or {}
    verify_keys, decrypt_keys = keys.get("verify") or [], keys.get("decrypt") or []
    if CRYPTO is None and (verify_keys or decrypt_keys):
        raise Unsupported("this adapter verifies and decrypts only when started with --verify")
    if verify_keys:
        crypto(CRYPTO.check_keys, verify_keys)
    try:
        compressed = base45_decode(request["qr"])
    except ValueError as e:
        raise Rejected("base45", "base45.invalid", str(e)) from None
    try:
        # One stream, nothing after it: zlib.decompress alone ignores trailing bytes.
        inflater = zlib.decompressobj()
        cose = inflater.decompress(compressed, MAX_INFLATED)
        if not inflater.eof and len(cose) == MAX_INFLATED:
            raise Rejected("limit", "limit.inflated", f"the zlib stream inflates past {MAX_INFLATED} bytes")
        if not inflater.eof or inflater.unused_data:
            raise Rejected("zlib", "zlib.not_one_stream", "a truncated zlib stream, or bytes after it")
    except zlib.error as e:
        raise Rejected("zlib", "zlib.invalid", str(e)) from None
    tags, item = untag(cbor_or_reject(cose, "cose"))
    warnings = [] if tags else [{"flag": "Untagged", "message": "the COSE_Sign1 carries no tag 18"}]
    structure = "sign1"
    if tags in ([16], [61, 16]):
        if CRYPTO is None:
            raise Unsupported("the credential is encrypted (COSE_Encrypt0); this adapter cannot decrypt")
        structure = "encrypt0"
        inner_tags, item = open_encrypt0(item, decrypt_keys)
        tags += inner_tags
    elif tags not in ([], [18], [61, 18]):
        raise Rejected("cose", "cose.unexpected_tag", f"tags {tags}: not a COSE_Sign1 (18) or COSE_Encrypt0 (16)")
    # COSE_Sign1 = [protected header bytes, unprotected header map, payload, signature]
    if not (isinstance(item, list) and len(item) == 4 and isinstance(item[2], bytes) and isinstance(item[3], bytes)):
        raise Rejected("cose", "cose.not_sign1", "not a COSE_Sign1 with a payload")
    protected, unprotected = headers(item[0], item[1], "COSE_Sign1")
    alg = first(protected, 1)
    if alg is None:
        raise Rejected("cose", "cose.alg_not_protected", "the protected header holds no alg (1)")
    kid = first(protected, 4, first(unprotected, 4))
    if kid is not None and not isinstance(kid, bytes):
        raise Rejected("cose", "cose.kid_wrong_type", "kid (4) must be a byte string")
    if verify_keys:
        if not is_int(alg) or alg not in CRYPTO.SIGNATURE:
            raise Rejected("cose", "cose.unknown_algorithm", f"signature algorithm {alg!r} is not known here")
        crypto(CRYPTO.verify, alg, item[0], item[2], item[3], verify_keys, kid)
    else:
        warnings.append({"flag": "SignatureNotVerified", "message": "no verification key: the signature was not checked"})
    claims = cbor_or_reject(item[2], "cwt")
    others, c169 = claims_set(claims)
    check_time(others, request.get("options") or {})
    check_claim169(c169)
    return {
        "verdict": "accept",
        "claim169": canonical(c169),
        "cwt": canonical(Map(others)),
        "verified": bool(verify_keys),
        "cose": {"structure": structure, "tags": tags, "alg": alg if is_int(alg) else None, "kid": canonical(kid)},
        "warnings": warnings,
    }


def crypto(step, *args):
    """A step of cose_crypto.py, its refusals turned into rejections."""
    try:
        return step(*args)
    except CRYPTO.Refused as e:
        raise Rejected(e.stage, e.code, str(e)) from None


def cbor_or_reject(data, stage):
    try:
        return cbor_decode(data)
    except TooDeep as e:
        raise Rejected("limit", "limit.depth", str(e)) from None
    except (ValueError, UnicodeDecodeError) as e:
        raise Rejected(stage, f"{stage}.bad_cbor", str(e)) from None


def untag(item):
    """The tags around a value, outermost first, and the value inside them."""
    tags = []
    while isinstance(item, Tag):
        tags.append(item.number)
        item = item.value
    return tags, item


# --- COSE headers (RFC 9052 section 3, RFC 9360) ----------------------------

UNDERSTOOD = {1, 2, 3, 4, 5, 6, 32, 33, 34, 35}  # the labels this adapter reads


def headers(protected_bytes, unprotected, structure):
    """The protected and unprotected header maps of a COSE structure, checked:
    labels are integers or text, none twice in a bucket nor in both, crit is
    protected and names labels understood here, certificate headers are well
    formed."""
    if not isinstance(protected_bytes, bytes):
        raise Rejected("cose", "cose.protected_not_bytes", f"the protected header of the {structure} is not a byte string")
    protected = cbor_or_reject(protected_bytes, "cose") if protected_bytes else Map()
    if not is_map(protected) or not is_map(unprotected):
        raise Rejected("cose", "cose.header_not_map", f"a header of the {structure} is not a map")
    for bucket in (protected, unprotected):
        if any(not (is_int(k) or isinstance(k, str)) for k, _ in bucket) or duplicate(bucket) is not None:
            raise Rejected("cose", "cose.bad_label", f"header labels of the {structure} must be distinct integers or text")
    # RFC 9052 section 3 asks applications to check this (SHOULD); the reference refuses.
    both = [k for k, _ in protected if first(unprotected, k) is not None]
    if both:
        raise Rejected("cose", "cose.label_in_both_buckets", f"label {both[0]!r} stands in both header buckets")
    if first(unprotected, 2) is not None:
        raise Rejected("cose", "cose.crit_not_protected", "crit (2) must stand in the protected header")
    crit = first(protected, 2)
    if crit is not None:
        if not isinstance(crit, list) or not crit:
            raise Rejected("cose", "cose.crit_malformed", "crit must be a non-empty array of labels")
        for label in crit:
            if not is_int(label) or label not in UNDERSTOOD or first(protected, label) is None:
                raise Rejected("cose", "cose.crit_label", f"crit names {label!r}: not understood here, or not protected")
    for label in (32, 33, 34, 35):
        value = first(protected, label, first(unprotected, label))
        if value is not None and not x5_well_formed(label, value):
            raise Rejected("cose", "cose.x5_malformed", f"certificate header {label} is malformed")
    return protected, unprotected


def x5_well_formed(label, value):
    """x5bag (32), x5chain (33): one certificate or a non-empty array of them;
    x5t (34): [hash algorithm, hash]; x5u (35): a URI as text (RFC 9360)."""
    if label in (32, 33):
        return isinstance(value, bytes) or (
            isinstance(value, list) and value and all(isinstance(c, bytes) for c in value))
    if label == 34:
        return (isinstance(value, list) and len(value) == 2
                and (is_int(value[0]) or isinstance(value[0], str)) and isinstance(value[1], bytes))
    return isinstance(value, str) or (isinstance(value, Tag) and value.number == 32 and isinstance(value.value, str))


def open_encrypt0(item, decrypt_keys):
    """The tags and the COSE_Sign1 inside a COSE_Encrypt0 [protected, unprotected, ciphertext]."""
    if not (isinstance(item, list) and len(item) == 3 and isinstance(item[2], bytes)):
        raise Rejected("cose", "cose.not_encrypt0", "not a COSE_Encrypt0 with a ciphertext")
    protected, unprotected = headers(item[0], item[1], "COSE_Encrypt0")
    alg = first(protected, 1)
    if not is_int(alg) or alg not in CRYPTO.CONTENT:
        raise Rejected("cose", "cose.enc_alg", f"the protected header names no content algorithm known here ({alg!r})")
    iv = first(protected, 5, first(unprotected, 5))
    if not isinstance(iv, bytes) or first(protected, 6, first(unprotected, 6)) is not None:
        raise Rejected("decrypt", "decrypt.iv", "the COSE_Encrypt0 needs one IV (5), a byte string, and no Partial IV (6)")
    kid = first(protected, 4, first(unprotected, 4))
    plaintext = crypto(CRYPTO.decrypt, alg, iv, item[0], item[2], decrypt_keys, kid)
    inner = cbor_or_reject(plaintext, "cose")
    if is_map(inner):
        raise Rejected("cose", "cose.unsigned", "the COSE_Encrypt0 holds a bare claims set: nothing is signed")
    tags, sign1 = untag(inner)
    if tags != [18]:
        raise Rejected("cose", "cose.inner_not_sign1", "the COSE_Encrypt0 must hold a tagged COSE_Sign1")
    return tags, sign1


# --- the CWT claims (RFC 8392) and claim 169 --------------------------------

def claims_set(claims):
    """The claims other than 169, and the claim 169 map, with the types checked:
    iss and sub text, exp, nbf and iat numbers of seconds (an integer or a finite
    float, untagged), aud text or an array of text, cti a byte string."""
    if not is_map(claims):
        raise Rejected("cwt", "cwt.not_a_map", "the CWT claims are not a map")
    if duplicate(claims) is not None:
        raise Rejected("cwt", "cwt.duplicate_key", f"claim {duplicate(claims)!r} appears twice")
    for key, value in claims:
        ok = {
            1: lambda v: isinstance(v, str),
            2: lambda v: isinstance(v, str),
            3: lambda v: isinstance(v, str) or (isinstance(v, list) and all(isinstance(a, str) for a in v)),
            4: numeric_date, 5: numeric_date, 6: numeric_date,
            7: lambda v: isinstance(v, bytes),
        }.get(key if is_int(key) else None, lambda v: True)
        if not ok(value):
            raise Rejected("cwt", "cwt.wrong_type", f"claim {key} has the wrong type")
    c169 = first(claims, 169)
    if not is_map(c169):
        raise Rejected("claim169", "claim169.missing", "no claim 169 map")
    return [(k, v) for k, v in claims if not (is_int(k) and k == 169)], c169


def numeric_date(value):
    return is_int(value) or (isinstance(value, float) and abs(value) != float("inf") and value == value)


def check_time(others, options):
    """exp and nbf against the validation time given, with the leeway given.

    A credential is expired from the second its exp names ("on or after", RFC
    7519 section 4.1.4), and valid from the second its nbf names."""
    now = options.get("now")
    if now is None:
        return
    leeway = options.get("leeway") or 0
    exp, nbf = first(others, 4), first(others, 5)
    if exp is not None and now >= exp + leeway:
        raise Rejected("time", "time.expired", f"expired at {exp}")
    if nbf is not None and now < nbf - leeway:
        raise Rejected("time", "time.not_yet_valid", f"not valid before {nbf}")


def check_claim169(c169):
    """No key twice in the claim 169 map, nor in a biometric entry (keys 50-65)."""
    entries = [c169]
    for key, value in c169:
        if is_int(key) and 50 <= key <= 65:
            entries += [e for e in (value if isinstance(value, list) else [value]) if is_map(e)]
    for entry in entries:
        if duplicate(entry) is not None:
            raise Rejected("claim169", "claim169.duplicate_key", f"key {duplicate(entry)!r} appears twice")


# --- the protocol ------------------------------------------------------------

def description():
    can = CRYPTO is not None
    return {
        "name": "tiny-python",
        "version": "0.2.0",
        "protocol": 1,
        "ops": ["describe", "decode"],
        "algorithms": {
            "sign": CRYPTO.SIGN_NAMES if can else [],
            "encrypt": CRYPTO.CONTENT_NAMES if can else [],
        },
        "options": {"now": True, "leeway": True, "unverified": True},
    }


def answer(line):
    try:
        request = json.loads(line)
        rid = request["id"]
    except (ValueError, KeyError, TypeError) as e:
        return {"id": None, "error": {"kind": "bad_request", "message": f"unreadable request: {e}"}}
    try:
        op = request.get("op")
        if op == "describe":
            return {"id": rid, **description()}
        if op == "decode":
            return {"id": rid, **decode(request)}
        return {"id": rid, "error": {"kind": "unsupported", "message": f"op {op!r} is not supported"}}
    except Unsupported as e:
        return {"id": rid, "error": {"kind": "unsupported", "message": str(e)}}
    except Exception as e:  # a bug here must not take the adapter down
        return {"id": rid, "error": {"kind": "internal", "message": f"{type(e).__name__}: {e}"}}


def main():
    global CRYPTO
    if "--verify" in sys.argv[1:]:
        sys.dont_write_bytecode = True  # no __pycache__ left beside the sources
        try:
            import cose_crypto
            CRYPTO = cose_crypto
        except ImportError as e:
            print(f"c169_adapter: --verify needs the PyPI package cryptography ({e}); not verifying", file=sys.stderr)
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(answer(line)) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
