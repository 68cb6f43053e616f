//! `c169 adapter stdio` and `c169 serve`: an implementation (the reference codec by
//! default) served as a protocol v1 adapter, on stdin/stdout lines or over HTTP.
//! The serving itself is `c169_adapter::serve`; this module only wires it to the
//! process: its stdio, a listening socket, Ctrl-C.

use anyhow::{bail, Context as _};
use c169_adapter::serve::{serve_http_with, HttpServeSettings};
use c169_adapter::{Settings, Target};
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

/// Serves `target` on this process's stdin and stdout, one JSON object per line
/// each way, until stdin ends. With one request on stdin this is a one-shot adapter.
/// Nothing but protocol lines goes to stdout; diagnostics go to stderr.
pub async fn adapter_stdio(target: &Target) -> anyhow::Result<()> {
    let imp = target
        .connect(&Settings::default())
        .context("reaching the implementation to serve")?;
    let served = c169_adapter::serve::serve_stdio(imp.as_ref()).await;
    imp.shutdown().await;
    served.context("serving on stdio")
}

/// `c169 serve`: the reference over HTTP, within the bounds of its flags.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The address to listen on (port 0: any free port, printed on stderr).
    #[arg(long, default_value = "127.0.0.1:8169", value_name = "ADDR:PORT")]
    listen: SocketAddr,
    /// Allow a non-loopback listening address.
    #[arg(long)]
    allow_non_loopback: bool,
    /// Seconds a request's head may take to arrive, counted from when the server
    /// starts waiting for it: on a new connection, or after the previous response on
    /// a kept-alive one (so also how long an idle connection is kept open). Then
    /// the connection is closed. Fractions allowed (0.5).
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = seconds)]
    header_timeout: Duration,
    /// Seconds a request's body may take to arrive once its head has; then the
    /// answer is 408 with an error response and the connection is closed.
    #[arg(long, default_value = "10", value_name = "SECS", value_parser = seconds)]
    body_timeout: Duration,
    /// How many decode and encode requests are carried out at once (on threads
    /// of their own, beside describe); more wait their turn. Default: twice the
    /// number of CPUs, at least 4.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=1024))]
    max_busy: Option<u32>,
    /// How many connections are served at once; more wait to be accepted.
    #[arg(long, default_value_t = 512, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=65536))]
    max_connections: u32,
}

/// A number of seconds, more than 0 and at most an hour, fractions allowed.
fn seconds(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= 3600.0) {
        return Err(format!(
            "{text}: expected more than 0 and at most 3600 seconds"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

impl Args {
    fn settings(&self) -> HttpServeSettings {
        let defaults = HttpServeSettings::default();
        HttpServeSettings {
            header_timeout: self.header_timeout,
            body_timeout: self.body_timeout,
            max_busy: self.max_busy.map_or(defaults.max_busy, |n| n as usize),
            max_connections: self.max_connections as usize,
        }
    }
}

/// `c169 serve`: serves the reference over HTTP until Ctrl-C, on a runtime of its
/// own (decode and encode run on its blocking pool, describe on its workers).
pub fn run(args: &Args) -> anyhow::Result<u8> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the runtime")?
        .block_on(serve(args, &Target::Reference))?;
    Ok(crate::exit::OK)
}

/// Serves `target` over HTTP (`POST /v1/{op}`) on `args.listen` until Ctrl-C.
/// Only a loopback address is accepted unless `args.allow_non_loopback`.
async fn serve(args: &Args, target: &Target) -> anyhow::Result<()> {
    let listen = args.listen;
    if !listen.ip().is_loopback() && !args.allow_non_loopback {
        bail!("{listen} is not a loopback address; the adapter server listens on loopback only unless told otherwise");
    }
    let imp: Arc<dyn c169_adapter::Implementation> = Arc::from(
        target
            .connect(&Settings::default())
            .context("reaching the implementation to serve")?,
    );
    let listener = tokio::net::TcpListener::bind(listen)
        .await
        .with_context(|| format!("listening on {listen}"))?;
    let local = listener.local_addr().context("reading the bound address")?;
    eprintln!(
        "c169: serving {} on http://{local}/v1/{{describe,decode,encode}}; Ctrl-C stops",
        imp.label()
    );
    let shutdown = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    let served = serve_http_with(listener, Arc::clone(&imp), &args.settings(), shutdown).await;
    imp.shutdown().await;
    served.context("serving over HTTP")
}
