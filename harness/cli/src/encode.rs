//! `c169 encode`: identity data and claims in (YAML or JSON), QR text out.
//!
//! ```yaml
//! claim169:                 # by attribute name; or `claim169_raw:` in canonical JSON
//!   id: "3918592438"
//!   fullName: Janardhan BS
//!   gender: Male
//! cwt: {iss: www.mosip.io, exp: 1787912445, nbf: 1756376445, iat: 1756376445}
//! sign: {jwk: keys/issuer.jwk.json, kid: k-1101}      # alg: from the key unless given
//! encrypt: {jwk: keys/aes.jwk.json, iv: 000102030405060708090a0b}  # iv: random if absent
//! ```

use crate::exit;
use anyhow::{bail, Context as _};
use c169_codec::{claim169, encode, EncodeOptions, EncodeRequest, EncryptSpec, SignSpec};
use c169_crypto::crypto::{ContentAlgorithm, SignatureAlgorithm};
use c169_crypto::keys::{self, Key};
use c169_model::{bounded, Value};
use serde_json::Value as Json;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct Args {
    /// The input document (YAML or JSON), or `-` for standard input (read within
    /// 60 s, or the seconds C169_STDIN_SECONDS says).
    #[arg(value_name = "FILE")]
    input: PathBuf,
    /// Also print every intermediate artefact (hex) to standard error.
    #[arg(long)]
    verbose: bool,
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let (text, base) = if args.input.as_os_str() == "-" {
        let s =
            bounded::read_stdin_to_string(bounded::ENCODE_INPUT, crate::keyfiles::stdin_time())?;
        (s, PathBuf::from("."))
    } else {
        let s = bounded::read_to_string(&args.input, bounded::ENCODE_INPUT)?;
        (
            s,
            args.input
                .parent()
                .map(Path::to_path_buf)
                .unwrap_or_default(),
        )
    };
    let name = args.input.display().to_string();
    c169_model::deep::check_yaml(&text, serde_yaml_ng::Deserializer::from_str)
        .with_context(|| name.clone())?;
    let doc: Json =
        serde_yaml_ng::from_str(&text).with_context(|| format!("{name}: not YAML or JSON"))?;
    let request = request(&doc, &base).with_context(|| name.clone())?;
    let encoded = encode(&request)?;
    if args.verbose {
        eprintln!("payload   {}", hex::encode(&encoded.payload));
        eprintln!("cose      {}", hex::encode(&encoded.cose));
        eprintln!("zlib      {}", hex::encode(&encoded.zlib));
    }
    println!("{}", encoded.text);
    Ok(exit::OK)
}

fn request(doc: &Json, base: &Path) -> anyhow::Result<EncodeRequest> {
    let obj = doc
        .as_object()
        .context("the document must be a mapping with claim169, cwt, sign, encrypt")?;
    for k in obj.keys() {
        if !["claim169", "claim169_raw", "cwt", "sign", "encrypt"].contains(&k.as_str()) {
            bail!("unknown field {k:?}: expected claim169 (or claim169_raw), cwt, sign, encrypt");
        }
    }
    let claim169 = match (obj.get("claim169"), obj.get("claim169_raw")) {
        (Some(named), None) => claim169::from_identity_json(named).context("field claim169")?,
        (None, Some(raw)) => c169_model::from_canonical_json(raw).context("field claim169_raw")?,
        (None, None) => bail!("field claim169 (or claim169_raw) is missing"),
        (Some(_), Some(_)) => bail!("give claim169 or claim169_raw, not both"),
    };
    let cwt = match obj.get("cwt") {
        Some(c) => c169_codec::cwt::from_claims_json(c).context("field cwt")?,
        None => Value::Map(Vec::new()),
    };
    let sign = obj
        .get("sign")
        .map(|s| sign_spec(s, base))
        .transpose()
        .context("field sign")?;
    let encrypt = obj
        .get("encrypt")
        .map(|e| encrypt_spec(e, base))
        .transpose()
        .context("field encrypt")?;
    Ok(EncodeRequest {
        claim169,
        cwt,
        sign,
        encrypt,
        options: EncodeOptions::default(),
    })
}

fn jwk(v: Option<&Json>, base: &Path) -> anyhow::Result<Key> {
    let v = v.context("field jwk is missing: a JWK object or the path of a JWK file")?;
    let json = match v {
        Json::String(path) => {
            let p = base.join(path);
            let text = bounded::read_to_string(&p, bounded::KEY_FILE).context("jwk")?;
            serde_json::from_str(&text)
                .with_context(|| format!("jwk: {} is not JSON", p.display()))?
        }
        other => other.clone(),
    };
    keys::parse_jwk(&json).context("jwk")
}

fn kid(v: Option<&Json>) -> anyhow::Result<Option<Vec<u8>>> {
    Ok(match v {
        None => None,
        Some(Json::String(s)) => Some(s.as_bytes().to_vec()),
        Some(other) => match c169_model::from_canonical_json(other)? {
            Value::Bytes(b) => Some(b),
            _ => bail!("kid: text, or {{\"bstr\": hex}}"),
        },
    })
}

fn sign_spec(s: &Json, base: &Path) -> anyhow::Result<SignSpec> {
    let key = jwk(s.get("jwk"), base)?;
    let alg = match s.get("alg").and_then(Json::as_str) {
        Some(name) => Some(
            SignatureAlgorithm::from_name(name)
                .with_context(|| format!("alg {name:?}: expected EdDSA, ES256, ES384 or ES512"))?,
        ),
        None => None,
    };
    let kid = kid(s.get("kid"))?.or_else(|| key.kid.clone());
    Ok(SignSpec { key, alg, kid })
}

fn encrypt_spec(e: &Json, base: &Path) -> anyhow::Result<EncryptSpec> {
    let key = jwk(e.get("jwk"), base)?;
    let alg = match e.get("alg").and_then(Json::as_str) {
        Some(name) => Some(
            ContentAlgorithm::from_name(name)
                .with_context(|| format!("alg {name:?}: expected A128GCM, A192GCM or A256GCM"))?,
        ),
        None => None,
    };
    let iv = if let Some(h) = e.get("iv").and_then(Json::as_str) {
        hex::decode(h).context("iv: 24 hex digits")?
    } else {
        // A fresh IV per credential: never reuse one under the same key.
        let mut iv = vec![0u8; 12];
        getrandom::fill(&mut iv).map_err(|e| anyhow::anyhow!("cannot draw a random IV: {e}"))?;
        iv
    };
    Ok(EncryptSpec { key, alg, iv })
}
