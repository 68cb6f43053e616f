//! c169: the command-line front end of the Claim 169 conformance suite. The only
//! crate that prints or sets an exit code.

#![forbid(unsafe_code)]

/// Standard output that a reader closing its end (`c169 vectors list | head -1`)
/// cannot crash: std's `println!` panics on a broken pipe. Once the pipe is
/// closed, output stops quietly and the command runs on to its own exit code, so
/// a gate behind a pipe still fails when it should.
mod output {
    use std::io::Write as _;
    use std::sync::atomic::{AtomicBool, Ordering};

    // Standard output is one per process, and so is the fact that it closed.
    static CLOSED: AtomicBool = AtomicBool::new(false);

    pub fn write(args: std::fmt::Arguments<'_>) {
        if CLOSED.load(Ordering::Relaxed) {
            return;
        }
        if let Err(e) = std::io::stdout().lock().write_fmt(args) {
            if e.kind() == std::io::ErrorKind::BrokenPipe {
                CLOSED.store(true, Ordering::Relaxed);
            }
        }
    }
}

// These shadow std's macros of the same names in every module of this crate.
macro_rules! println {
    () => {
        $crate::output::write(format_args!("\n"))
    };
    ($($arg:tt)*) => {
        $crate::output::write(format_args!("{}\n", format_args!($($arg)*)))
    };
}

macro_rules! print {
    ($($arg:tt)*) => {
        $crate::output::write(format_args!($($arg)*))
    };
}

mod adapters;
mod decode;
mod encode;
mod export;
mod fuzz;
mod history;
mod inspect;
mod jobs;
mod keyfiles;
mod matrix;
mod progress;
mod qr;
mod regen;
mod replay;
mod report;
mod requirements;
mod run;
mod serve;
mod target;
mod vectors;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// Conformance suite and interoperability rig for MOSIP Claim 169.
#[derive(Debug, Parser)]
#[command(name = "c169", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode a Claim 169 QR text with the reference codec.
    Decode(decode::Args),
    /// Encode identity data and claims (YAML or JSON) into a QR text.
    Encode(encode::Args),
    /// Show a QR text stage by stage: sizes, hex, CBOR diagnostic notation, and where decoding stops.
    Inspect(inspect::Args),
    /// Run the suite against an implementation (the built-in reference by default) and write a report.
    Run(run::Args),
    /// One case as the rig runs it: the protocol lines sent, the raw replies, and expected against observed (exit 1 if it fails).
    Replay(replay::Args),
    /// What changed between two runs: newly failing, newly passing, changed answers (exit 1 if anything newly fails).
    Diff(report::DiffArgs),
    /// Work with report files: merge shards, render formats.
    #[command(subcommand)]
    Report(report::Command),
    /// The registered peer adapters (adapters/*/adapter.toml): list, set up, check.
    #[command(subcommand)]
    Adapters(adapters::Command),
    /// The suite against the reference and every registered peer, and the encoder × decoder grid: reports/index.html, matrix.json, a report per implementation.
    Matrix(matrix::Args),
    /// Differential fuzzing: generated and mutated credentials decoded by the reference and by a peer; disagreements minimised and written as candidate vectors.
    Fuzz(fuzz::Args),
    /// Work with the vector corpus.
    #[command(subcommand)]
    Vectors(vectors::Command),
    /// Make again everything derived from the sources (vector files, fuzz seeds, snapshots, published reports), or with --check show it current.
    Regen(regen::Args),
    /// QR symbols: render a text to PNG, scan a PNG, how a text fits, the corpus's table of versions.
    #[command(subcommand)]
    Qr(qr::Command),
    /// List the requirements with their level and the vectors that exercise them.
    Requirements(requirements::Args),
    /// Serve the reference codec as a protocol v1 adapter.
    #[command(subcommand)]
    Adapter(AdapterCommand),
    /// Serve the reference codec over HTTP (POST /v1/{op}), on loopback unless told otherwise.
    Serve(serve::Args),
}

#[derive(Debug, Subcommand)]
enum AdapterCommand {
    /// The reference on stdin/stdout, one JSON object per line each way.
    Stdio,
}

/// Exit codes shared by every command: the report's gate and the commands use one list.
pub use c169_report::exit;

// A PNG image is read no further than c169-qr decodes.
const _: () = assert!(c169_model::bounded::IMAGE_FILE.bytes == c169_qr::MAX_IMAGE_BYTES as u64);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Decode(a) => decode::run(&a),
        Command::Encode(a) => encode::run(&a),
        Command::Inspect(a) => inspect::run(&a),
        Command::Run(a) => run::run(&a),
        Command::Replay(a) => replay::run(&a),
        Command::Diff(a) => report::diff(&a),
        Command::Report(c) => report::run(&c),
        Command::Adapters(c) => adapters::run(&c),
        Command::Matrix(a) => matrix::run(&a),
        Command::Fuzz(a) => fuzz::run(&a),
        Command::Vectors(c) => vectors::run(&c),
        Command::Regen(a) => regen::run(&a),
        Command::Qr(c) => qr::run(&c),
        Command::Requirements(a) => requirements::run(&a),
        Command::Adapter(AdapterCommand::Stdio) => tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(anyhow::Error::from)
            .and_then(|rt| rt.block_on(serve::adapter_stdio(&c169_adapter::Target::Reference)))
            .map(|()| exit::OK),
        Command::Serve(a) => serve::run(&a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("c169: {e:#}");
            ExitCode::from(exit::USAGE)
        }
    }
}
