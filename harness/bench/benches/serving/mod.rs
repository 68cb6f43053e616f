//! What the `protocol` and `full_run` benches share: a runtime, the repository
//! root, and serving the reference on stdio when the bench binary is started as
//! its own adapter (`C169_BENCH_SERVE=stdio`, the code behind `c169 adapter stdio`).

use c169_adapter::{Command, Reference};
use std::path::{Path, PathBuf};

const SERVE_VAR: &str = "C169_BENCH_SERVE";

pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime")
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// When this process was started as the adapter, serves until stdin ends and
/// returns true; otherwise returns false at once.
pub fn serve_if_asked() -> bool {
    if std::env::var(SERVE_VAR).as_deref() != Ok("stdio") {
        return false;
    }
    runtime()
        .block_on(c169_adapter::serve::serve_stdio(&Reference))
        .expect("serving stdio");
    true
}

/// This bench binary as a stdio adapter.
pub fn this_as_adapter() -> Command {
    let me = std::env::current_exe().expect("the bench binary's path");
    Command::new(me).env(SERVE_VAR, "stdio")
}
