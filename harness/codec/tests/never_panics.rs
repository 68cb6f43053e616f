//! Property: decoding never panics, whatever the input, at every layer the input
//! can reach: arbitrary text, Base45 of arbitrary bytes, zlib of arbitrary bytes,
//! and valid credentials mutated at the COSE layer. 4 × 25 000 cases.

mod support;

use c169_codec::{base45, decode, zlib, DecodeOptions, EncodeOptions};
use proptest::prelude::*;
use std::sync::OnceLock;

const CASES: u32 = 25_000;

fn options() -> &'static DecodeOptions {
    static OPTIONS: OnceLock<DecodeOptions> = OnceLock::new();
    OPTIONS.get_or_init(|| {
        let f = support::encrypted_fixture(EncodeOptions::default());
        f.options()
    })
}

/// A signed and a signed-then-encrypted credential, as COSE bytes, to mutate.
fn seeds() -> &'static [Vec<u8>; 2] {
    static SEEDS: OnceLock<[Vec<u8>; 2]> = OnceLock::new();
    SEEDS.get_or_init(|| {
        [
            support::fixture(EncodeOptions::default()).encode().cose,
            support::encrypted_fixture(EncodeOptions::default())
                .encode()
                .cose,
        ]
    })
}

fn wrap(cose: &[u8]) -> String {
    base45::encode(
        &zlib::deflate(
            cose,
            &zlib::ZlibOptions {
                level: 1,
                ..zlib::ZlibOptions::default()
            },
        )
        .unwrap_or_default(),
    )
}

#[derive(Debug, Clone)]
enum Mutation {
    Flip(usize, u8),
    Truncate(usize),
    Insert(usize, u8),
    Delete(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), 1..=255u8).prop_map(|(i, m)| Mutation::Flip(i, m)),
        any::<usize>().prop_map(Mutation::Truncate),
        (any::<usize>(), any::<u8>()).prop_map(|(i, b)| Mutation::Insert(i, b)),
        any::<usize>().prop_map(Mutation::Delete),
    ]
}

fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    if bytes.is_empty() {
        return;
    }
    let at = |i: usize| i % bytes.len();
    match *m {
        Mutation::Flip(i, mask) => {
            let i = at(i);
            if let Some(b) = bytes.get_mut(i) {
                *b ^= mask;
            }
        }
        Mutation::Truncate(i) => bytes.truncate(at(i)),
        Mutation::Insert(i, b) => bytes.insert(at(i), b),
        Mutation::Delete(i) => {
            bytes.remove(at(i));
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: CASES, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_text(text in any::<String>()) {
        let _ = decode(&text, options());
    }

    #[test]
    fn base45_of_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode(&base45::encode(&bytes), options());
    }

    #[test]
    fn zlib_of_arbitrary_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let _ = decode(&wrap(&bytes), options());
    }

    #[test]
    fn mutated_credentials(which in 0..2usize, verify in any::<bool>(), mutations in proptest::collection::vec(mutation(), 1..4)) {
        let mut bytes = seeds().get(which).cloned().unwrap_or_default();
        for m in &mutations {
            apply(&mut bytes, m);
        }
        // Without verification keys, mutated payloads reach the CWT and claim 169 readers.
        let unverified = DecodeOptions { verify_keys: Vec::new(), ..options().clone() };
        let _ = decode(&wrap(&bytes), if verify { options() } else { &unverified });
    }
}
