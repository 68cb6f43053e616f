#!/usr/bin/env node
// c169 protocol v1 adapter for cose-js (npm cose-js 0.9.0), assembled the way a
// Node verifier of Claim 169 usually is:
//
//   QR text --base45.decode--> bytes --pako.inflate--> COSE bytes
//     [tag 16]  --cose.encrypt.read(bytes, key)--> COSE_Sign1 bytes
//     --cose.sign.verify(bytes, {key: {x, y}})--> payload
//     --cbor.decodeFirstSync(payload)--> CWT claims map --get(169)--> claim 169
//
// cose-js is the library under test: it reads the COSE_Encrypt0 and the
// COSE_Sign1, decrypts and verifies. Everything around it is glue (Base45 with
// the npm package `base45`, zlib with `pako`, the CWT claims with `cbor`, the
// package cose-js itself depends on, and the lookup of claim 169); every
// rejection the glue makes says "by": "glue". The adapter checks nothing that
// neither cose-js nor a glue package checks. An exception from inside cose-js
// (or a glue package) that is not its way of refusing input (a plain Error) is a
// crash, answered with an `internal` error, never as a rejection.
//
// Persistent stdio transport: one JSON request per line on stdin, one JSON
// response per line on stdout; logs go to stderr. README.md has the stage
// mapping and the quirks.
"use strict";

// Only protocol lines may reach stdout.
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

const path = require("path");
const readline = require("readline");

const NAME = "cose-js";
const LIB_VERSION = "0.9.0";

let cose;
let cbor;
let pako;
let base45;
let loadError = null;
try {
  cose = require("cose-js");
  // The CBOR package cose-js itself loads, resolved from its folder, so that
  // the payload is read by the very module that read the COSE structure.
  const coseDir = path.dirname(require.resolve("cose-js/package.json"));
  cbor = require(require.resolve("cbor", { paths: [coseDir] }));
  pako = require("pako");
  base45 = require("base45");
} catch (e) {
  loadError = e;
}

const DESCRIPTION = {
  name: NAME,
  version: LIB_VERSION,
  protocol: 1,
  ops: ["describe", "decode", "encode"],
  // cose-js verifies ES256/384/512 (elliptic), RS*/PS* (no JOSE name here), and
  // no EdDSA; it decrypts A128/192/256GCM (and AES-CCM, not used by Claim 169).
  algorithms: { sign: ["ES256", "ES384", "ES512"], encrypt: ["A128GCM", "A192GCM", "A256GCM"] },
  // cose-js has no CWT layer (no exp/nbf) and cannot read a COSE_Sign1 without
  // verifying it.
  options: { now: false, leeway: false, unverified: false },
  capabilities: [],
};

// ---------------------------------------------------------------------------
// errors

class Unsupported extends Error {}
class BadRequest extends Error {}
// A crash of the library or of a glue package: an `internal` error response.
class Internal extends Error {}

function errorText(e) {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  if (typeof e === "symbol") return e.toString();
  return String(e);
}

// The innermost package (or node:crypto) on the stack of `e`, or null.
function where(e) {
  const stack = e instanceof Error && typeof e.stack === "string" ? e.stack : "";
  for (const frame of stack.split("\n").slice(1)) {
    const m = /node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)[\\/]/.exec(frame);
    if (m) return m[1];
    if (/node:internal[\\/]crypto|node:crypto/.test(frame)) return "node:crypto";
  }
  return null;
}

// cose-js refuses input by throwing a plain Error (its own checks, cbor's
// `Error`/`UnexpectedDataError`, elliptic's assertions, node:crypto's GCM
// authentication failure). Anything else (TypeError, RangeError, …) is a crash.
function isRefusal(e) {
  return e instanceof Error && (e.constructor === Error || e.name === "UnexpectedDataError");
}

function reject(stage, what, message) {
  return { verdict: "reject", stage, code: `${NAME}.${what}`, message, warnings: [] };
}

function rejectGlue(stage, what, message) {
  return { ...reject(stage, what, message), by: "glue" };
}

