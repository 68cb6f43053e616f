//! `c169 qr`: the QR symbol layer — render a text to PNG, scan a PNG, how a text
//! fits, and the table of versions per level for the corpus.

use crate::run::vectors_root;
use crate::{exit, keyfiles};
use anyhow::{bail, Context as _};
use c169_qr::{EcLevel, QrMode, Symbol};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Render a QR text (or a vector's) to a PNG in alphanumeric mode, at the smallest version that holds it.
    Render {
        /// The QR text, or `-` (or nothing) to read standard input.
        qr: Option<String>,
        /// Render this vector's text instead.
        #[arg(long, value_name = "ID", conflicts_with = "qr")]
        vector: Option<String>,
        /// Error-correction level: L, M, Q or H.
        #[arg(long, default_value = "M", value_parser = parse_level)]
        level: EcLevel,
        /// Pixels per module.
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(1..=20))]
        module: u32,
        /// Modules of quiet zone around the symbol (ISO/IEC 18004 asks 4).
        #[arg(long, default_value_t = 4, value_parser = clap::value_parser!(u32).range(0..=16))]
        quiet: u32,
        /// Degrade the image as the image corpus does: clean, scale-50, rotate-36.9,
        /// perspective-20, noise-25, blur-2, contrast-40, no-quiet-zone … (`c169 qr render --help`).
        #[arg(long, value_name = "NAME", value_parser = parse_degradation)]
        degrade: Option<c169_qr::Degradation>,
        /// The PNG file to write.
        #[arg(long, value_name = "FILE.png")]
        out: PathBuf,
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
    /// Read the QR symbol in a PNG image and print its text (version and level on standard error).
    Scan {
        image: PathBuf,
        /// Print one JSON object: text, version, level, pass.
        #[arg(long)]
        json: bool,
    },
    /// The smallest QR version holding a text at each error-correction level.
    Fit {
        /// The QR text, or `-` (or nothing) to read standard input.
        qr: Option<String>,
    },
    /// The smallest QR version of every vector's text, at each level, with the distribution.
    Table {
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
        /// Only vectors of this verdict class (valid, invalid, acceptable).
        #[arg(long)]
        verdict: Option<String>,
    },
}

fn parse_degradation(s: &str) -> Result<c169_qr::Degradation, String> {
    c169_qr::DEGRADATIONS
        .iter()
        .find(|d| d.0 == s)
        .map(|d| d.1)
        .ok_or_else(|| {
            let names: Vec<&str> = c169_qr::DEGRADATIONS.iter().map(|d| d.0).collect();
            format!(
                "{s:?} is not a degradation of the image corpus: expected one of {}",
                names.join(", ")
            )
        })
}

fn parse_level(s: &str) -> Result<EcLevel, String> {
    EcLevel::parse(s)
        .ok_or_else(|| format!("{s:?} is not an error-correction level: expected L, M, Q or H"))
}

pub fn run(cmd: &Command) -> anyhow::Result<u8> {
    match cmd {
        Command::Render {
            qr,
            vector,
            level,
            module,
            quiet,
            degrade,
            out,
            vectors,
        } => {
            let text = match vector {
                Some(id) => vector_text(&vectors_root(vectors.as_deref()), id)?,
                None => keyfiles::read_text(qr.as_deref())?,
            };
            let symbol = match Symbol::new(&text, *level) {
                Ok(s) => s,
                Err(e) => {
                    eprintln!("c169 qr render: {e}");
                    return Ok(exit::FAILED);
                }
            };
            let mut image = symbol.image(*module, *quiet);
            if let Some(d) = degrade {
                image = d.apply(&image, *module);
            }
            c169_suite::run::write_atomically(out, &c169_qr::encode_png(&image))
                .with_context(|| format!("{}: cannot write", out.display()))?;
            println!(
                "version {}-{} ({} mode, {} characters), {}×{} pixels{}: {}",
                symbol.version,
                symbol.level,
                symbol.mode,
                text.chars().count(),
                image.width(),
                image.height(),
                degrade
                    .map(|d| format!(", {}", d.label()))
                    .unwrap_or_default(),
                out.display()
            );
            if symbol.mode == QrMode::Byte {
                eprintln!("note: the text is outside the QR alphanumeric set (not Base45), so the symbol is in byte mode");
            }
            Ok(exit::OK)
        }
        Command::Scan { image, json } => {
            let bytes = c169_model::bounded::read_file(image, c169_model::bounded::IMAGE_FILE)?;
            match c169_qr::scan_png(&bytes) {
                Ok(s) => {
                    if *json {
                        println!(
                            "{}",
                            serde_json::json!({"text": s.text, "version": s.version, "level": s.level, "pass": s.pass})
                        );
                    } else {
                        eprintln!("version {}-{} (read {})", s.version, s.level, s.pass);
                        println!("{}", s.text);
                    }
                    Ok(exit::OK)
                }
                Err(e) => {
                    eprintln!("{}: {e}", image.display());
                    Ok(exit::FAILED)
                }
            }
        }
        Command::Fit { qr } => {
            let text = keyfiles::read_text(qr.as_deref())?;
            let f = c169_qr::fit(&text);
            println!("{} characters, {} mode", f.chars, f.mode);
            for level in EcLevel::ALL {
                match f.version(level) {
                    Some(v) => println!("  {level}: version {v}"),
                    None => println!("  {level}: does not fit version 40"),
                }
            }
            Ok(exit::OK)
        }
        Command::Table { vectors, verdict } => {
            print!(
                "{}",
                table(&vectors_root(vectors.as_deref()), verdict.as_deref())?
            );
            Ok(exit::OK)
        }
    }
}

