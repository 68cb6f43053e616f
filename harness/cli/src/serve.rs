//! `c169 adapter stdio` and `c169 serve`: an implementation (the reference codec by
//! default) served as a protocol v1 adapter, on stdin/stdout lines or over HTTP.
//! The serving itself is `c169_adapter::serve`; this module only wires it to the
//! process: its stdio, a listening socket, Ctrl-C.

use anyhow::{bail, Context as _};
use c169_adapter::{Settings, Target};
use std::net::SocketAddr;
use std::sync::Arc;

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

/// Serves `target` over HTTP (`POST /v1/{op}`) on `listen` until Ctrl-C.
/// Only a loopback address is accepted unless `allow_non_loopback`.
pub async fn serve(
    listen: SocketAddr,
    target: &Target,
    allow_non_loopback: bool,
) -> anyhow::Result<()> {
    if !listen.ip().is_loopback() && !allow_non_loopback {
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
    let served = c169_adapter::serve::serve_http(listener, Arc::clone(&imp), shutdown).await;
    imp.shutdown().await;
    served.context("serving over HTTP")
}