// The stage a refusal from cose-js belongs to, told by its message or by the
// package that threw it.
function signStage(e) {
  const m = e.message || "";
  if (/^Signature missmatch/.test(m)) return ["signature", "signature_mismatch"];
  if (/^Failed to find signer/.test(m)) return ["signature", "no_signer"];
  if (/^(Unknown|Unsupported) algorithm/.test(m)) return ["cose", "algorithm"];
  if (/^(Unexpected cbor tag|Expecting )/.test(m)) return ["cose", "structure"];
  const pkg = where(e);
  if (pkg === "cbor" || pkg === "nofilter") return ["cose", "cbor"];
  if (pkg === "elliptic" || pkg === "minimalistic-assert" || pkg === "node-rsa") return ["signature", "key"];
  return ["cose", "unclassified"];
}

function decryptStage(e) {
  const m = e.message || "";
  if (/^(Unknown tag|Expecting )/.test(m)) return ["cose", "structure"];
  if (/^Unknown or unsupported algorithm|^No implementation for algorithm/.test(m)) return ["cose", "algorithm"];
  if (/IV/.test(m)) return ["decrypt", "iv"];
  if (/unable to authenticate/.test(m)) return ["decrypt", "authentication"];
  const pkg = where(e);
  if (pkg === "cbor" || pkg === "nofilter") return ["cose", "cbor"];
  if (pkg === "node:crypto") return ["decrypt", "crypto"];
  return ["decrypt", "unclassified"];
}

// ---------------------------------------------------------------------------
// canonical JSON (PROTOCOL.md "Values"), written as text so that an integer-keyed
// map keeps its wire order; a task stack instead of recursion, since cbor's
// decoder is not recursive and nests as deep as the input does.

const LIMIT = 9007199254740992n; // 2^53

