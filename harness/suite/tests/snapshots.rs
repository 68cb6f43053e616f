//! One insta snapshot per vector file: what the reference answers. Any change of
//! the codec that alters an outcome shows as a snapshot diff to review
//! (`cargo insta review`); CI runs `cargo insta test --check`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)] // tests

use c169_codec::{decode, DecodeOptions};
use c169_corpus::Corpus;
use c169_crypto::keys::Key;
use serde_json::{json, Value as Json};
use std::path::Path;

/// Byte strings longer than this many hex digits are shown by their start and length.
const SHOWN_HEX: usize = 64;

fn shorten(v: &mut Json) {
    match v {
        Json::Object(m) => {
            if let (1, Some(Json::String(h))) = (m.len(), m.get("bstr")) {
                if h.len() > SHOWN_HEX {
                    let short =
                        json!({"bstr": format!("{}…", &h[..SHOWN_HEX]), "len": h.len() / 2});
                    *v = short;
                    return;
                }
            }
            m.values_mut().for_each(shorten);
        }
        Json::Array(items) => items.iter_mut().for_each(shorten),
        _ => {}
    }
}

#[test]
fn reference_outcome_of_every_vector() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors");
    let corpus = Corpus::load(&root).unwrap();
    insta::glob!("../../../vectors", "**/*.json", |path| {
        let Some((_, vector)) = corpus
            .vectors
            .iter()
            .find(|(p, _)| p.canonicalize().ok().as_deref() == Some(path))
        else {
            return; // keys, the schema, notes and originals are not vectors
        };
        let verify: Vec<Key> = corpus.keys_for(&vector.keys.verify);
        let decrypt: Vec<Key> = corpus.keys_for(&vector.keys.decrypt);
        let scanned = vector.image.as_ref().map(|image| {
            let png = c169_corpus::symbol::image_bytes(path, image).unwrap();
            c169_qr::scan_png(&png)
                .map(|s| s.text)
                .map_err(|e| e.to_string())
        });
        let text = match (&vector.qr, &scanned) {
            (Some(qr), _) => Some(qr.clone()),
            (None, Some(Ok(text))) => Some(text.clone()),
            _ => None,
        };
        let snapshot = match (&text, &scanned) {
            (None, Some(Err(e))) => json!({"image": "not read", "scan": e}),
            (Some(qr), _) => {
                let options = DecodeOptions {
                    now: Some(vector.now),
                    verify_keys: verify,
                    decrypt_keys: decrypt,
                    ..DecodeOptions::default()
                };
                let mut outcome = serde_json::to_value(decode(qr, &options).outcome).unwrap();
                shorten(&mut outcome);
                outcome
            }
            (None, _) => {
                json!({"encoder vector": "run by the encoder runner", "checks": vector.encode.as_ref().map(|e| e.checks.clone())})
            }
        };
        insta::with_settings!({description => vector.description.clone(), omit_expression => true}, {
            insta::assert_json_snapshot!(snapshot);
        });
    });
}
