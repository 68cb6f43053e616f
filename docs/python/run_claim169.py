#!/usr/bin/env python3
"""Runs a `c169 vectors export` against the claim169 package of PyPI (0.3.0).

    python3 run_claim169.py EXPORT_DIR     # exit 1 if a vector failed

Judges the verdict only: accept or reject against the vector's class (and, for an
`acceptable` vector whose text basis prefers an answer, that answer). Unlike `c169 run`
it does not compare the decoded content or the rejecting stage, nor grade by level.
A vector the package cannot be given (an encoder or image vector, a validation time,
an algorithm or key it lacks) is skipped with the reason, never counted as passed.
"""
import base64, json, pathlib, sys
import claim169

ROOT = pathlib.Path(sys.argv[1])
HAS = {"verify", "decrypt", "decode_unverified", "EdDSA", "ES256", "A128GCM", "A256GCM"}
CLOCK = ("expired", "not valid until", "not yet valid")  # rejections at the package's own clock
def load(path): return json.loads((ROOT / path).read_text())
def b64(text): return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))

def answer(v):
    """'accept', 'reject', or 'skip: <why the package cannot be given the vector>'."""
    keys = [load(p) for p in v["keys"]["verify"] + v["keys"]["decrypt"]]
    key, lacks = (keys or [{"kty": None}])[0], sorted(set(v["capabilities"]) - HAS)
    if v["input"] != "qr": return f"skip: {v['operation']} of {v['input']}, not a text"
    if lacks: return f"skip: the package lacks {lacks}"
    if v["stage"] == "time": return "skip: the package cannot be given the validation time"
    if len(keys) > 1 or key.get("crv") not in (None, "Ed25519", "P-256"):
        return "skip: the package takes one Ed25519 or P-256 key, or one AES key"
    qr, free = load(v["path"])["qr"], {"validate_timestamps": False}
    try:
        if key["kty"] == "oct":  # no validate_timestamps here: exp/nbf meet the system clock
            claim169.decode_encrypted_aes(qr, b64(key["k"]), allow_unverified=True)
        elif key["kty"] is None:
            claim169.decode(qr, allow_unverified=True, **free)
        elif key["crv"] == "Ed25519":
            claim169.decode(qr, verify_with_ed25519=b64(key["x"]), **free)
        else:
            point = b"\x04" + b64(key["x"]) + b64(key["y"])
            claim169.decode(qr, verify_with_ecdsa_p256=point, **free)
        return "accept"
    except claim169.Claim169Exception as e:
        clock = any(c in str(e) for c in CLOCK)
        return f"skip: judged at the system clock: {e}" if clock else "reject"

index = load("index.json")
assert index["format"] == "c169-vectors/1", f"not an index this script reads: {index['format']}"
tally = {"PASS": 0, "FAIL": 0, "SKIP": 0}
for v in index["vectors"]:
    text_prefers = v["prefers"] if v["basis"]["kind"] == "text" else None
    want = {"valid": "accept", "invalid": "reject"}.get(v["verdict"], text_prefers)  # None: either
    try:
        got = answer(v)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as e:  # a crash (a Rust panic included) is a failure, never a rejection
        got = f"crash: {type(e).__name__}: {e}"
    allowed = (want,) if want else ("accept", "reject")
    status = "SKIP" if got.startswith("skip") else "PASS" if got in allowed else "FAIL"
    tally[status] += 1
    print(f"{status} {v['id']}: {v['verdict']}, {got}")
print(f"{tally['PASS']} passed, {tally['FAIL']} failed, {tally['SKIP']} skipped")
sys.exit(1 if tally["FAIL"] else 0)
