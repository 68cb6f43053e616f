//! `c169 adapters`: the registered peer adapters — list, set up, check.

use crate::run::project_dir;
use c169_adapter::peers::{discover, Peer};
use c169_adapter::Settings;
use c169_report::exit;
use std::time::Duration;

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// The registered adapters, their upstream packages and whether each is set up.
    List,
    /// Install the adapters' dependencies from the package registries into their
    /// folders (git-ignored): venv, node_modules, target.
    Setup {
        /// Only these adapters (default: all).
        names: Vec<String>,
        /// Also their older releases' configurations (adapters/NAME/releases/VERSION/),
        /// which `c169 matrix --history NAME` runs.
        #[arg(long)]
        history: bool,
    },
    /// Ask each adapter for `describe`, print what it claims, and compare it with
    /// its adapter.toml. With C169_REQUIRE_PEERS=1 an adapter that is not set up fails.
    Check {
        /// Only these adapters (default: all).
        names: Vec<String>,
    },
}

/// Whether a peer that cannot be reached fails (CI sets C169_REQUIRE_PEERS=1) or is skipped.
pub fn peers_required() -> bool {
    std::env::var("C169_REQUIRE_PEERS").is_ok_and(|v| v == "1")
}

fn selected(names: &[String]) -> anyhow::Result<Vec<Peer>> {
    let dir = project_dir("adapters");
    let peers = discover(&dir).map_err(anyhow::Error::msg)?;
    for n in names {
        if peers.iter().all(|p| p.name() != n) {
            let known: Vec<&str> = peers.iter().map(Peer::name).collect();
            anyhow::bail!(
                "no adapter {n:?} in {}; registered: {}",
                dir.display(),
                known.join(", ")
            );
        }
    }
    Ok(peers
        .into_iter()
        .filter(|p| names.is_empty() || names.iter().any(|n| n == p.name()))
        .collect())
}

pub fn run(cmd: &Command) -> anyhow::Result<u8> {
    match cmd {
        Command::List => {
            for p in selected(&[])? {
                println!(
                    "{:14} {:11} {:10} {} {} {}",
                    p.name(),
                    p.spec.language,
                    p.spec.upstream.registry,
                    p.spec.upstream.package,
                    p.spec.upstream.version,
                    p.not_ready()
                        .map_or_else(|| "ready".to_owned(), |_| "not set up".to_owned())
                );
            }
            Ok(exit::CONFORMANT)
        }
        Command::Setup { names, history } => {
            let mut failed = 0;
            for peer in selected(names)? {
                let all = if *history {
                    c169_adapter::peers::releases(&peer).map_err(anyhow::Error::msg)?
                } else {
                    vec![peer]
                };
                for p in all {
                    let who = if p.is_release() {
                        format!("{}@{}", p.name(), p.spec.upstream.version)
                    } else {
                        p.name().to_owned()
                    };
                    println!("== {who}: {}", p.spec.setup.commands.join(" && "));
                    match p.setup() {
                        Ok(()) => println!("{who}: ready"),
                        Err(e) => {
                            if p.is_release() {
                                eprintln!("c169: {e} (release {who})");
                            } else {
                                eprintln!("c169: {e}");
                            }
                            failed += 1;
                        }
                    }
                }
            }
            Ok(if failed == 0 {
                exit::CONFORMANT
            } else {
                exit::FAILED
            })
        }
        Command::Check { names } => check(&selected(names)?),
    }
}

fn check(peers: &[Peer]) -> anyhow::Result<u8> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let required = peers_required();
    let mut failed = 0;
    for p in peers {
        if let Some(why) = p.not_ready() {
            if required {
                eprintln!(
                    "c169: {why} (C169_REQUIRE_PEERS=1: a peer that cannot be reached fails)"
                );
                failed += 1;
            } else {
                println!("{}: skipped: {why}", p.name());
            }
            continue;
        }
        let settings = Settings::default().with_timeout(Duration::from_mins(1));
        let imp = p.target().connect(&settings)?;
        let described = rt.block_on(imp.describe());
        rt.block_on(imp.shutdown());
        match described {
            Ok(d) => {
                println!(
                    "{}: {} {} · ops {} · sign {} · encrypt {} · options {}",
                    p.name(),
                    d.name,
                    d.version,
                    d.ops.join(","),
                    list(&d.algorithms.sign),
                    list(&d.algorithms.encrypt),
                    serde_json::to_string(&d.options).unwrap_or_default()
                );
                for problem in p.check(&d) {
                    eprintln!("c169: {}: {problem}", p.name());
                    failed += 1;
                }
            }
            Err(e) => {
                eprintln!("c169: {}: describe failed: {}", p.name(), e.reason());
                failed += 1;
            }
        }
    }
    Ok(if failed == 0 {
        exit::CONFORMANT
    } else {
        exit::FAILED
    })
}

fn list(v: &[String]) -> String {
    if v.is_empty() {
        "none".into()
    } else {
        v.join(",")
    }
}
