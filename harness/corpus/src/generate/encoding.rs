//! A family's encoder options and tampers, from their YAML spelling to the
//! reference encoder's types.

use super::spec::{Options, TamperEdit, TamperSpec};
use c169_codec::cbor::{KeyOrder, WriteStyle};
use c169_codec::encode::{Edit, Layering, Placement, SignatureFormat, Tags, Tamper};
use c169_codec::{zlib, EncodeOptions};
use c169_model::{from_canonical_json, Value};
use serde_json::Value as Json;
use sha2::{Digest, Sha256};

/// Deterministic bytes: SHA-256 in counter mode over a label.
pub(super) fn derived_bytes(label: &str, len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut counter = 0u32;
    while out.len() < len {
        let mut h = Sha256::new();
        h.update(label.as_bytes());
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        counter += 1;
    }
    out.truncate(len);
    out
}

pub(super) fn placement(s: &str) -> Result<Placement, String> {
    match s {
        "protected" => Ok(Placement::Protected),
        "unprotected" => Ok(Placement::Unprotected),
        "both" => Ok(Placement::Both),
        "omit" => Ok(Placement::Omit),
        other => Err(format!(
            "placement {other:?}: expected protected, unprotected, both or omit"
        )),
    }
}

pub(super) fn pairs(list: &[(Json, Json)]) -> Result<Vec<(Value, Value)>, String> {
    list.iter()
        .map(|(k, v)| {
            Ok((
                from_canonical_json(k).map_err(|e| e.to_string())?,
                from_canonical_json(v).map_err(|e| e.to_string())?,
            ))
        })
        .collect()
}

/// Hex bytes, or a macro: `@zeros:N` (N zero bytes), `@nest:N` (a claims map whose
/// claim 169 holds a value nested N arrays deep).
pub(super) fn hex_bytes(what: &str, h: &str) -> Result<Vec<u8>, String> {
    if let Some(n) = h.strip_prefix("@zeros:") {
        return Ok(vec![0; count(n)?]);
    }
    if let Some(n) = h.strip_prefix("@nest:") {
        // {169: {4: "Nest", 90: [[[…0…]]]}}
        let mut out = hex::decode("a118a9a204644e657374185a").map_err(|e| e.to_string())?;
        out.extend(std::iter::repeat_n(0x81, count(n)?));
        out.push(0x00);
        return Ok(out);
    }
    hex::decode(h).map_err(|e| format!("{what}: not hex: {e}"))
}

pub(super) fn count(n: &str) -> Result<usize, String> {
    n.parse().map_err(|_| format!("{n:?} is not a count"))
}

/// A JSON value macro: `@zeros:N` (hex of N zero bytes), `@ints:N` (an array of N small integers).
pub(super) fn macro_value(s: &str) -> Result<Json, String> {
    if let Some(n) = s.strip_prefix("@zeros:") {
        return Ok(Json::String("00".repeat(count(n)?)));
    }
    if let Some(n) = s.strip_prefix("@ints:") {
        return Ok(Json::Array(
            (0..count(n)?).map(|i| Json::from(i % 24)).collect(),
        ));
    }
    Err(format!("unknown macro {s:?}"))
}

pub(super) fn placement_or(p: Option<&String>, default: Placement) -> Result<Placement, String> {
    p.map_or(Ok(default), |p| placement(p))
}

pub(super) fn value_of(v: Option<&Json>) -> Result<Option<Value>, String> {
    v.map(|v| from_canonical_json(v).map_err(|e| e.to_string()))
        .transpose()
}

