#!/usr/bin/env node
// c169 protocol v1 adapter for MOSIP PixelPass, npm @mosip/pixelpass 0.6.0.
//
// PixelPass does Base45, zlib and CBOR only: it neither verifies signatures nor
// decrypts, and it has no COSE or CWT layer. This shim
//   1. hands the QR text to pixelpass's own `decode` (Base45 -> zlib -> CBOR ->
//      JSON.stringify), exactly as scanned;
//   2. reads the COSE_Sign1 payload bytes out of the JSON text `decode` returns
//      (translation: pixelpass has no COSE);
//   3. decodes the payload with the CBOR library pixelpass itself uses
//      (cbor-web, its `decode` with default options, the call pixelpass makes),
//      and returns claim 169 and the other CWT claims as canonical JSON.
// It checks nothing the library does not check. Steps 2 and 3, and every
// rejection they make, are glue (the answer says "by": "glue"); an exception
// that is not a documented refusal of pixelpass or of its dependencies is a
// crash, answered with an `internal` error, never as a rejection.
// Persistent stdio transport:
// one JSON request per line on stdin, one JSON response per line on stdout;
// logs go to stderr. See README.md for the stage mapping and the quirks.
"use strict";

// Only protocol lines may reach stdout: anything a library logs goes to stderr.
console.log = (...args) => console.error(...args);
console.info = (...args) => console.error(...args);

const path = require("path");
const readline = require("readline");

const NAME = "pixelpass-js";
// The package is resolved from the folder the adapter runs in first, then from this
// file's: a release configuration (releases/<version>/, `node ../../adapter.js`)
// runs this same code against the node_modules of its own folder.
const resolve = (id, from) =>
  require.resolve(id, { paths: from ? [from] : [process.cwd(), __dirname] });
// The version installed, read from the package itself, so that describe names the
// release under test whichever one setup installed (an older release's report then
// says which it is).
const LIB_VERSION = (() => {
  try {
    return require(resolve("@mosip/pixelpass/package.json")).version;
  } catch (e) {
    return "unknown (@mosip/pixelpass is not installed)";
  }
})();

let pixelpass;
let cbor;
let loadError = null;
try {
  pixelpass = require(resolve("@mosip/pixelpass"));
  // pixelpass's own CBOR dependency, resolved from pixelpass's folder so that it
  // is the very module its src/index.js loads with require("cbor-web").
  const pixelpassDir = path.dirname(resolve("@mosip/pixelpass/package.json"));
  cbor = require(resolve("cbor-web", pixelpassDir));
} catch (e) {
  loadError = e;
}

const DESCRIPTION = {
  name: NAME,
  version: LIB_VERSION,
  protocol: 1,
  // encode: pixelpass cannot make a Claim 169 credential (see encode() below).
  ops: ["describe", "decode"],
  algorithms: { sign: [], encrypt: [] },
  options: { now: false, leeway: false, unverified: true },
  capabilities: [],
};

// ---------------------------------------------------------------------------
// Canonical JSON (adapters/PROTOCOL.md "Values"), written straight to text:
// an integer-keyed map keeps its wire order (a JS object would reorder
// "1","4","169"), and an explicit stack instead of recursion lets a value
// nested as deep as cbor-web decodes (it is not recursive) be written without
// overflowing the JS stack.

const MAX_SAFE = 9007199254740992n; // 2^53, the canonical JSON bound

