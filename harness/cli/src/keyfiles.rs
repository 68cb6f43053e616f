//! Reading JWK files given on the command line.

use anyhow::Context as _;
use c169_codec::keys::{self, Key, KeyMaterial};
use std::path::Path;

/// Reads JWK or JWK-set files and sorts the keys: symmetric keys decrypt, the others verify.
pub fn load(paths: &[impl AsRef<Path>]) -> anyhow::Result<(Vec<Key>, Vec<Key>)> {
    let (mut verify, mut decrypt) = (Vec::new(), Vec::new());
    for path in paths {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("{}: cannot read the key file", path.display()))?;
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

/// Reads the QR text: the argument, or standard input for `-` or no argument.
/// A single trailing newline from a file or a pipe is not part of the text; nothing else is trimmed.
pub fn read_text(arg: Option<&str>) -> anyhow::Result<String> {
    match arg {
        Some(t) if t != "-" => Ok(t.to_owned()),
        _ => {
            let mut s = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
                .context("cannot read standard input")?;
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
    let bytes = std::fs::read(path)
        .with_context(|| format!("{}: cannot read the image", path.display()))?;
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