pub(super) fn options(o: &Options, tamper: &[TamperSpec]) -> Result<EncodeOptions, String> {
    let key_order = match o.key_order.as_deref() {
        None | Some("as_given") => KeyOrder::AsGiven,
        Some("deterministic") => KeyOrder::Deterministic,
        Some("reversed") => KeyOrder::Reversed,
        Some(other) => {
            return Err(format!(
                "key_order {other:?}: expected as_given, deterministic or reversed"
            ))
        }
    };
    let tags = match o.tags.as_deref() {
        None | Some("cose") => Tags::Cose,
        Some("cwt_and_cose") => Tags::CwtAndCose,
        Some("none") => Tags::None,
        Some(other) => {
            return Err(format!(
                "tags {other:?}: expected cose, cwt_and_cose or none"
            ))
        }
    };
    let signature_format = match o.signature_format.as_deref() {
        None | Some("raw") => SignatureFormat::Raw,
        Some("der") => SignatureFormat::Der,
        Some(other) => return Err(format!("signature_format {other:?}: expected raw or der")),
    };
    let layering = match o.layering.as_deref() {
        None | Some("sign_then_encrypt") => Layering::SignThenEncrypt,
        Some("encrypt_then_sign") => Layering::EncryptThenSign,
        Some("encrypt_only") => Layering::EncryptOnly,
        Some(other) => {
            return Err(format!(
                "layering {other:?}: expected sign_then_encrypt, encrypt_then_sign or encrypt_only"
            ))
        }
    };
    Ok(EncodeOptions {
        claims_style: WriteStyle {
            indefinite: o.indefinite.unwrap_or(false),
            key_order,
        },
        claim169_as_bytes: o.claim169_as_bytes.unwrap_or(false),
        tags,
        untagged_inner: o.untagged_inner.unwrap_or(false),
        alg_placement: placement_or(o.alg_placement.as_ref(), Placement::Protected)?,
        alg_value: value_of(o.alg_value.as_ref())?,
        kid_placement: placement_or(o.kid_placement.as_ref(), Placement::Protected)?,
        empty_protected_as_map: o.empty_protected_as_map.unwrap_or(false),
        extra_protected: pairs(o.extra_protected.as_deref().unwrap_or_default())?,
        extra_unprotected: pairs(o.extra_unprotected.as_deref().unwrap_or_default())?,
        signature_format,
        detach_payload: o.detach_payload.unwrap_or(false),
        layering,
        enc_alg_placement: placement_or(o.enc_alg_placement.as_ref(), Placement::Protected)?,
        iv_placement: o.iv_placement.as_ref().map(|p| placement(p)).transpose()?,
        extra_enc_protected: pairs(o.extra_enc_protected.as_deref().unwrap_or_default())?,
        extra_enc_unprotected: pairs(o.extra_enc_unprotected.as_deref().unwrap_or_default())?,
        no_compression: o.no_compression.unwrap_or(false),
        zlib: zlib::ZlibOptions {
            level: o.zlib_level.unwrap_or(6),
            window_bits: o.zlib_window_bits.unwrap_or(15),
            header: zlib::HeaderOverride {
                cm: o.zlib_cm,
                cinfo: o.zlib_cinfo,
                fdict: o.zlib_fdict.unwrap_or(false),
                flevel: o.zlib_flevel,
                break_check: o.zlib_break_check.unwrap_or(false),
            },
        },
        tamper: tamper.iter().map(tamper_of).collect::<Result<_, _>>()?,
    })
}

pub(super) fn tamper_of(t: &TamperSpec) -> Result<Tamper, String> {
    let at = t.at;
    let edit = match &t.edit {
        TamperEdit::Append(h) => Edit::Append(hex_bytes("append", h)?),
        TamperEdit::Prepend(h) => Edit::Prepend(hex_bytes("prepend", h)?),
        TamperEdit::PrependText(s) => Edit::Prepend(s.as_bytes().to_vec()),
        TamperEdit::AppendText(s) => Edit::Append(s.as_bytes().to_vec()),
        TamperEdit::Truncate(n) => Edit::Truncate(*n),
        TamperEdit::Skip(n) => Edit::Skip(*n),
        TamperEdit::Lowercase => Edit::Lowercase,
        TamperEdit::Xor(offset, mask) => Edit::Xor {
            offset: *offset,
            mask: *mask,
        },
        TamperEdit::Overwrite(offset, h) => Edit::Overwrite {
            offset: *offset,
            bytes: hex_bytes("overwrite", h)?,
        },
        TamperEdit::OverwriteText(offset, s) => Edit::Overwrite {
            offset: *offset,
            bytes: s.as_bytes().to_vec(),
        },
        TamperEdit::Replace(h) => Edit::Replace(hex_bytes("replace", h)?),
        TamperEdit::ReplaceText(s) => Edit::Replace(s.as_bytes().to_vec()),
    };
    Ok(Tamper { at, edit })
}
