#!/usr/bin/env python3
"""A tiny c169 protocol v1 adapter: Python 3 standard library only.

It implements `describe` and `decode` for credentials it does not verify: its
own Base45 and CBOR readers, zlib from the standard library, no cryptography.
It says so in `describe` (no signature or encryption algorithms), so the rig
skips every case that needs a verification or a decryption.

Run by the rig as a persistent adapter (one JSON object per line each way):

    c169 run --adapter python3 adapters/examples/python/c169_adapter.py

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


def cbor_decode(data):
    """The one item `data` holds; trailing bytes are an error."""
    value, end = _item(data, 0, 0)
    if end != len(data):
        raise ValueError(f"{len(data) - end} bytes after the CBOR item")
    return value


def _item(data, i, depth):
    if depth > 64:
        raise ValueError("nested too deeply")
    if i >= len(data):
        raise ValueError("the CBOR ends early")
    major, info = data[i] >> 5, data[i] & 0x1F
    i += 1
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
    else:
        raise ValueError("indefinite lengths are not read here")
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


def is_map(value):
    return isinstance(value, Map)


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
        if all(isinstance(k, int) and not isinstance(k, bool) for k in keys) and len(set(keys)) == len(keys):
            return {str(k): canonical(v) for k, v in value}
        return {"map": [[canonical(k), canonical(v)] for k, v in value]}
    return [canonical(v) for v in value]


# --- the pipeline ------------------------------------------------------------

def reject(stage, code, message):
    return {"verdict": "reject", "stage": stage, "code": code, "message": message, "warnings": []}


def decode(request):
    if request.get("keys", {}).get("verify") or request.get("keys", {}).get("decrypt"):
        raise Unsupported("this adapter neither verifies nor decrypts")
    options = request.get("options") or {}
    try:
        compressed = base45_decode(request["qr"])
    except ValueError as e:
        return reject("base45", "base45.invalid", str(e))
    try:
        # One stream, nothing after it: zlib.decompress alone ignores trailing bytes.
        inflater = zlib.decompressobj()
        cose = inflater.decompress(compressed, 1 << 20)
        if not inflater.eof or inflater.unused_data or inflater.unconsumed_tail:
            return reject("zlib", "zlib.not_one_stream", "truncated, too large, or bytes after the zlib stream")
    except zlib.error as e:
        return reject("zlib", "zlib.invalid", str(e))
    try:
        item = cbor_decode(cose)
    except (ValueError, UnicodeDecodeError) as e:
        return reject("cose", "cose.bad_cbor", str(e))
    if isinstance(item, Tag) and item.number == 16:
        raise Unsupported("the credential is encrypted (COSE_Encrypt0); this adapter cannot decrypt")
    if isinstance(item, Tag) and item.number == 18:
        item = item.value
    if not (isinstance(item, list) and len(item) == 4 and isinstance(item[0], bytes) and isinstance(item[2], bytes)):
        return reject("cose", "cose.not_sign1", "not a COSE_Sign1 with a payload")
    try:
        protected = cbor_decode(item[0]) if item[0] else Map()
    except (ValueError, UnicodeDecodeError) as e:
        return reject("cose", "cose.bad_protected", str(e))
    if not is_map(protected) or not any(k == 1 for k, _ in protected):
        return reject("cose", "cose.alg_not_protected", "the protected header holds no alg (1)")
    try:
        claims = cbor_decode(item[2])
    except (ValueError, UnicodeDecodeError) as e:
        return reject("cwt", "cwt.bad_cbor", str(e))
    if not is_map(claims):
        return reject("cwt", "cwt.not_a_map", "the CWT claims are not a map")
    c169 = [v for k, v in claims if k == 169]
    others = [(k, v) for k, v in claims if k != 169]
    now = options.get("now")
    if now is not None:
        leeway = options.get("leeway") or 0
        for k, v in others:
            if k == 4 and isinstance(v, (int, float)) and now > v + leeway:
                return reject("time", "time.expired", f"expired at {v}")
            if k == 5 and isinstance(v, (int, float)) and now < v - leeway:
                return reject("time", "time.not_yet_valid", f"not valid before {v}")
    if len(c169) != 1 or not is_map(c169[0]):
        return reject("claim169", "claim169.missing", "no claim 169 map")
    return {
        "verdict": "accept",
        "claim169": canonical(c169[0]),
        "cwt": canonical(Map(others)),
        "verified": False,
        "warnings": [{"flag": "SignatureNotVerified", "message": "this adapter does not verify signatures"}],
    }


DESCRIPTION = {
    "name": "tiny-python",
    "version": "0.1.0",
    "protocol": 1,
    "ops": ["describe", "decode"],
    "algorithms": {"sign": [], "encrypt": []},
    "options": {"now": True, "leeway": True, "unverified": True},
}


class Unsupported(Exception):
    pass


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
        return {"id": rid, "error": {"kind": "unsupported", "message": f"op {op!r} is not supported"}}
    except Unsupported as e:
        return {"id": rid, "error": {"kind": "unsupported", "message": str(e)}}
    except Exception as e:  # a bug here must not take the adapter down
        return {"id": rid, "error": {"kind": "internal", "message": f"{type(e).__name__}: {e}"}}


def main():
    for line in sys.stdin:
        if line.strip():
            sys.stdout.write(json.dumps(answer(line)) + "\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
