#![allow(clippy::panic, clippy::unwrap_used, clippy::indexing_slicing)] // tests
#![allow(clippy::type_complexity, clippy::too_many_lines)] // test tables are long tuples

use super::*;
use crate::keys::{parse_jwk, Key};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::json;

fn unhex(text: &str) -> Vec<u8> {
    hex::decode(text).unwrap()
}

fn unb64(text: &str) -> Vec<u8> {
    URL_SAFE_NO_PAD.decode(text).unwrap()
}

/// Left-pads a big-endian hex integer to `len` bytes (RFC 6979 prints P-521 values with 131 digits).
fn unhex_padded(text: &str, len: usize) -> Vec<u8> {
    unhex(&format!("{text:0>width$}", width = 2 * len))
}

fn private(alg: SignatureAlgorithm, secret_hex: &str) -> PrivateKey {
    let len = match alg {
        SignatureAlgorithm::EdDsa | SignatureAlgorithm::Es256 => 32,
        SignatureAlgorithm::Es384 => 48,
        SignatureAlgorithm::Es512 => 66,
    };
    PrivateKey::from_bytes(alg, &unhex_padded(secret_hex, len)).unwrap()
}

fn public_of(jwk: &serde_json::Value) -> PublicKey {
    parse_jwk(jwk).unwrap().public_key().unwrap()
}

/// One test key per signature algorithm.
fn test_keys() -> Vec<(SignatureAlgorithm, PrivateKey)> {
    SignatureAlgorithm::ALL
        .into_iter()
        .map(|alg| (alg, PrivateKey::derive(alg, b"crypto tests")))
        .collect()
}

#[test]
fn algorithm_identifiers() {
    // (algorithm, COSE id, name, signature length)
    let signature = [
        (SignatureAlgorithm::EdDsa, -8, "EdDSA", 64),
        (SignatureAlgorithm::Es256, -7, "ES256", 64),
        (SignatureAlgorithm::Es384, -35, "ES384", 96),
        (SignatureAlgorithm::Es512, -36, "ES512", 132),
    ];
    for (alg, id, name, len) in signature {
        assert_eq!(alg.cose_id(), id);
        assert_eq!(SignatureAlgorithm::from_cose_id(i128::from(id)), Some(alg));
        assert_eq!(alg.name(), name);
        assert_eq!(alg.to_string(), name);
        assert_eq!(SignatureAlgorithm::from_name(name), Some(alg));
        assert_eq!(alg.signature_len(), len);
    }
    // (algorithm, COSE id, name, key length)
    let content = [
        (ContentAlgorithm::A128Gcm, 1, "A128GCM", 16),
        (ContentAlgorithm::A192Gcm, 2, "A192GCM", 24),
        (ContentAlgorithm::A256Gcm, 3, "A256GCM", 32),
    ];
    for (alg, id, name, len) in content {
        assert_eq!(alg.cose_id(), id);
        assert_eq!(ContentAlgorithm::from_cose_id(i128::from(id)), Some(alg));
        assert_eq!(alg.name(), name);
        assert_eq!(alg.to_string(), name);
        assert_eq!(ContentAlgorithm::from_name(name), Some(alg));
        assert_eq!(alg.key_len(), len);
        assert_eq!(ContentAlgorithm::from_key_len(len), Some(alg));
    }
    // Identifiers and names this codec does not implement.
    for id in [0, -1, -9, -37, -47, 4, 24, i128::from(u64::MAX), -(1 << 64)] {
        assert_eq!(SignatureAlgorithm::from_cose_id(id), None, "{id}");
        assert_eq!(ContentAlgorithm::from_cose_id(id), None, "{id}");
    }
    for name in [
        "es256", "Ed25519", "ES256K", "", "a128gcm", "A128KW", "RS256",
    ] {
        assert_eq!(SignatureAlgorithm::from_name(name), None, "{name}");
        assert_eq!(ContentAlgorithm::from_name(name), None, "{name}");
    }
    assert_eq!(ContentAlgorithm::from_key_len(20), None);
}

#[test]
fn test_rfc8032_7_1_test1_ed25519_empty_message() {
    // RFC 8032 §7.1 TEST 1: the empty message.
    let key = private(
        SignatureAlgorithm::EdDsa,
        "9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60",
    );
    assert_eq!(
        hex::encode(key.public_key().to_bytes()),
        "d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"
    );
    let sig = sign(&key, SignatureAlgorithm::EdDsa, b"").unwrap();
    assert_eq!(
        hex::encode(&sig),
        "e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e39701cf9b46bd25bf5f0595bbe24655141438e7a100b"
    );
    assert_eq!(
        verify(&key.public_key(), SignatureAlgorithm::EdDsa, b"", &sig),
        Ok(())
    );
}

