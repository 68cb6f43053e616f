//! `c169 adapter stdio` and `c169 serve` give the reference's answers.
//!

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use c169_adapter::protocol::DecodeRequest;
use c169_adapter::{Command, Http, HttpSettings, Implementation, Reference, Subprocess};
use std::io::{BufRead, BufReader};

const C169: &str = env!("CARGO_BIN_EXE_c169");

fn cases() -> Vec<DecodeRequest> {
    let dir =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../vectors/external/idpass");
    let mut out = vec![
        DecodeRequest::new("THIS!IS@NOT#VALID"),
        DecodeRequest::new(""),
    ];
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "json") {
            let v: serde_json::Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let mut r = DecodeRequest::new(v["qr"].as_str().unwrap());
            r.options.now = v["now"].as_i64();
            out.push(r);
        }
    }
    out
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}

#[test]
fn adapter_stdio_answers_like_the_reference() {
    runtime().block_on(async {
        let imp = Subprocess::persistent(Command::new(C169).args(["adapter", "stdio"]));
        assert_eq!(imp.describe().await.unwrap(), Reference::description());
        for case in cases() {
            assert_eq!(
                imp.decode(&case).await.unwrap(),
                Reference.decode(&case).await.unwrap(),
                "{}",
                case.qr
            );
        }
        imp.shutdown().await;
    });
}

#[test]
fn serve_answers_like_the_reference() {
    let mut child = std::process::Command::new(C169)
        .args(["serve", "--listen", "127.0.0.1:0"])
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // "c169: serving reference on http://127.0.0.1:PORT/v1/{…}"
    let mut line = String::new();
    BufReader::new(child.stderr.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let host = line
        .split_whitespace()
        .find_map(|w| w.strip_prefix("http://"))
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {line:?}"));
    let base = format!("http://{host}");
    runtime().block_on(async {
        let imp = Http::new(base, HttpSettings::default()).unwrap();
        assert_eq!(imp.describe().await.unwrap(), Reference::description());
        for case in cases() {
            assert_eq!(
                imp.decode(&case).await.unwrap(),
                Reference.decode(&case).await.unwrap(),
                "{}",
                case.qr
            );
        }
    });
    child.kill().unwrap();
    child.wait().unwrap();
}
