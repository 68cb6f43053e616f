//! `c169 vectors`: the corpus.

use crate::exit;
use crate::run::vectors_root;
use anyhow::Context as _;
use std::path::PathBuf;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// List the vectors (id, verdict class, stage, level).
    List {
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
    },
    /// Re-import the external corpora (idpass, the specification's example) into vectors and keys.
    Import {
        #[arg(long, value_name = "DIR")]
        vectors: Option<PathBuf>,
        /// Fail instead of writing when a file would change.
        #[arg(long)]
        check: bool,
    },
}

pub fn run(cmd: &Command) -> anyhow::Result<u8> {
    match cmd {
        Command::List { vectors } => {
            let root = vectors_root(vectors.as_deref());
            let corpus = c169_suite::Corpus::load(&root)?;
            for (_, v) in &corpus.vectors {
                let stage = v.stage.map(|s| s.to_string()).unwrap_or_default();
                println!(
                    "{:40} {:10} {:9} {:?}",
                    v.id,
                    format!("{:?}", v.verdict).to_lowercase(),
                    stage,
                    v.level
                );
            }
            Ok(exit::OK)
        }
        Command::Import { vectors, check } => {
            let root = vectors_root(vectors.as_deref());
            let files = c169_suite::external::files(&root)
                .map_err(anyhow::Error::msg)
                .context("importing the external corpora")?;
            let mut stale = Vec::new();
            for (path, bytes) in files {
                let current = std::fs::read(&path).ok();
                if current.as_deref() != Some(bytes.as_slice()) {
                    stale.push(path.clone());
                    if !check {
                        c169_suite::run::write_atomically(&path, &bytes)
                            .with_context(|| format!("{}: cannot write", path.display()))?;
                    }
                }
            }
            for p in &stale {
                println!(
                    "{} {}",
                    if *check { "stale:" } else { "wrote:" },
                    p.display()
                );
            }
            Ok(if *check && !stale.is_empty() {
                exit::FAILED
            } else {
                exit::OK
            })
        }
    }
}