function isPlainObject(v) {
  if (v === null || typeof v !== "object") return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function isIntegerKey(k) {
  return typeof k === "bigint" || (typeof k === "number" && Number.isInteger(k));
}

function floatText(f) {
  if (Number.isNaN(f)) return '{"float":"NaN"}';
  if (f === Infinity) return '{"float":"Infinity"}';
  if (f === -Infinity) return '{"float":"-Infinity"}';
  return `{"float":${JSON.stringify(f)}}`;
}

function scalarText(v) {
  // null, boolean, string, undefined, number, bigint; otherwise null (not a scalar)
  if (v === null || typeof v === "boolean" || typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return '{"undefined":true}';
  if (typeof v === "number") {
    // cbor-web gives a JS number for CBOR integers and floats alike: an
    // integral float (1.0) is indistinguishable from the integer 1 here.
    if (Number.isInteger(v)) return Math.abs(v) <= 2 ** 53 ? String(Object.is(v, -0) ? 0 : v) : floatText(v);
    return floatText(v);
  }
  if (typeof v === "bigint") {
    const a = v < 0n ? -v : v;
    return a <= MAX_SAFE ? v.toString() : `{"int":"${v.toString()}"}`;
  }
  return null;
}

// The canonical JSON text of a value cbor-web decoded. `warn(flag, at, message)`
// records a conversion the canonical form cannot show (a JS type cbor-web made
// out of a CBOR tag); `at` is the path of keys from `root`.
function canonicalText(value, root, warn) {
  const out = [];
  // Tasks, last first: a string is emitted as is; {v, key, up} is a value to write.
  const tasks = [{ v: value, key: root, up: null }];
  const pathOf = (t) => {
    const keys = [];
    for (let n = t; n; n = n.up) if (n.key !== null && n.key !== undefined) keys.push(n.key);
    return keys.reverse().join("/");
  };
  const pushSeq = (parts) => {
    for (let i = parts.length - 1; i >= 0; i--) tasks.push(parts[i]);
  };
  while (tasks.length) {
    const t = tasks.pop();
    if (typeof t === "string") {
      out.push(t);
      continue;
    }
    const v = t.v;
    const s = scalarText(v);
    if (s !== null) {
      out.push(s);
      continue;
    }
    const child = (x, key) => ({ v: x, key, up: t });
    if (v instanceof Uint8Array && v._isBuffer === true) {
      // a CBOR byte string: cbor-web returns its bundled Buffer (a Uint8Array subclass)
      out.push(`{"bstr":"${Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString("hex")}"}`);
    } else if (Array.isArray(v)) {
      const parts = ["["];
      v.forEach((x, i) => {
        if (i) parts.push(",");
        parts.push(child(x, String(i)));
      });
      parts.push("]");
      pushSeq(parts);
    } else if (v instanceof Map) {
      const entries = [...v.entries()];
      const seen = new Set();
      const intKeyed = entries.every(([k]) => {
        if (!isIntegerKey(k)) return false;
        const d = BigInt(k).toString();
        if (seen.has(d)) return false;
        seen.add(d);
        return true;
      });
      const parts = [];
      if (intKeyed) {
        parts.push("{");
        entries.forEach(([k, x], i) => {
          const d = BigInt(k).toString();
          parts.push(`${i ? "," : ""}${JSON.stringify(d)}:`, child(x, d));
        });
        parts.push("}");
      } else {
        parts.push('{"map":[');
        entries.forEach(([k, x], i) => {
          parts.push(i ? ",[" : "[", child(k, null), ",", child(x, String(k)), "]");
        });
        parts.push("]}");
      }
      pushSeq(parts);
    } else if (cbor && v instanceof cbor.Tagged) {
      pushSeq([`{"tag":${Number(v.tag)},"value":`, child(v.value, null), "}"]);
    } else if (cbor && v instanceof cbor.Simple) {
      out.push(`{"simple":${Number(v.value)}}`);
    } else if (v instanceof Date) {
      // cbor-web turns tag 0 (date text) and tag 1 (epoch) into a Date.
      warn("pixelpass-js.DateConverted", pathOf(t), "cbor-web returned a Date (from CBOR tag 0 or 1); written as tag 1 with epoch seconds");
      pushSeq(['{"tag":1,"value":', { v: v.getTime() / 1000, key: null, up: t }, "}"]);
    } else if (v instanceof Set) {
      warn("pixelpass-js.SetConverted", pathOf(t), "cbor-web returned a Set (from CBOR tag 258); written as tag 258");
      pushSeq(['{"tag":258,"value":', { v: [...v], key: null, up: t }, "}"]);
    } else if (typeof URL !== "undefined" && v instanceof URL) {
      warn("pixelpass-js.UrlConverted", pathOf(t), "cbor-web returned a URL (from CBOR tag 32); written as tag 32 with its href");
      out.push(`{"tag":32,"value":${JSON.stringify(v.href)}}`);
    } else if (v instanceof RegExp) {
      warn("pixelpass-js.RegExpConverted", pathOf(t), "cbor-web returned a RegExp (from CBOR tag 35); written as tag 35 with its source");
      out.push(`{"tag":35,"value":${JSON.stringify(v.source)}}`);
    } else if (ArrayBuffer.isView(v)) {
      warn("pixelpass-js.TypedArrayConverted", pathOf(t), `cbor-web returned a ${v.constructor.name} (from a CBOR typed-array tag); written as an array of numbers`);
      pushSeq([{ v: Array.from(v), key: null, up: t }]);
    } else if (isPlainObject(v)) {
      // cbor-web returns a plain object for a map whose keys are all text (and
      // for the empty map); key order as JS objects keep it: integer-like keys
      // first, ascending, then the others in wire order.
      const keys = Object.keys(v);
      if (keys.length === 0) {
        out.push("{}");
      } else {
        const parts = ['{"map":['];
        keys.forEach((k, i) => {
          parts.push(`${i ? "," : ""}[${JSON.stringify(k)},`, child(v[k], k), "]");
        });
        parts.push("]}");
        pushSeq(parts);
      }
    } else {
      throw new Error(`cbor-web returned a value the adapter cannot write: ${Object.prototype.toString.call(v)}`);
    }
  }
  return out.join("");
}

// A response whose members may hold canonical JSON already written as text.
class Raw {
  constructor(text) {
    this.text = text;
  }
}

function writeResponse(response) {
  return "{" + Object.keys(response).filter((k) => response[k] !== undefined).map((k) => {
    const v = response[k];
    return JSON.stringify(k) + ":" + (v instanceof Raw ? v.text : JSON.stringify(v));
  }).join(",") + "}";
}

// ---------------------------------------------------------------------------
// decode

class Unsupported extends Error {}
// A crash of the library (an exception that is not its documented way of refusing
// input): answered as an `internal` error response, never as a rejection.
class Internal extends Error {}

// A rejection made by pixelpass itself (its dependencies base45-web and pako, inside
// pixelpass.decode).
function reject(stage, what, message) {
  return { verdict: "reject", stage, code: `${NAME}.${what}`, message, warnings: [] };
}

// A rejection made by the adapter's glue: the COSE and CWT steps pixelpass does not
// have (protocol v1 `by: "glue"`).
function rejectGlue(stage, what, message) {
  return { ...reject(stage, what, message), by: "glue" };
}

// The repository's own folder, left out of what the adapter says about its files
// (a package that does not load names them), so that the message, and a report
// quoting it, reads the same on every machine.
const REPOSITORY = path.resolve(__dirname, "..", "..") + path.sep;

function withoutRepository(text) {
  return text.split(REPOSITORY).join("");
}

function errorText(e) {
  if (e instanceof Error) return `${e.name}: ${e.message}`;
  return String(e);
}

// What pixelpass.decode threw, as a rejection when it is a documented refusal of
// its dependencies, or an Internal error (a crash) when it is anything else:
//   - pako.inflate's documented failure: it throws the zlib message as a plain
//     string (`throw inflator.msg || msg[inflator.err]`) -> zlib;
//   - base45-web refuses input with a plain Error ("Invalid character at position
//     N.", "utf8StringArg has incorrect length.") thrown from base45-web -> base45;
//   - anything else (the TypeError "input.subarray is not a function" pako throws on
//     a stored block, see README, or any exception from elsewhere) is a crash.
function classifyDecodeThrow(e) {
  if (typeof e === "string") {
    return reject("zlib", "inflate", `pako.inflate (inside pixelpass.decode) threw: ${e}`);
  }
  const text = errorText(e);
  const stack = e instanceof Error && typeof e.stack === "string" ? e.stack : "";
  const thrower = stack.split("\n")[1] || "";
  if (e instanceof Error && e.constructor === Error && /[\\/]base45-web[\\/]/.test(thrower)) {
    return reject("base45", "base45", `base45-web (inside pixelpass.decode) threw: ${text}`);
  }
  const where = /[\\/]pako[\\/]/.test(stack) ? " (from inside pako)"
    : /[\\/]base45-web[\\/]/.test(stack) ? " (from inside base45-web)" : "";
  throw new Internal(`pixelpass.decode threw ${text}${where}`);
}

// cbor-web's decode refuses bad CBOR with an Error or its UnexpectedDataError (an
// Error subclass); a TypeError, RangeError or other exception from inside it is a crash.
function isCborRefusal(e) {
  return e instanceof Error && (e.constructor === Error || e.name === "UnexpectedDataError");
}

function isBufferJson(v) {
  return isPlainObject(v) && v.type === "Buffer" && Array.isArray(v.data) &&
    Object.keys(v).length === 2 && v.data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255);
}

function isTagJson(v) {
  return isPlainObject(v) && Number.isInteger(v.tag) && "value" in v &&
    Object.keys(v).every((k) => k === "tag" || k === "value" || k === "err");
}

function decode(request) {
  const keys = request.keys || {};
  if ((Array.isArray(keys.verify) && keys.verify.length) || (Array.isArray(keys.decrypt) && keys.decrypt.length)) {
    throw new Unsupported("pixelpass neither verifies signatures nor decrypts; it was given keys");
  }
  const qr = request.qr;
  if (typeof qr !== "string") {
    return { error: { kind: "bad_request", message: "qr must be a string" } };
  }

  // 1. Base45 -> zlib -> CBOR, by pixelpass itself. It returns a string: the
  //    JSON.stringify of what cbor-web decoded, or, when CBOR decoding fails
  //    (or yields a falsy value, or cannot be stringified), the inflated bytes
  //    read as UTF-8 text.
  let text;
  try {
    text = pixelpass.decode(qr);
  } catch (e) {
    return classifyDecodeThrow(e);
  }
  if (typeof text !== "string") {
    throw new Internal(`pixelpass.decode returned ${typeof text}, not the string it documents`);
  }
  // From here on: glue. pixelpass has no COSE or CWT layer.
  let top;
  try {
    top = JSON.parse(text);
  } catch (e) {
    return rejectGlue("cose", "not_cbor",
      "pixelpass.decode returned the inflated bytes as text, not JSON: cbor-web could not decode them " +
      "(not CBOR, bytes after the item, a falsy item, or a value JSON.stringify refuses)");
  }

  // 2. The COSE_Sign1 (translation only: pixelpass has no COSE). In the JSON
  //    text a CBOR tag is {"tag": n, "value": …} and a byte string
  //    {"type": "Buffer", "data": [...]}.
  const tags = [];
  let item = top;
  if (isTagJson(item) && item.tag === 61) {
    tags.push(61);
    item = item.value;
  }
  if (isTagJson(item) && item.tag === 16) {
    throw new Unsupported("the credential is a COSE_Encrypt0 (tag 16); pixelpass cannot decrypt");
  }
  if (isTagJson(item) && item.tag === 18) {
    tags.push(18);
    item = item.value;
  }
  if (isTagJson(item)) {
    return rejectGlue("cose", "not_cose_sign1", `the decoded CBOR is tag ${item.tag}, not a COSE_Sign1 (tag 18)`);
  }
  if (!Array.isArray(item) || item.length !== 4) {
    return rejectGlue("cose", "not_cose_sign1", "the decoded CBOR is not a COSE_Sign1 array of four items");
  }
  if (!isBufferJson(item[2])) {
    return rejectGlue("cose", "no_payload", "the COSE_Sign1 payload (third item) is not a byte string");
  }
  const payload = Buffer.from(item[2].data);

  // 3. The CWT claims, with pixelpass's CBOR library and the call pixelpass makes.
  let claims;
  try {
    claims = cbor.decode(payload);
  } catch (e) {
    if (!isCborRefusal(e)) throw new Internal(`cbor-web decode of the COSE payload threw ${errorText(e)}`);
    return rejectGlue("cwt", "cbor", `cbor-web could not decode the COSE payload: ${errorText(e)}`);
  }
  let entries;
  if (claims instanceof Map) entries = [...claims.entries()];
  else if (isPlainObject(claims)) entries = Object.keys(claims).map((k) => [k, claims[k]]);
  else return rejectGlue("cwt", "not_a_map", "the COSE payload is not a CBOR map");

  const warnings = [];
  const warn = (flag, at, message) => warnings.push({ flag, at, message });
  const c169 = entries.filter(([k]) => k === 169 || k === 169n);
  if (c169.length === 0) {
    return rejectGlue("claim169", "no_claim169", "the CWT claims hold no claim 169");
  }
  const others = new Map(entries.filter(([k]) => !(k === 169 || k === 169n)));
  const claim169 = new Raw(canonicalText(c169[0][1], "169", warn));
  const cwt = new Raw(canonicalText(others, null, warn));
  warnings.unshift({
    flag: "SignatureNotVerified",
    message: "pixelpass does not verify signatures: the COSE_Sign1 signature was not checked",
  });
  const options = request.options || {};
  if (options.now !== undefined && options.now !== null) {
    warnings.push({ flag: "TimeNotChecked", message: "pixelpass does not check exp or nbf" });
  }
  return {
    verdict: "accept",
    claim169,
    cwt,
    verified: false,
    cose: { structure: "COSE_Sign1", tags },
    warnings,
  };
}

// ---------------------------------------------------------------------------
// encode

function encode() {
  // generateQRData(JSON text) CBOR-encodes JSON.parse's result (text keys only,
  // no byte strings, no tags) and has no COSE or signing: it cannot produce a
  // Claim 169 credential, signed or not.
  throw new Unsupported(
    "pixelpass cannot encode a Claim 169 credential: generateQRData CBOR-encodes a JSON value " +
    "(text keys only, no byte strings or tags) and has no COSE_Sign1 or signing");
}

// ---------------------------------------------------------------------------
// the envelope and the loop

function answer(line) {
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
      return { id: rid, error: { kind: "internal", message: `cannot load @mosip/pixelpass: ${withoutRepository(errorText(loadError))} (run npm ci)` } };
    }
    const op = request.op;
    if (op === "describe") return { id: rid, ...DESCRIPTION };
    if (op === "decode") return { id: rid, ...decode(request) };
    if (op === "encode") return { id: rid, ...encode(request) };
    return { id: rid, error: { kind: "unsupported", message: `op ${JSON.stringify(op)} is not supported` } };
  } catch (e) {
    if (e instanceof Unsupported) return { id: rid, error: { kind: "unsupported", message: e.message } };
    if (e instanceof Internal) {
      console.error(`${NAME}: internal: ${e.message}`);
      return { id: rid, error: { kind: "internal", message: e.message.slice(0, 2000) } };
    }
    console.error(e && e.stack ? e.stack.split("\n").slice(0, 6).join("\n") : e);
    return { id: rid, error: { kind: "internal", message: errorText(e).slice(0, 2000) } };
  }
}

function respond(response) {
  let out;
  try {
    out = writeResponse(response);
  } catch (e) {
    out = JSON.stringify({ id: response.id === undefined ? null : response.id, error: { kind: "internal", message: `cannot serialise the response: ${errorText(e)}` } });
  }
  process.stdout.write(out + "\n");
}

function main() {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity, terminal: false });
  rl.on("line", (line) => {
    if (line.trim() === "") return;
    respond(answer(line));
  });
}

process.on("uncaughtException", (e) => {
  console.error("uncaught:", e && e.stack ? e.stack.split("\n").slice(0, 6).join("\n") : e);
});

main();
