//! The TEST KEYS of the fuzz targets, derived in code from their names as the
//! generated corpus derives its keys, so credentials from the vectors verify here.

use c169_crypto::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_crypto::keys::{Key, KeyMaterial, PrivateKey, SymmetricKey};
use std::sync::OnceLock;

/// The TEST KEYS of the fuzz targets.
pub(crate) struct TestKeys {
    /// One private key per signature algorithm, in [`SignatureAlgorithm::ALL`] order.
    pub(crate) signing: Vec<(SignatureAlgorithm, Key)>,
    /// Their public halves.
    pub(crate) verify: Vec<Key>,
    /// One content key per AES-GCM algorithm, in [`ContentAlgorithm::ALL`] order.
    pub(crate) content: Vec<(ContentAlgorithm, Key)>,
}

/// A TEST KEY's name: the generated corpus's key of that algorithm.
fn signing_name(alg: SignatureAlgorithm) -> &'static str {
    match alg {
        SignatureAlgorithm::EdDsa => "ed25519-a",
        SignatureAlgorithm::Es256 => "p256-a",
        SignatureAlgorithm::Es384 => "p384-a",
        SignatureAlgorithm::Es512 => "p521-a",
    }
}

fn content_name(alg: ContentAlgorithm) -> &'static str {
    match alg {
        ContentAlgorithm::A128Gcm => "aes128-a",
        ContentAlgorithm::A192Gcm => "aes192-a",
        ContentAlgorithm::A256Gcm => "aes256-a",
    }
}

fn named(material: KeyMaterial, name: &str) -> Key {
    let mut key = Key::new(material);
    key.kid = Some(name.as_bytes().to_vec());
    key
}

/// Derived once: "c169 test key " ‖ name, as `vectors/src/keys.yaml` describes.
pub(crate) fn test_keys() -> &'static TestKeys {
    static KEYS: OnceLock<TestKeys> = OnceLock::new();
    KEYS.get_or_init(|| {
        let signing: Vec<(SignatureAlgorithm, Key)> = SignatureAlgorithm::ALL
            .into_iter()
            .map(|alg| {
                let name = signing_name(alg);
                let seed = format!("c169 test key {name}");
                let private = PrivateKey::derive(alg, seed.as_bytes());
                (alg, named(KeyMaterial::Private(private), name))
            })
            .collect();
        let verify = signing
            .iter()
            .filter_map(|(alg, key)| {
                key.public_key()
                    .map(|p| named(KeyMaterial::Public(p), signing_name(*alg)))
            })
            .collect();
        let content = ContentAlgorithm::ALL
            .into_iter()
            .map(|alg| {
                let name = content_name(alg);
                let seed = format!("c169 test key {name}");
                let key = SymmetricKey::derive(alg, seed.as_bytes());
                (alg, named(KeyMaterial::Symmetric(key), name))
            })
            .collect();
        TestKeys {
            signing,
            verify,
            content,
        }
    })
}

pub(crate) fn signing_key(alg: SignatureAlgorithm) -> Option<&'static Key> {
    test_keys()
        .signing
        .iter()
        .find(|(a, _)| *a == alg)
        .map(|(_, k)| k)
}

pub(crate) fn verify_key(alg: SignatureAlgorithm) -> Option<&'static Key> {
    test_keys()
        .verify
        .iter()
        .find(|k| k.signature_algorithm() == Some(alg))
}

pub(crate) fn content_key(alg: ContentAlgorithm) -> Option<&'static Key> {
    test_keys()
        .content
        .iter()
        .find(|(a, _)| *a == alg)
        .map(|(_, k)| k)
}
