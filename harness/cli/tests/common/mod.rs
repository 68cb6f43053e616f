//! What the command-line tests share: the repository root and running `c169`.

#![allow(dead_code, clippy::unwrap_used)] // each test file uses what it needs

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `c169 args…` from the repository root.
pub fn c169(args: &[&str]) -> Output {
    c169_with(args, &[])
}

/// Runs `c169 args…` with `envs` (which the adapters it starts see too), as in CI
/// (no progress bar), with `$C169` naming this build of c169.
pub fn c169_with(args: &[&str], envs: &[(&str, String)]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_c169"))
        .args(args)
        .current_dir(repo())
        .env("CI", "1")
        .env("C169", env!("CARGO_BIN_EXE_c169"))
        .envs(envs.iter().map(|(k, v)| (k, v)))
        .output()
        .unwrap()
}

/// A scratch folder of its own per test (`what` names the test file, `name` the test).
pub fn scratch(what: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("c169-{what}-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Standard output then standard error, for assertion messages.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
