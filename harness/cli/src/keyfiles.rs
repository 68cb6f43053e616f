//! Reading JWK files given on the command line, and the QR text (an argument, a
//! PNG image, or standard input).

use anyhow::Context as _;
use c169_crypto::keys::{self, Key, KeyMaterial};
use c169_model::bounded;
use std::path::Path;
use std::time::Duration;

/// The variable that sets how many seconds standard input may take to end.
pub const STDIN_SECONDS: &str = "C169_STDIN_SECONDS";

/// How long standard input may take to end: [`bounded::STDIN_TIME`], or the
/// seconds `C169_STDIN_SECONDS` says.
pub fn stdin_time() -> Duration {
    std::env::var(STDIN_SECONDS)
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .and_then(|s| Duration::try_from_secs_f64(s).ok())
        .unwrap_or(bounded::STDIN_TIME)
}

/// Reads JWK or JWK-set files and sorts the keys: symmetric keys decrypt, the others verify.
pub fn load(paths: &[impl AsRef<Path>]) -> anyhow::Result<(Vec<Key>, Vec<Key>)> {
    let (mut verify, mut decrypt) = (Vec::new(), Vec::new());
    for path in paths {
        let path = path.as_ref();
        let text = bounded::read_to_string(path, bounded::KEY_FILE)?;
        let keys = keys::parse_jwk_str(&text)
            .with_context(|| format!("{}: not a usable JWK or JWK set", path.display()))?;
        for key in keys {
            match key.material {
                KeyMaterial::Symmetric(_) => decrypt.push(key),
                _ => verify.push(key),
            }
        }
    }
    Ok((verify, decrypt))
}

/// Reads the QR text: the argument, or standard input for `-` or no argument (at
/// most [`bounded::QR_TEXT`], within [`stdin_time`]).
/// A single trailing newline from a file or a pipe is not part of the text; nothing else is trimmed.
pub fn read_text(arg: Option<&str>) -> anyhow::Result<String> {
    match arg {
        Some(t) if t != "-" => Ok(t.to_owned()),
        _ => {
            let mut s = bounded::read_stdin_to_string(bounded::QR_TEXT, stdin_time())?;
            if s.ends_with('\n') {
                s.pop();
                if s.ends_with('\r') {
                    s.pop();
                }
            }
            Ok(s)
        }
    }
}

/// The text to decode: the symbol read from `image` when given (its version and
/// level said on standard error), else [`read_text`]. `Ok(Err(_))`: the image was
/// read from disk but holds no symbol the scanner reads.
pub fn read_input(
    qr: Option<&str>,
    image: Option<&std::path::Path>,
) -> anyhow::Result<Result<String, (&'static str, String)>> {
    let Some(path) = image else {
        return read_text(qr).map(Ok);
    };
    let bytes = bounded::read_file(path, bounded::IMAGE_FILE)?;
    Ok(match c169_qr::scan_png(&bytes) {
        Ok(s) => {
            eprintln!(
                "{}: QR version {}-{}, {} characters (read {})",
                path.display(),
                s.version,
                s.level,
                s.text.chars().count(),
                s.pass
            );
            Ok(s.text)
        }
        Err(e) => Err((e.code(), format!("{}: {e}", path.display()))),
    })
}

/// Prints the warnings of an outcome, one a line, after `indent`.
pub fn print_warnings(o: &c169_model::Outcome, indent: &str) {
    for w in &o.warnings {
        let at =
            w.at.as_deref()
                .map(|a| format!(" at {a}"))
                .unwrap_or_default();
        println!("{indent}warning {}{at}: {}", w.flag, w.message);
    }
}