const RFC8037_A4_SIGNING_INPUT: &[u8] = b"eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc";
const RFC8037_A4_SIGNATURE: &str =
    "hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg";

#[test]
fn test_rfc8037_a4_ed25519_signing() {
    // A.4: the A.1 key signs the JWS signing input of {"alg":"EdDSA"} and "Example of Ed25519 signing".
    let key = parse_jwk(&json!({
        "kty": "OKP", "crv": "Ed25519",
        "d": "nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A",
        "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    }))
    .unwrap();
    let sig = sign(
        key.private_key().unwrap(),
        SignatureAlgorithm::EdDsa,
        RFC8037_A4_SIGNING_INPUT,
    )
    .unwrap();
    assert_eq!(sig, unb64(RFC8037_A4_SIGNATURE));
}

#[test]
fn test_rfc8037_a5_ed25519_verification() {
    // A.5: the A.2 public key verifies the A.4 signature, and nothing else.
    let key = public_of(&json!({
        "kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"
    }));
    let sig = unb64(RFC8037_A4_SIGNATURE);
    let alg = SignatureAlgorithm::EdDsa;
    assert_eq!(verify(&key, alg, RFC8037_A4_SIGNING_INPUT, &sig), Ok(()));
    let mut tampered = RFC8037_A4_SIGNING_INPUT.to_vec();
    *tampered.last_mut().unwrap() ^= 1;
    assert_eq!(
        verify(&key, alg, &tampered, &sig),
        Err(CryptoError::SignatureInvalid)
    );
}

#[test]
fn test_rfc7515_a3_es256_verification() {
    // A.3: the ES256 JWS over {"iss":"joe",...} verifies with the A.3.1 key.
    let key = public_of(&json!({
        "kty": "EC", "crv": "P-256",
        "x": "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU",
        "y": "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
    }));
    let input = b"eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ";
    let sig = unb64(
        "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q",
    );
    assert_eq!(verify(&key, SignatureAlgorithm::Es256, input, &sig), Ok(()));
    // Its DER form is refused on length alone.
    let der = signature_to_der(SignatureAlgorithm::Es256, &sig).unwrap();
    assert!(matches!(
        verify(&key, SignatureAlgorithm::Es256, input, &der),
        Err(CryptoError::BadSignatureLength { expected: 64, .. })
    ));
}

#[test]
fn test_rfc7515_a4_es512_verification() {
    // A.4: the ES512 JWS over "Payload" verifies with the A.4.1 key.
    let key = public_of(&json!({
        "kty": "EC", "crv": "P-521",
        "x": "AekpBQ8ST8a8VcfVOTNl353vSrDCLLJXmPk06wTjxrrjcBpXp5EOnYG_NjFZ6OvLFV1jSfS9tsz4qUxcWceqwQGk",
        "y": "ADSmRA43Z1DSNx_RvcLI87cdL07l6jQyyBXMoxVg_l2Th-x3S1WDhjDly79ajL4Kkd0AZMaZmh9ubmf63e3kyMj2"
    }));
    let input = b"eyJhbGciOiJFUzUxMiJ9.UGF5bG9hZA";
    let sig = unb64(
        "AdwMgeerwtHoh-l192l60hp9wAHZFVJbLfD_UxMi70cwnZOYaRI1bKPWROc-mZZqwqT2SI-KGDKB34XO0aw_7XdtAG8GaSwFKdCAPZgoXD2YBJZCPEX3xKpRwcdOO8KpEHwJjyqOgzDO7iKvU8vcnwNrmxYbSW9ERBXukOXolLzeO_Jn",
    );
    assert_eq!(verify(&key, SignatureAlgorithm::Es512, input, &sig), Ok(()));
}

/// RFC 6979 A.2.5–A.2.7, the hash each COSE algorithm pairs with its curve:
/// (algorithm, private key x, public Ux ‖ Uy, message, r, s).
const RFC6979_VECTORS: [(SignatureAlgorithm, &str, &str, &str, &str, &str); 6] = [
    // A.2.5, P-256 with SHA-256.
    (
        SignatureAlgorithm::Es256,
        "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
        "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB67903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
        "sample",
        "EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716",
        "F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8",
    ),
    (
        SignatureAlgorithm::Es256,
        "C9AFA9D845BA75166B5C215767B1D6934E50C3DB36E89B127B8A622B120F6721",
        "60FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB67903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299",
        "test",
        "F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367",
        "019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083",
    ),
    // A.2.6, P-384 with SHA-384.
    (
        SignatureAlgorithm::Es384,
        "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
        "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC138015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
        "sample",
        "94EDBB92A5ECB8AAD4736E56C691916B3F88140666CE9FA73D64C4EA95AD133C81A648152E44ACF96E36DD1E80FABE46",
        "99EF4AEB15F178CEA1FE40DB2603138F130E740A19624526203B6351D0A3A94FA329C145786E679E7B82C71A38628AC8",
    ),
    (
        SignatureAlgorithm::Es384,
        "6B9D3DAD2E1B8C1C05B19875B6659F4DE23C3B667BF297BA9AA47740787137D896D5724E4C70A825F872C9EA60D2EDF5",
        "EC3A4E415B4E19A4568618029F427FA5DA9A8BC4AE92E02E06AAE5286B300C64DEF8F0EA9055866064A254515480BC138015D9B72D7D57244EA8EF9AC0C621896708A59367F9DFB9F54CA84B3F1C9DB1288B231C3AE0D4FE7344FD2533264720",
        "test",
        "8203B63D3C853E8D77227FB377BCF7B7B772E97892A80F36AB775D509D7A5FEB0542A7F0812998DA8F1DD3CA3CF023DB",
        "DDD0760448D42D8A43AF45AF836FCE4DE8BE06B485E9B61B827C2F13173923E06A739F040649A667BF3B828246BAA5A5",
    ),
    // A.2.7, P-521 with SHA-512 (the case p521 0.13 cannot do deterministically itself).
    (
        SignatureAlgorithm::Es512,
        "0FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538",
        "01894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD371123D46E45DB6B5D5370A7F20FB633155D38FFA16D2BD761DCAC474B9A2F5023A400493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A28A0DB25741B5B34A828008B22ACC23F924FAAFBD4D33F81EA66956DFEAA2BFDFCF5",
        "sample",
        "0C328FAFCBD79DD77850370C46325D987CB525569FB63C5D3BC53950E6D4C5F174E25A1EE9017B5D450606ADD152B534931D7D4E8455CC91F9B15BF05EC36E377FA",
        "0617CCE7CF5064806C467F678D3B4080D6F1CC50AF26CA209417308281B68AF282623EAA63E5B5C0723D8B8C37FF0777B1A20F8CCB1DCCC43997F1EE0E44DA4A67A",
    ),
    (
        SignatureAlgorithm::Es512,
        "0FAD06DAA62BA3B25D2FB40133DA757205DE67F5BB0018FEE8C86E1B68C7E75CAA896EB32F1F47C70855836A6D16FCC1466F6D8FBEC67DB89EC0C08B0E996B83538",
        "01894550D0785932E00EAA23B694F213F8C3121F86DC97A04E5A7167DB4E5BCD371123D46E45DB6B5D5370A7F20FB633155D38FFA16D2BD761DCAC474B9A2F5023A400493101C962CD4D2FDDF782285E64584139C2F91B47F87FF82354D6630F746A28A0DB25741B5B34A828008B22ACC23F924FAAFBD4D33F81EA66956DFEAA2BFDFCF5",
        "test",
        "13E99020ABF5CEE7525D16B69B229652AB6BDF2AFFCAEF38773B4B7D08725F10CDB93482FDCC54EDCEE91ECA4166B2A7C6265EF0CE2BD7051B7CEF945BABD47EE6D",
        "1FBD0013C674AA79CB39849527916CE301C66EA7CE8B80682786AD60F98F7E78A19CA69EFF5C57400E3B3A0AD66CE0978214D13BAF4E9AC60752F7B155E2DE4DCE3",
    ),
];

#[test]
fn test_rfc6979_a2_deterministic_ecdsa() {
    for (alg, x, public, message, r, s) in RFC6979_VECTORS {
        let half = alg.signature_len() / 2;
        let key = private(alg, x);
        assert_eq!(
            key.public_key().to_bytes(),
            [vec![0x04], unhex(public)].concat(),
            "{alg} public key"
        );
        let expected = [unhex_padded(r, half), unhex_padded(s, half)].concat();
        let sig = sign(&key, alg, message.as_bytes()).unwrap();
        assert_eq!(hex::encode(&sig), hex::encode(&expected), "{alg} {message}");
        assert_eq!(
            verify(&key.public_key(), alg, message.as_bytes(), &sig),
            Ok(())
        );
    }
}

#[test]
fn sign_then_verify_every_algorithm() {
    // (message) for every key: empty, short, and longer than a hash block.
    let messages: [&[u8]; 3] = [b"", b"claim 169", &[0xa5; 300]];
    for (alg, key) in test_keys() {
        for message in messages {
            let sig = sign(&key, alg, message).unwrap();
            assert_eq!(sig.len(), alg.signature_len(), "{alg}");
            assert_eq!(
                verify(&key.public_key(), alg, message, &sig),
                Ok(()),
                "{alg}"
            );
        }
    }
}

#[test]
fn signing_is_deterministic() {
    for (alg, key) in test_keys() {
        let first = sign(&key, alg, b"same message").unwrap();
        let second = sign(&key, alg, b"same message").unwrap();
        assert_eq!(first, second, "{alg}");
        // ... and a different message gives a different signature.
        assert_ne!(first, sign(&key, alg, b"other message").unwrap(), "{alg}");
    }
}

#[test]
fn verify_failures() {
    for (alg, key) in test_keys() {
        let public = key.public_key();
        let message = b"the message";
        let sig = sign(&key, alg, message).unwrap();
        let len = alg.signature_len();
        let bad_len = |found| {
            Err(CryptoError::BadSignatureLength {
                expected: len,
                found,
            })
        };
        let other_key = PrivateKey::derive(alg, b"another test key").public_key();
        let mut cases: Vec<(String, &PublicKey, Vec<u8>, &[u8], Result<(), CryptoError>)> = vec![
            ("valid".into(), &public, sig.clone(), message, Ok(())),
            (
                "other message".into(),
                &public,
                sig.clone(),
                b"the messagf",
                Err(CryptoError::SignatureInvalid),
            ),
            (
                "other key".into(),
                &other_key,
                sig.clone(),
                message,
                Err(CryptoError::SignatureInvalid),
            ),
            (
                "one byte short".into(),
                &public,
                sig[..len - 1].to_vec(),
                message,
                bad_len(len - 1),
            ),
            (
                "one byte long".into(),
                &public,
                [&sig[..], &[0]].concat(),
                message,
                bad_len(len + 1),
            ),
            ("empty".into(), &public, Vec::new(), message, bad_len(0)),
            (
                "all zero".into(),
                &public,
                vec![0; len],
                message,
                Err(CryptoError::SignatureInvalid),
            ),
            (
                "all ones".into(),
                &public,
                vec![0xff; len],
                message,
                Err(CryptoError::SignatureInvalid),
            ),
        ];
        // Every bit flip in the first, middle and last byte is caught.
        for index in [0, len / 2 - 1, len / 2, len - 1] {
            for bit in 0..8 {
                let mut flipped = sig.clone();
                flipped[index] ^= 1 << bit;
                cases.push((
                    format!("bit {bit} of byte {index}"),
                    &public,
                    flipped,
                    message,
                    Err(CryptoError::SignatureInvalid),
                ));
            }
        }
        if alg.is_ecdsa() {
            // The DER form of a valid signature has the wrong length: never accepted.
            let der = signature_to_der(alg, &sig).unwrap();
            let der_len = der.len();
            cases.push(("DER".into(), &public, der, message, bad_len(der_len)));
        }
        for (what, key, signature, message, expected) in cases {
            assert_eq!(
                verify(key, alg, message, &signature),
                expected,
                "{alg}: {what}"
            );
        }
    }
}

#[test]
fn algorithm_must_match_the_key() {
    let keys = test_keys();
    for (key_alg, key) in &keys {
        for alg in SignatureAlgorithm::ALL {
            if alg == *key_alg {
                continue;
            }
            let mismatch = Err(CryptoError::AlgorithmKeyMismatch {
                alg,
                key: key.name(),
            });
            // Signing refuses, and so does verifying, whatever the signature's length.
            assert_eq!(sign(key, alg, b"m"), mismatch, "{alg} with {}", key.name());
            let sig = vec![0; alg.signature_len()];
            assert_eq!(
                verify(&key.public_key(), alg, b"m", &sig),
                mismatch.clone().map(|_| ()),
                "{alg} with {}",
                key.name()
            );
        }
    }
}

#[test]
fn signature_to_der_matches_the_ecdsa_crate() {
    for (alg, key) in test_keys() {
        let raw = sign(&key, alg, b"der").unwrap();
        let reference = match alg {
            SignatureAlgorithm::EdDsa => {
                assert_eq!(
                    signature_to_der(alg, &raw),
                    Err(CryptoError::NotEcdsa { alg })
                );
                continue;
            }
            SignatureAlgorithm::Es256 => p256::ecdsa::Signature::from_slice(&raw)
                .unwrap()
                .to_der()
                .as_bytes()
                .to_vec(),
            SignatureAlgorithm::Es384 => p384::ecdsa::Signature::from_slice(&raw)
                .unwrap()
                .to_der()
                .as_bytes()
                .to_vec(),
            SignatureAlgorithm::Es512 => p521::ecdsa::Signature::from_slice(&raw)
                .unwrap()
                .to_der()
                .as_bytes()
                .to_vec(),
        };
        assert_eq!(signature_to_der(alg, &raw).unwrap(), reference, "{alg}");
    }
}

#[test]
fn signature_to_der_edge_cases() {
    // (what, algorithm, r ‖ s, DER)
    let r_high = [vec![0x80], vec![0; 31]].concat();
    let s_small = [vec![0; 31], vec![0x01]].concat();
    let cases: Vec<(
        &str,
        SignatureAlgorithm,
        Vec<u8>,
        Result<Vec<u8>, CryptoError>,
    )> = vec![
        (
            "high bit gets a 0x00, leading zeros go",
            SignatureAlgorithm::Es256,
            [r_high.clone(), s_small].concat(),
            Ok([
                vec![0x30, 0x26, 0x02, 0x21, 0x00],
                r_high,
                vec![0x02, 0x01, 0x01],
            ]
            .concat()),
        ),
        (
            "zero halves are INTEGER 0",
            SignatureAlgorithm::Es256,
            vec![0; 64],
            Ok(vec![0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00]),
        ),
        (
            "P-521 needs the long length form",
            SignatureAlgorithm::Es512,
            vec![0xff; 132],
            Ok([
                vec![0x30, 0x81, 0x8a, 0x02, 0x43, 0x00],
                vec![0xff; 66],
                vec![0x02, 0x43, 0x00],
                vec![0xff; 66],
            ]
            .concat()),
        ),
        (
            "wrong length",
            SignatureAlgorithm::Es384,
            vec![1; 64],
            Err(CryptoError::BadSignatureLength {
                expected: 96,
                found: 64,
            }),
        ),
        (
            "EdDSA has no DER form",
            SignatureAlgorithm::EdDsa,
            vec![1; 64],
            Err(CryptoError::NotEcdsa {
                alg: SignatureAlgorithm::EdDsa,
            }),
        ),
    ];
    for (what, alg, raw, expected) in cases {
        assert_eq!(signature_to_der(alg, &raw), expected, "{what}");
    }
}

// D. McGrew and J. Viega, "The Galois/Counter Mode of Operation", Appendix B (the NIST
// GCM test cases) with 96-bit IVs: (case, algorithm, K, IV, A, P, C, T).
const GCM_VECTORS: [(&str, ContentAlgorithm, &str, &str, &str, &str, &str, &str); 6] = [
    (
        "test case 1",
        ContentAlgorithm::A128Gcm,
        "00000000000000000000000000000000",
        "000000000000000000000000",
        "",
        "",
        "",
        "58e2fccefa7e3061367f1d57a4e7455a",
    ),
    (
        "test case 2",
        ContentAlgorithm::A128Gcm,
        "00000000000000000000000000000000",
        "000000000000000000000000",
        "",
        "00000000000000000000000000000000",
        "0388dace60b6a392f328c2b971b2fe78",
        "ab6e47d42cec13bdf53a67b21257bddf",
    ),
    (
        "test case 4",
        ContentAlgorithm::A128Gcm,
        "feffe9928665731c6d6a8f9467308308",
        "cafebabefacedbaddecaf888",
        "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
        "5bc94fbc3221a5db94fae95ae7121a47",
    ),
    (
        "test case 7",
        ContentAlgorithm::A192Gcm,
        "000000000000000000000000000000000000000000000000",
        "000000000000000000000000",
        "",
        "",
        "",
        "cd33b28ac773f74ba00ed1f312572435",
    ),
    (
        "test case 10",
        ContentAlgorithm::A192Gcm,
        "feffe9928665731c6d6a8f9467308308feffe9928665731c",
        "cafebabefacedbaddecaf888",
        "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        "3980ca0b3c00e841eb06fac4872a2757859e1ceaa6efd984628593b40ca1e19c7d773d00c144c525ac619d18c84a3f4718e2448b2fe324d9ccda2710",
        "2519498e80f1478f37ba55bd6d27618c",
    ),
    (
        "test case 16",
        ContentAlgorithm::A256Gcm,
        "feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
        "cafebabefacedbaddecaf888",
        "feedfacedeadbeeffeedfacedeadbeefabaddad2",
        "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
        "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
        "76fc6ece0f4e1768cddf8853bb2d551b",
    ),
];

#[test]
fn test_gcm_spec_appendix_b_vectors() {
    for (case, alg, k, iv, aad, p, c, t) in GCM_VECTORS {
        let key = SymmetricKey::new(&unhex(k)).unwrap();
        let sealed = encrypt(&key, alg, &unhex(iv), &unhex(aad), &unhex(p)).unwrap();
        assert_eq!(hex::encode(&sealed), format!("{c}{t}"), "{case}");
        let opened = decrypt(&key, alg, &unhex(iv), &unhex(aad), &sealed).unwrap();
        assert_eq!(hex::encode(opened), p, "{case}");
    }
}

#[test]
fn encrypt_then_decrypt_every_algorithm() {
    let iv = [7u8; 12];
    for alg in ContentAlgorithm::ALL {
        let key = SymmetricKey::derive(alg, b"crypto tests");
        for plaintext in [&b""[..], b"claim 169", &[0x5a; 1000]] {
            let sealed = encrypt(&key, alg, &iv, b"Encrypt0 structure", plaintext).unwrap();
            assert_eq!(sealed.len(), plaintext.len() + TAG_LEN, "{alg}");
            let opened = decrypt(&key, alg, &iv, b"Encrypt0 structure", &sealed).unwrap();
            assert_eq!(opened, plaintext, "{alg}");
        }
    }
}

#[test]
fn decrypt_failures() {
    let iv = [1u8; 12];
    let aad = b"aad";
    for alg in ContentAlgorithm::ALL {
        let key = SymmetricKey::derive(alg, b"crypto tests");
        let other_key = SymmetricKey::derive(alg, b"another test key");
        let sealed = encrypt(&key, alg, &iv, aad, b"secret claims").unwrap();
        let flip = |index: usize| {
            let mut bytes = sealed.clone();
            bytes[index] ^= 0x01;
            bytes
        };
        let last = sealed.len() - 1;
        let failed = Err(CryptoError::DecryptionFailed);
        // (what, key, iv, aad, input, expected)
        let cases: Vec<(
            &str,
            &SymmetricKey,
            Vec<u8>,
            &[u8],
            Vec<u8>,
            Result<Vec<u8>, CryptoError>,
        )> = vec![
            (
                "valid",
                &key,
                iv.to_vec(),
                aad,
                sealed.clone(),
                Ok(b"secret claims".to_vec()),
            ),
            (
                "tag bit flipped",
                &key,
                iv.to_vec(),
                aad,
                flip(last),
                failed.clone(),
            ),
            (
                "ciphertext bit flipped",
                &key,
                iv.to_vec(),
                aad,
                flip(0),
                failed.clone(),
            ),
            (
                "tag dropped a byte",
                &key,
                iv.to_vec(),
                aad,
                sealed[..last].to_vec(),
                failed.clone(),
            ),
            (
                "other AAD",
                &key,
                iv.to_vec(),
                b"aae",
                sealed.clone(),
                failed.clone(),
            ),
            (
                "empty AAD",
                &key,
                iv.to_vec(),
                b"",
                sealed.clone(),
                failed.clone(),
            ),
            (
                "other IV",
                &key,
                vec![2; 12],
                aad,
                sealed.clone(),
                failed.clone(),
            ),
            (
                "other key",
                &other_key,
                iv.to_vec(),
                aad,
                sealed.clone(),
                failed.clone(),
            ),
            (
                "shorter than a tag",
                &key,
                iv.to_vec(),
                aad,
                sealed[..15].to_vec(),
                Err(CryptoError::CiphertextTooShort {
                    minimum: 16,
                    found: 15,
                }),
            ),
            (
                "empty",
                &key,
                iv.to_vec(),
                aad,
                Vec::new(),
                Err(CryptoError::CiphertextTooShort {
                    minimum: 16,
                    found: 0,
                }),
            ),
            (
                "8-byte IV",
                &key,
                vec![1; 8],
                aad,
                sealed.clone(),
                Err(CryptoError::BadIvLength {
                    expected: 12,
                    found: 8,
                }),
            ),
            (
                "16-byte IV",
                &key,
                vec![1; 16],
                aad,
                sealed.clone(),
                Err(CryptoError::BadIvLength {
                    expected: 12,
                    found: 16,
                }),
            ),
            (
                "no IV",
                &key,
                Vec::new(),
                aad,
                sealed.clone(),
                Err(CryptoError::BadIvLength {
                    expected: 12,
                    found: 0,
                }),
            ),
        ];
        for (what, key, iv, aad, input, expected) in cases {
            assert_eq!(
                decrypt(key, alg, &iv, aad, &input),
                expected,
                "{alg}: {what}"
            );
        }
    }
}

#[test]
fn key_length_must_match_the_algorithm() {
    for key_alg in ContentAlgorithm::ALL {
        let key = SymmetricKey::derive(key_alg, b"length");
        for alg in ContentAlgorithm::ALL {
            if alg == key_alg {
                continue;
            }
            let mismatch = CryptoError::KeyLengthMismatch {
                alg,
                expected: alg.key_len(),
                found: key_alg.key_len(),
            };
            assert_eq!(
                encrypt(&key, alg, &[0; 12], b"", b"p"),
                Err(mismatch.clone())
            );
            assert_eq!(decrypt(&key, alg, &[0; 12], b"", &[0; 32]), Err(mismatch));
        }
    }
    // The key length is checked before the IV's.
    let key = SymmetricKey::derive(ContentAlgorithm::A128Gcm, b"length");
    assert_eq!(
        encrypt(&key, ContentAlgorithm::A256Gcm, &[0; 3], b"", b"p").map_err(|e| e.code()),
        Err("decrypt.key_length")
    );
}

#[test]
fn a_key_from_a_jwk_encrypts() {
    // The path the decoder takes: a JWK oct key, its implied algorithm.
    let key: Key =
        parse_jwk(&json!({"kty": "oct", "k": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"})).unwrap();
    let alg = key.content_algorithm().unwrap();
    assert_eq!(alg, ContentAlgorithm::A192Gcm);
    let k = key.symmetric_key().unwrap();
    // GCM spec test case 7 again, through the JWK.
    assert_eq!(
        hex::encode(encrypt(k, alg, &[0; 12], b"", b"").unwrap()),
        "cd33b28ac773f74ba00ed1f312572435"
    );
}

#[test]
fn error_codes_are_stable_and_distinct() {
    // (error, code)
    let cases = [
        (
            CryptoError::AlgorithmKeyMismatch {
                alg: SignatureAlgorithm::Es256,
                key: "Ed25519",
            },
            "signature.alg_key_mismatch",
        ),
        (
            CryptoError::BadSignatureLength {
                expected: 64,
                found: 70,
            },
            "signature.bad_length",
        ),
        (CryptoError::SignatureInvalid, "signature.invalid"),
        (
            CryptoError::SigningFailed {
                alg: SignatureAlgorithm::Es512,
            },
            "signature.sign_failed",
        ),
        (
            CryptoError::NotEcdsa {
                alg: SignatureAlgorithm::EdDsa,
            },
            "signature.not_ecdsa",
        ),
        (
            CryptoError::KeyLengthMismatch {
                alg: ContentAlgorithm::A128Gcm,
                expected: 16,
                found: 32,
            },
            "decrypt.key_length",
        ),
        (
            CryptoError::BadIvLength {
                expected: 12,
                found: 8,
            },
            "decrypt.bad_iv_length",
        ),
        (
            CryptoError::CiphertextTooShort {
                minimum: 16,
                found: 3,
            },
            "decrypt.too_short",
        ),
        (CryptoError::DecryptionFailed, "decrypt.failed"),
        (CryptoError::EncryptionFailed, "encrypt.failed"),
    ];
    let mut codes: Vec<&str> = cases.iter().map(|(e, _)| e.code()).collect();
    for (err, code) in &cases {
        assert_eq!(err.code(), *code);
        assert!(!err.to_string().is_empty());
    }
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), cases.len());
    // Messages carry the structured fields.
    assert_eq!(
        CryptoError::AlgorithmKeyMismatch {
            alg: SignatureAlgorithm::Es256,
            key: "Ed25519"
        }
        .to_string(),
        "algorithm ES256 cannot be used with the Ed25519 key"
    );
    assert_eq!(
        CryptoError::DecryptionFailed.to_string(),
        "decryption failed"
    );
}

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn verify_on_any_signature(
            index in 0usize..4,
            message in prop::collection::vec(any::<u8>(), 0..64),
            signature in prop::collection::vec(any::<u8>(), 0..140),
        ) {
            let (alg, key) = &test_keys()[index];
            let result = verify(&key.public_key(), *alg, &message, &signature);
            if signature.len() == alg.signature_len() {
                prop_assert_eq!(result, Err(CryptoError::SignatureInvalid));
            } else {
                prop_assert_eq!(
                    result,
                    Err(CryptoError::BadSignatureLength {
                        expected: alg.signature_len(),
                        found: signature.len()
                    })
                );
            }
        }

        #[test]
        fn signature_to_der_agrees_with_the_ecdsa_crate(raw in prop::collection::vec(any::<u8>(), 64)) {
            // Where the crate accepts r ‖ s as scalars, both DER encodings agree.
            let ours = signature_to_der(SignatureAlgorithm::Es256, &raw).unwrap();
            if let Ok(sig) = p256::ecdsa::Signature::from_slice(&raw) {
                prop_assert_eq!(ours, sig.to_der().as_bytes().to_vec());
            }
        }

        #[test]
        fn decrypt_on_any_input(
            alg in prop::sample::select(ContentAlgorithm::ALL.to_vec()),
            iv in prop::collection::vec(any::<u8>(), 0..16),
            input in prop::collection::vec(any::<u8>(), 0..64),
        ) {
            let key = SymmetricKey::derive(alg, b"fuzz");
            prop_assert!(decrypt(&key, alg, &iv, b"", &input).is_err());
        }
    }
}

#[test]
fn ed25519_small_order_r_is_refused() {
    let table = super::small_order_encodings();
    let mut distinct = table.to_vec();
    distinct.sort_unstable();
    distinct.dedup();
    assert_eq!(distinct.len(), 8);
    let identity =
        hex::decode("0100000000000000000000000000000000000000000000000000000000000000").unwrap();
    let order_two =
        hex::decode("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f").unwrap();
    assert!(table.iter().any(|e| e[..] == identity[..]));
    assert!(table.iter().any(|e| e[..] == order_two[..]));
    let key = PrivateKey::derive(SignatureAlgorithm::EdDsa, b"small order test");
    for r in table {
        let mut sig = r.to_vec();
        sig.extend([0u8; 32]);
        assert_eq!(
            verify(&key.public_key(), SignatureAlgorithm::EdDsa, b"m", &sig),
            Err(CryptoError::SignatureInvalid)
        );
    }
    // A real signature still verifies.
    let good = sign(&key, SignatureAlgorithm::EdDsa, b"m").unwrap();
    assert!(verify(&key.public_key(), SignatureAlgorithm::EdDsa, b"m", &good).is_ok());
}

/// The forged signature of vectors/security/weak-key-forgery: (R = B, s = 1) passes a
/// plain cofactorless verification under the identity public key for any message,
/// which is why decoders must refuse weak keys.
#[test]
fn the_weak_key_forgery_of_the_corpus_fools_a_lax_verifier() {
    use ed25519_dalek::Verifier as _;
    let weak = ed25519_dalek::VerifyingKey::from_bytes(&{
        let mut a = [0u8; 32];
        a[0] = 1;
        a
    })
    .unwrap();
    let forged = hex::decode(
        "5866666666666666666666666666666666666666666666666666666666666666\
         0100000000000000000000000000000000000000000000000000000000000000",
    )
    .unwrap();
    let sig = ed25519_dalek::Signature::from_slice(&forged).unwrap();
    for message in [&b"any message"[..], b"another"] {
        assert!(
            weak.verify(message, &sig).is_ok(),
            "the lax check accepts the forgery"
        );
        assert!(weak.verify_strict(message, &sig).is_err());
    }
    // Our key reader refuses the key outright.
    let jwk =
        json!({"kty": "OKP", "crv": "Ed25519", "x": "AQAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"});
    assert!(parse_jwk(&jwk).is_err());
}