function isPlainObject(v) {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function floatText(f) {
  if (Number.isNaN(f)) return '{"float":"NaN"}';
  if (f === Infinity) return '{"float":"Infinity"}';
  if (f === -Infinity) return '{"float":"-Infinity"}';
  if (Object.is(f, -0)) return '{"float":-0.0}';
  return `{"float":${JSON.stringify(f)}}`;
}

function scalar(v) {
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return '{"undefined":true}';
  if (typeof v === "number") {
    // cbor gives a number for small integers and for every float: an integral
    // float (1.0) reads as the integer 1. A -0, a non-integer, or an integral
    // value beyond 2^53 (integers that large come back as BigInt) is a float.
    if (Number.isInteger(v) && !Object.is(v, -0) && Math.abs(v) <= 2 ** 53) return String(v);
    return floatText(v);
  }
  if (typeof v === "bigint") {
    return (v < 0n ? -v : v) <= LIMIT ? v.toString() : `{"int":"${v}"}`;
  }
  return null;
}

function intKey(k) {
  if (typeof k === "bigint") return k.toString();
  if (typeof k === "number" && Number.isInteger(k) && !Object.is(k, -0)) return String(k);
  return null;
}

// `warn(flag, at, message)` records a value that cbor turned into a JS type the
// canonical form cannot show as it was.
function canonical(value, root, warn) {
  const out = [];
  const tasks = [{ v: value, at: root }];
  const push = (parts) => {
    for (let i = parts.length - 1; i >= 0; i--) tasks.push(parts[i]);
  };
  const sub = (at, key) => (at === null ? key : `${at}/${key}`);
  while (tasks.length) {
    const t = tasks.pop();
    if (typeof t === "string") {
      out.push(t);
      continue;
    }
    const { v, at } = t;
    const s = scalar(v);
    if (s !== null) {
      out.push(s);
    } else if (Buffer.isBuffer(v)) {
      out.push(`{"bstr":"${v.toString("hex")}"}`);
    } else if (Array.isArray(v)) {
      const parts = ["["];
      v.forEach((x, i) => parts.push(i ? "," : "", { v: x, at: sub(at, String(i)) }));
      parts.push("]");
      push(parts);
    } else if (v instanceof Map) {
      const entries = [...v.entries()];
      const keys = entries.map(([k]) => intKey(k));
      const distinct = new Set(keys);
      const parts = [];
      if (keys.every((k) => k !== null) && distinct.size === keys.length) {
        parts.push("{");
        entries.forEach(([, x], i) => parts.push(`${i ? "," : ""}${JSON.stringify(keys[i])}:`, { v: x, at: sub(at, keys[i]) }));
        parts.push("}");
      } else {
        parts.push('{"map":[');
        entries.forEach(([k, x], i) => parts.push(i ? ",[" : "[", { v: k, at: null }, ",", { v: x, at: sub(at, String(k)) }, "]"));
        parts.push("]}");
      }
      push(parts);
    } else if (isPlainObject(v)) {
      // cbor returns a plain object for a map whose keys are all text, and for
      // the empty map; JS then puts integer-like text keys first, ascending.
      const keys = Object.keys(v);
      if (keys.length === 0) {
        out.push("{}");
      } else {
        const parts = ['{"map":['];
        keys.forEach((k, i) => parts.push(`${i ? "," : ""}[${JSON.stringify(k)},`, { v: v[k], at: sub(at, k) }, "]"));
        parts.push("]}");
        push(parts);
      }
    } else if (v instanceof cbor.Tagged) {
      push([`{"tag":${Number(v.tag)},"value":`, { v: v.value, at }, "}"]);
    } else if (v instanceof cbor.Simple) {
      out.push(`{"simple":${Number(v.value)}}`);
    } else if (v instanceof Date) {
      warn(`${NAME}.DateConverted`, at, "cbor returned a Date (CBOR tag 0 or 1): written as tag 1 with epoch seconds");
      push(['{"tag":1,"value":', { v: v.getTime() / 1000, at }, "}"]);
    } else if (v instanceof Set) {
      warn(`${NAME}.SetConverted`, at, "cbor returned a Set (CBOR tag 258): written as tag 258");
      push(['{"tag":258,"value":', { v: [...v], at }, "}"]);
    } else if (v instanceof URL) {
      warn(`${NAME}.UrlConverted`, at, "cbor returned a URL (CBOR tag 32): written as tag 32 with its href");
      out.push(`{"tag":32,"value":${JSON.stringify(v.href)}}`);
    } else if (v instanceof RegExp) {
      warn(`${NAME}.RegExpConverted`, at, "cbor returned a RegExp (CBOR tag 35): written as tag 35 with its source");
      out.push(`{"tag":35,"value":${JSON.stringify(v.source)}}`);
    } else if (ArrayBuffer.isView(v)) {
      warn(`${NAME}.TypedArrayConverted`, at, `cbor returned a ${v.constructor.name} (a CBOR typed-array tag, 64-87): written as an array of its numbers`);
      push([{ v: Array.from(v), at }]);
    } else {
      throw new Internal(`cbor returned a value the adapter cannot write: ${Object.prototype.toString.call(v)}`);
    }
  }
  return out.join("");
}

// Canonical JSON already written as text, inside a response.
class Raw {
  constructor(text) {
    this.text = text;
  }
}

function writeResponse(response) {
  const members = Object.keys(response).filter((k) => response[k] !== undefined);
  return `{${members.map((k) => {
    const v = response[k];
    return `${JSON.stringify(k)}:${v instanceof Raw ? v.text : JSON.stringify(v)}`;
  }).join(",")}}`;
}

// ---------------------------------------------------------------------------
// keys

function b64u(s) {
  return typeof s === "string" ? Buffer.from(s, "base64url") : undefined;
}

// A verification JWK as cose-js takes it: {key: {x, y}} (its README), with the
// kid as text (cose-js compares it only for a COSE_Sign, tag 98). Members the JWK
// lacks stay absent: an Ed25519 key has no y, and cose-js decides what to do.
function verifier(jwk) {
  if (jwk === null || typeof jwk !== "object") throw new BadRequest("a verification key is not a JWK object");
  const key = {};
  if (jwk.x !== undefined) key.x = b64u(jwk.x);
  if (jwk.y !== undefined) key.y = b64u(jwk.y);
  if (typeof jwk.kid === "string") key.kid = jwk.kid;
  return { key };
}

function label(jwk, i) {
  return typeof jwk.kid === "string" ? `key ${JSON.stringify(jwk.kid)}` : `key #${i}`;
}

// Every given key in turn (PROTOCOL.md "Several keys, and kid": try each key):
// cose-js takes one key per call and does not choose by kid for a COSE_Sign1 or a
// COSE_Encrypt0. The first success wins; otherwise a crash, if any attempt
// crashed, outranks the refusals, and the first refusal is the answer.
async function tryEach(keys, attempt) {
  const refusals = [];
  let crash = null;
  for (let i = 0; i < keys.length; i++) {
    try {
      return { ok: true, value: await attempt(keys[i]) };
    } catch (e) {
      if (e instanceof BadRequest) throw e;
      if (isRefusal(e)) refusals.push({ e, who: label(keys[i], i) });
      else if (!crash) crash = { e, who: label(keys[i], i) };
    }
  }
  return { ok: false, refusals, crash };
}

function crashText(call, crash) {
  const pkg = where(crash.e);
  return `${call} threw ${errorText(crash.e)}${pkg ? ` (from inside ${pkg})` : ""} with ${crash.who}`;
}

function refusalText(call, refusals) {
  const distinct = [...new Set(refusals.map((r) => errorText(r.e)))];
  const who = refusals.length > 1 ? ` (${refusals.length} keys tried)` : ` with ${refusals[0].who}`;
  return `${call} refused it${who}: ${distinct.join("; ")}`;
}

// ---------------------------------------------------------------------------
// decode

// The CBOR tag number at the head of `bytes`, or null: only to choose between
// cose.encrypt.read and cose.sign.verify (glue routing, no check).
function headTag(bytes) {
  if (bytes.length === 0 || bytes[0] >> 5 !== 6) return null;
  const ai = bytes[0] & 31;
  if (ai < 24) return ai;
  const size = { 24: 1, 25: 2, 26: 4, 27: 8 }[ai];
  if (!size || bytes.length < 1 + size) return null;
  let n = 0;
  for (let i = 1; i <= size; i++) n = n * 256 + bytes[i];
  return n;
}

const SIGN_OPTIONS = () => ({ defaultType: cose.sign.Sign1Tag });

async function decode(request) {
  const qr = request.qr;
  if (typeof qr !== "string") throw new BadRequest("qr must be a string");
  const keys = request.keys || {};
  const verifyKeys = Array.isArray(keys.verify) ? keys.verify : [];
  const decryptKeys = (Array.isArray(keys.decrypt) ? keys.decrypt : []).filter((k) => k && k.kty === "oct");
  const warnings = [];
  const warn = (flag, at, message) => warnings.push(at === null ? { flag, message } : { flag, at, message });

  // 1. Base45 (glue): base45's decode, which refuses nothing (see README).
  let compressed;
  try {
    compressed = base45.decode(qr);
  } catch (e) {
    throw new Internal(`base45.decode threw ${errorText(e)}`);
  }

  // 2. zlib (glue): pako.inflate; its documented failure is an Error with the
  //    zlib message.
  let coseBytes;
  try {
    coseBytes = pako.inflate(compressed);
  } catch (e) {
    if (isRefusal(e)) return rejectGlue("zlib", "inflate", `pako.inflate threw ${errorText(e)}`);
    throw new Internal(`pako.inflate threw ${errorText(e)}`);
  }
  if (!(coseBytes instanceof Uint8Array)) {
    throw new Internal(`pako.inflate returned ${Object.prototype.toString.call(coseBytes)}, not bytes`);
  }
  coseBytes = Buffer.from(coseBytes.buffer, coseBytes.byteOffset, coseBytes.byteLength);

  // 2b. The CWT tag (glue): RFC 8392 §6 lets a CWT be wrapped in tag 61, a tag of
  //     the CWT layer, which a COSE library does not know (cose-js refuses every
  //     tag but its own). Its two-byte head, d8 3d, is taken off, as the pycose and
  //     ruby-cose adapters do; nothing else is looked at.
  if (coseBytes.length >= 2 && coseBytes[0] === 0xd8 && coseBytes[1] === 0x3d) {
    coseBytes = coseBytes.subarray(2);
  }

  // 3. COSE_Encrypt0 (library), when the message is tagged 16.
  let signBytes = coseBytes;
  if (headTag(coseBytes) === cose.encrypt.Encrypt0Tag) {
    if (decryptKeys.length === 0) {
      return rejectGlue("decrypt", "no_key", "the credential is a COSE_Encrypt0 (tag 16) and no decryption key was given");
    }
    const r = await tryEach(decryptKeys, (jwk) => {
      if (typeof jwk.k !== "string") throw new BadRequest("a decryption key has no k");
      return cose.encrypt.read(coseBytes, b64u(jwk.k));
    });
    if (!r.ok && r.crash) throw new Internal(crashText("cose.encrypt.read", r.crash));
    if (!r.ok) {
      const [stage, what] = decryptStage(r.refusals[0].e);
      return reject(stage, what, refusalText("cose.encrypt.read", r.refusals));
    }
    if (!Buffer.isBuffer(r.value)) throw new Internal("cose.encrypt.read returned no bytes");
    signBytes = r.value;
  }

  // 4. COSE_Sign1 (library): cose.sign.verify with each key; it cannot read the
  //    message without one.
  if (verifyKeys.length === 0) {
    throw new Unsupported("cose-js cannot read a COSE_Sign1 without verifying it (cose.sign.verify needs a key), and no verification key was given");
  }
  const verifiers = verifyKeys.map((jwk) => ({ jwk, v: verifier(jwk) }));
  const r = await tryEach(verifiers.map((x) => x.jwk), (jwk) =>
    cose.sign.verify(signBytes, verifiers.find((x) => x.jwk === jwk).v, SIGN_OPTIONS()));
  if (!r.ok && r.crash) throw new Internal(crashText("cose.sign.verify", r.crash));
  if (!r.ok) {
    const [stage, what] = signStage(r.refusals[0].e);
    return reject(stage, what, refusalText("cose.sign.verify", r.refusals));
  }
  const payload = r.value;
  if (!Buffer.isBuffer(payload)) {
    return rejectGlue("cwt", "no_payload", `cose.sign.verify returned ${payload === null ? "null (a detached payload)" : typeof payload}, not the payload bytes`);
  }

  // 5. CWT claims (glue): cbor's decodeFirstSync of the payload, default options.
  let claims;
  try {
    claims = cbor.decodeFirstSync(payload);
  } catch (e) {
    if (isRefusal(e)) return rejectGlue("cwt", "cbor", `cbor.decodeFirstSync of the COSE payload threw ${errorText(e)}`);
    throw new Internal(`cbor.decodeFirstSync of the COSE payload threw ${errorText(e)}${where(e) ? ` (from inside ${where(e)})` : ""}`);
  }
  let entries;
  if (claims instanceof Map) entries = [...claims.entries()];
  else if (isPlainObject(claims)) entries = Object.keys(claims).map((k) => [k, claims[k]]);
  else return rejectGlue("cwt", "not_a_map", "the COSE payload is not a CBOR map");

  // 6. Claim 169 (glue): the value under the integer key 169.
  const is169 = ([k]) => k === 169 || k === 169n;
  const found = entries.filter(is169);
  if (found.length === 0) return rejectGlue("claim169", "no_claim169", "the CWT claims hold no claim 169");
  const claim169 = new Raw(canonical(found[found.length - 1][1], "169", warn));
  const cwt = new Raw(canonical(new Map(entries.filter((e) => !is169(e))), null, warn));
  const options = request.options || {};
  if (options.now !== undefined && options.now !== null) {
    warnings.push({ flag: "TimeNotChecked", message: "cose-js has no CWT layer: exp and nbf were not checked" });
  }
  return { verdict: "accept", claim169, cwt, verified: true, warnings };
}

// ---------------------------------------------------------------------------
// encode

// A float the request gave as {"float": x}: cbor would write an integral number
// as an integer, so this object writes itself as a float (cbor's encodeCBOR hook).
class Float {
  constructor(value) {
    this.value = value;
  }
  encodeCBOR(gen) {
    return gen._pushFloat(this.value);
  }
}

// Canonical JSON to the JS values cbor encodes (glue: cose-js signs bytes, the
// CWT claims are the adapter's to write).
function fromCanonical(value) {
  if (value === null || typeof value === "boolean" || typeof value === "string") return value;
  if (typeof value === "number") return Number.isInteger(value) ? value : new Float(value);
  if (Array.isArray(value)) return value.map(fromCanonical);
  if (typeof value !== "object") throw new BadRequest(`not canonical JSON: ${typeof value}`);
  const keys = Object.keys(value);
  const only = (name) => keys.length === 1 && keys[0] === name;
  if (only("bstr")) {
    if (typeof value.bstr !== "string" || !/^([0-9a-f]{2})*$/.test(value.bstr)) throw new BadRequest("bstr is not lowercase hex");
    return Buffer.from(value.bstr, "hex");
  }
  if (only("int")) return BigInt(value.int);
  if (only("float")) {
    const f = value.float;
    return new Float(f === "NaN" ? NaN : f === "Infinity" ? Infinity : f === "-Infinity" ? -Infinity : Number(f));
  }
  if (only("undefined")) return undefined;
  if (only("simple")) return new cbor.Simple(value.simple);
  if (keys.length === 2 && "tag" in value && "value" in value) return new cbor.Tagged(value.tag, fromCanonical(value.value));
  if (only("map")) {
    const m = new Map();
    for (const pair of value.map) {
      if (!Array.isArray(pair) || pair.length !== 2) throw new BadRequest("a map entry is not a [key, value] pair");
      const k = fromCanonical(pair[0]);
      if (m.has(k)) throw new Unsupported("a map with a key twice: cbor writes a JS Map, which cannot hold one");
      m.set(k, fromCanonical(pair[1]));
    }
    return m;
  }
  const m = new Map();
  for (const k of keys) {
    if (!/^-?(0|[1-9][0-9]*)$/.test(k)) throw new BadRequest(`object key ${JSON.stringify(k)} is not a decimal integer`);
    const n = Number(k);
    m.set(Number.isSafeInteger(n) ? n : BigInt(k), fromCanonical(value[k]));
  }
  return m;
}

const CURVE_ALG = { "P-256": "ES256", "P-384": "ES384", "P-521": "ES512" };
const KEY_ALG = { 16: "A128GCM", 24: "A192GCM", 32: "A256GCM" };

async function encode(request) {
  const options = request.options || {};
  const unknown = Object.keys(options);
  if (unknown.length) throw new Unsupported(`encode option ${JSON.stringify(unknown[0])} is not supported`);
  const sign = request.sign;
  if (!sign) throw new Unsupported("cose-js makes no unsigned COSE_Sign1: cose.sign.create always signs");
  const jwk = sign.jwk || {};
  const alg = sign.alg || CURVE_ALG[jwk.crv];
  if (!DESCRIPTION.algorithms.sign.includes(alg)) throw new Unsupported(`cose-js cannot sign with ${alg || "this key"}`);
  if (typeof jwk.d !== "string") throw new BadRequest("the signing key has no d");

  const claims = fromCanonical(request.cwt || {});
  if (!(claims instanceof Map)) throw new BadRequest("cwt is not a map");
  claims.set(169, fromCanonical(request.claim169));
  let payload;
  try {
    payload = cbor.encodeOne(claims, { collapseBigIntegers: true });
  } catch (e) {
    throw new Internal(`cbor.encodeOne of the CWT claims threw ${errorText(e)}`);
  }

  const protectedHeader = { alg };
  if (sign.kid !== undefined && sign.kid !== null) {
    const kid = fromCanonical(sign.kid);
    if (!Buffer.isBuffer(kid) && typeof kid !== "string") throw new BadRequest("sign.kid is neither bytes nor text");
    protectedHeader.kid = kid;
  }
  let message;
  try {
    message = await cose.sign.create({ p: protectedHeader, u: {} }, payload, { key: { d: b64u(jwk.d) } });
  } catch (e) {
    throw new Internal(`cose.sign.create threw ${errorText(e)}`);
  }

  if (request.encrypt) {
    const enc = request.encrypt;
    const k = enc.jwk && typeof enc.jwk.k === "string" ? b64u(enc.jwk.k) : null;
    if (!k) throw new BadRequest("the encryption key has no k");
    const encAlg = enc.alg || KEY_ALG[k.length];
    if (!DESCRIPTION.algorithms.encrypt.includes(encAlg)) throw new Unsupported(`cose-js cannot encrypt with ${encAlg || "this key"}`);
    const extra = {};
    if (enc.iv !== undefined && enc.iv !== null) {
      const iv = fromCanonical(enc.iv);
      if (!Buffer.isBuffer(iv)) throw new BadRequest("encrypt.iv is not bytes");
      // cose-js draws the IV from options.randomSource; this one gives the IV asked for.
      extra.randomSource = () => Buffer.from(iv);
    }
    try {
      message = await cose.encrypt.create({ p: { alg: encAlg } }, message, { key: k }, extra);
    } catch (e) {
      throw new Internal(`cose.encrypt.create threw ${errorText(e)}`);
    }
  }

  // zlib and Base45 (glue).
  const deflated = pako.deflate(message);
  return { qr: base45.encode(Buffer.from(deflated.buffer, deflated.byteOffset, deflated.byteLength)) };
}

// ---------------------------------------------------------------------------
// the envelope and the loop

async function answer(line) {
  let request;
  let rid;
  try {
    request = JSON.parse(line);
    rid = request.id;
    if (!Number.isInteger(rid) || rid < 0) throw new Error("no id");
  } catch (e) {
    return { id: null, error: { kind: "bad_request", message: `unreadable request: ${e.message}` } };
  }
  try {
    if (loadError) {
      return { id: rid, error: { kind: "internal", message: `cannot load cose-js and its glue: ${errorText(loadError)} (run npm ci)` } };
    }
    const op = request.op;
    if (op === "describe") return { id: rid, ...DESCRIPTION };
    if (op === "decode") return { id: rid, ...(await decode(request)) };
    if (op === "encode") return { id: rid, ...(await encode(request)) };
    return { id: rid, error: { kind: "unsupported", message: `op ${JSON.stringify(op)} is not supported` } };
  } catch (e) {
    if (e instanceof Unsupported) return { id: rid, error: { kind: "unsupported", message: e.message } };
    if (e instanceof BadRequest) return { id: rid, error: { kind: "bad_request", message: e.message } };
    const message = (e instanceof Internal ? e.message : `adapter: ${errorText(e)}`).slice(0, 2000);
    console.error(`${NAME}: internal: ${message}`);
    if (!(e instanceof Internal) && e && e.stack) console.error(e.stack.split("\n").slice(0, 6).join("\n"));
    return { id: rid, error: { kind: "internal", message } };
  }
}

function respond(response) {
  let out;
  try {
    out = writeResponse(response);
  } catch (e) {
    out = JSON.stringify({ id: response.id === undefined ? null : response.id, error: { kind: "internal", message: `cannot write the response: ${errorText(e)}` } });
  }
  process.stdout.write(`${out}\n`);
}

function main() {
  // One request at a time, in order: the rig waits for each answer anyway.
  let queue = Promise.resolve();
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  rl.on("line", (line) => {
    if (line.trim() === "") return;
    queue = queue.then(() => answer(line)).then(respond, (e) => {
      console.error(`${NAME}: ${errorText(e)}`);
    });
  });
}

process.on("uncaughtException", (e) => {
  console.error("uncaught:", e && e.stack ? e.stack.split("\n").slice(0, 6).join("\n") : e);
});
process.on("unhandledRejection", (e) => {
  console.error("unhandled rejection:", e && e.stack ? e.stack.split("\n").slice(0, 6).join("\n") : e);
});

main();