fn vector_text(root: &Path, id: &str) -> anyhow::Result<String> {
    let corpus = c169_corpus::Corpus::load(root)?;
    let Some((path, v)) = corpus.vectors.iter().find(|(_, v)| v.id == id) else {
        bail!("--vector: no vector {id:?} in {}", root.display());
    };
    v.qr.clone().with_context(|| {
        format!(
            "{}: the vector has no QR text (an encoder or image vector)",
            path.display()
        )
    })
}

/// The Markdown table of versions per level for every vector with a text, and the
/// distribution by version band.
pub fn table(root: &Path, verdict: Option<&str>) -> anyhow::Result<String> {
    let corpus = c169_corpus::Corpus::load(root)?;
    let mut rows: Vec<(&str, c169_model::QrFit)> = corpus
        .vectors
        .iter()
        .filter(|(_, v)| verdict.is_none_or(|want| v.verdict.as_str() == want))
        .filter_map(|(_, v)| v.qr_fit.map(|f| (v.id.as_str(), f)))
        .collect();
    rows.sort_by(|a, b| a.1.chars.cmp(&b.1.chars).then(a.0.cmp(b.0)));
    let cell = |v: Option<u8>| v.map_or_else(|| "—".to_owned(), |v| v.to_string());
    let mut out = String::new();
    let _ = writeln!(out, "| vector | chars | mode | L | M | Q | H |");
    let _ = writeln!(out, "|---|---:|---|---:|---:|---:|---:|");
    for (id, f) in &rows {
        let [l, m, q, h] = f.versions();
        let mode = match f.mode {
            c169_model::QrMode::Alphanumeric => "alphanumeric",
            c169_model::QrMode::Byte => "byte",
        };
        let _ = writeln!(
            out,
            "| {id} | {} | {mode} | {} | {} | {} | {} |",
            f.chars,
            cell(l),
            cell(m),
            cell(q),
            cell(h)
        );
    }
    let bands: [(&str, u8, u8); 5] = [
        ("1–10", 1, 10),
        ("11–20", 11, 20),
        ("21–30", 21, 30),
        ("31–40", 31, 40),
        ("over 40", 0, 0),
    ];
    let _ = writeln!(
        out,
        "\n{} vectors. Versions by band, per level:\n",
        rows.len()
    );
    let _ = writeln!(out, "| versions | L | M | Q | H |");
    let _ = writeln!(out, "|---|---:|---:|---:|---:|");
    for (name, lo, hi) in bands {
        let count = |i: usize| {
            rows.iter()
                .filter(|(_, f)| match f.versions().get(i).copied().flatten() {
                    Some(v) => lo > 0 && (lo..=hi).contains(&v),
                    None => lo == 0,
                })
                .count()
        };
        let _ = writeln!(
            out,
            "| {name} | {} | {} | {} | {} |",
            count(0),
            count(1),
            count(2),
            count(3)
        );
    }
    Ok(out)
}
