//! `c169 decode`.

use crate::{exit, keyfiles};
use c169_codec::{decode, DecodeOptions, Limits};
use c169_model::Verdict;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Print exactly one JSON object (the outcome) instead of a summary.
    #[arg(long)]
    json: bool,
    /// Validation time, seconds since the Unix epoch (default: now).
    #[arg(long, value_name = "UNIX")]
    now: Option<i64>,
    /// Do not check exp and nbf at all (said so in a warning).
    #[arg(long, conflicts_with = "now")]
    no_time_check: bool,
    /// Seconds of clock skew allowed on exp and nbf.
    #[arg(long, default_value_t = 0, value_name = "SECONDS")]
    leeway: u64,
    /// A JWK or JWK-set file; repeat for several. Symmetric keys decrypt, the others verify.
    #[arg(long = "key", value_name = "FILE.jwk")]
    keys: Vec<PathBuf>,
    #[command(flatten)]
    limits: LimitArgs,
    /// Scan this PNG image for the QR symbol and decode what it holds.
    #[arg(long, value_name = "FILE.png", conflicts_with = "qr")]
    image: Option<PathBuf>,
    /// The QR text, or `-` (or nothing) to read standard input (read within 60 s, or
    /// the seconds C169_STDIN_SECONDS says).
    qr: Option<String>,
}

/// Resource limits, shared by decode and inspect.
#[derive(Debug, Clone, clap::Args)]
#[allow(clippy::struct_field_names)] // the flags read --max-…, as users type them
pub struct LimitArgs {
    /// Largest inflated COSE message, in bytes.
    #[arg(long, default_value_t = Limits::default().max_decompressed, value_name = "BYTES")]
    max_decompressed: usize,
    /// Deepest CBOR nesting.
    #[arg(long, default_value_t = Limits::default().max_depth, value_name = "N")]
    max_depth: usize,
    /// Most items in one CBOR array or map.
    #[arg(long, default_value_t = Limits::default().max_items, value_name = "N")]
    max_items: usize,
    /// Longest QR text, in bytes.
    #[arg(long, default_value_t = Limits::default().max_text_len, value_name = "BYTES")]
    max_text: usize,
}

impl LimitArgs {
    pub fn limits(&self) -> Limits {
        Limits {
            max_text_len: self.max_text,
            max_decompressed: self.max_decompressed,
            max_depth: self.max_depth,
            max_items: self.max_items,
        }
    }
}

pub fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let text = match keyfiles::read_input(args.qr.as_deref(), args.image.as_deref())? {
        Ok(text) => text,
        Err((code, why)) => {
            let o = c169_model::Outcome::reject(c169_model::Stage::Scan, code, why.clone());
            if args.json {
                println!("{}", serde_json::to_string(&o)?);
            } else {
                println!("rejected at stage scan ({code}): {why}");
            }
            return Ok(exit::FAILED);
        }
    };
    let (verify_keys, decrypt_keys) = keyfiles::load(&args.keys)?;
    let options = DecodeOptions {
        now: if args.no_time_check {
            None
        } else {
            Some(args.now.unwrap_or_else(wall_clock))
        },
        leeway: args.leeway,
        verify_keys,
        decrypt_keys,
        limits: args.limits.limits(),
        trace: false,
    };
    let decoded = decode(&text, &options);
    let o = &decoded.outcome;
    if args.json {
        let mut json = serde_json::to_value(o)?;
        if let (Some(obj), Some(id)) = (json.as_object_mut(), &decoded.identity()) {
            obj.insert("identity".into(), serde_json::to_value(id)?);
        }
        println!("{}", serde_json::to_string(&json)?);
    } else {
        match o.verdict {
            Verdict::Accept => {
                let verified = if o.verified == Some(true) {
                    "signature verified"
                } else {
                    "signature NOT verified"
                };
                println!("accepted ({verified})");
                if let Some(id) = &decoded.identity() {
                    for (k, v) in &id.fields {
                        println!("  {k}: {}", short(v));
                    }
                    for (k, v) in &id.biometrics {
                        println!(
                            "  {k}: {} entr{}",
                            v.as_array().map_or(0, Vec::len),
                            if v.as_array().map_or(0, Vec::len) == 1 {
                                "y"
                            } else {
                                "ies"
                            }
                        );
                    }
                    for u in &id.unknown {
                        println!("  (unassigned) {u}");
                    }
                }
                if let Some(cwt) = &o.cwt {
                    println!("  cwt: {cwt}");
                }
            }
            Verdict::Reject => {
                println!(
                    "rejected at stage {} ({}): {}",
                    o.stage.map_or("?", c169_model::Stage::as_str),
                    o.code.as_deref().unwrap_or("?"),
                    o.message.as_deref().unwrap_or("")
                );
            }
        }
        keyfiles::print_warnings(o, "  ");
    }
    Ok(if o.verdict == Verdict::Accept {
        exit::OK
    } else {
        exit::FAILED
    })
}

fn short(v: &serde_json::Value) -> String {
    let s = match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if s.chars().count() > 72 {
        format!(
            "{}… ({} chars)",
            s.chars().take(72).collect::<String>(),
            s.chars().count()
        )
    } else {
        s
    }
}
