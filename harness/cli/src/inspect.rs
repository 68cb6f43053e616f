//! `c169 inspect`: the tool an implementer reaches for when a QR code fails.

use crate::decode::{wall_clock, LimitArgs};
use crate::{exit, keyfiles};
use c169_codec::{cbor, decode, DecodeOptions};
use c169_model::Verdict;
use std::fmt::Write as _;
use std::path::PathBuf;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Validation time, seconds since the Unix epoch (default: now).
    #[arg(long, value_name = "UNIX")]
    now: Option<i64>,
    /// A JWK or JWK-set file; repeat for several.
    #[arg(long = "key", value_name = "FILE.jwk")]
    keys: Vec<PathBuf>,
    /// Show at most this many bytes of each byte string in diagnostic notation.
    #[arg(long, default_value_t = 32)]
    max_bytes: usize,
    #[command(flatten)]
    limits: LimitArgs,
    /// Scan this PNG image for the QR symbol and decode what it holds.
    #[arg(long, value_name = "FILE.png", conflicts_with = "qr")]
    image: Option<PathBuf>,
    /// The QR text, or `-` (or nothing) to read standard input.
    qr: Option<String>,
}

fn hex_block(bytes: &[u8], max: usize) -> String {
    let shown = bytes.get(..max.min(bytes.len())).unwrap_or(bytes);
    let mut s = hex::encode(shown);
    if bytes.len() > shown.len() {
        let _ = write!(s, "… (+{} bytes)", bytes.len() - shown.len());
    }
    s
}

fn version_or_dash(v: Option<u8>) -> String {
    v.map_or_else(|| "over 40".to_owned(), |v| v.to_string())
}

pub fn run(args: &Args) -> anyhow::Result<u8> {
    let text = match keyfiles::read_input(args.qr.as_deref(), args.image.as_deref())? {
        Ok(text) => text,
        Err((code, why)) => {
            println!("0. image     no QR symbol read ({code}): {why}");
            return Ok(exit::FAILED);
        }
    };
    let (verify_keys, decrypt_keys) = keyfiles::load(&args.keys)?;
    let options = DecodeOptions {
        now: Some(args.now.unwrap_or_else(wall_clock)),
        leeway: 0,
        verify_keys,
        decrypt_keys,
        limits: args.limits.limits(),
        trace: true,
    };
    let d = decode(&text, &options);
    let t = &d.trace;
    let m = args.max_bytes;
    let non_alphabet = text
        .chars()
        .filter(|c| !c169_qr::is_alphanumeric(*c))
        .count();
    let fit = c169_qr::fit(&text);
    println!(
        "0. symbol    {} mode; smallest version L {} · M {} · Q {} · H {}",
        fit.mode,
        version_or_dash(fit.version(c169_qr::EcLevel::L)),
        version_or_dash(fit.version(c169_qr::EcLevel::M)),
        version_or_dash(fit.version(c169_qr::EcLevel::Q)),
        version_or_dash(fit.version(c169_qr::EcLevel::H)),
    );
    println!(
        "1. text      {} characters, {} outside the Base45 alphabet, {} spaces",
        text.chars().count(),
        non_alphabet,
        text.matches(' ').count()
    );
    if let Some(z) = &t.zlib {
        println!("2. base45    {} bytes: {}", z.len(), hex_block(z, m));
    }
    if let Some(h) = &t.zlib_header {
        println!(
            "3. zlib      header {:02x} {:02x}: window 2^{}, level hint {}",
            h.cmf, h.flg, h.window_bits, h.flevel
        );
    }
    if let Some(c) = &t.cose {
        println!("4. inflated  {} bytes: {}", c.len(), hex_block(c, m));
    }
    if let Some(v) = &t.cose_value {
        println!("5. cose      {}", cbor::diagnostic(v, m));
    }
    if let (Some(p), Some(iv)) = (&t.encrypt0_protected, &t.iv) {
        println!(
            "   encrypt0  protected {} iv {}",
            hex::encode(p),
            hex::encode(iv)
        );
    }
    if let Some(p) = &t.plaintext {
        println!("   plaintext {} bytes: {}", p.len(), hex_block(p, m));
    }
    if let Some(p) = &t.sign1_protected {
        let shown = cbor::decode(p, cbor::ReadLimits::default())
            .map_or_else(|e| format!("(not CBOR: {e})"), |v| cbor::diagnostic(&v, m));
        println!("   sign1     protected h'{}' = {shown}", hex::encode(p));
    }
    if let Some(s) = &t.signature {
        println!("   signature {} bytes: {}", s.len(), hex_block(s, m));
    }
    if let Some(p) = &t.payload {
        println!("6. payload   {} bytes", p.len());
    }
    if let Some(c) = &t.claims {
        println!("7. claims    {}", cbor::diagnostic(c, m));
    }
    let o = &d.outcome;
    match o.verdict {
        Verdict::Accept => println!(
            "=> accepted; signature {}",
            if o.verified == Some(true) {
                "verified"
            } else {
                "not verified (no key given)"
            }
        ),
        Verdict::Reject => println!(
            "=> stops at stage {}: {} ({})",
            o.stage.map_or("?", c169_model::Stage::as_str),
            o.message.as_deref().unwrap_or(""),
            o.code.as_deref().unwrap_or("")
        ),
    }
    keyfiles::print_warnings(o, "   ");
    Ok(if o.verdict == Verdict::Accept {
        exit::OK
    } else {
        exit::FAILED
    })
}
