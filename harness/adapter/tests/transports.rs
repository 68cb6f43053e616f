//! The reference gives identical answers however it is reached: in-process,
//! through the stdio server as a persistent and as a one-shot subprocess
//! adapter, and through the HTTP server.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use c169_adapter::serve::serve_http;
use c169_adapter::{
    Command, Http, HttpSettings, Implementation, Mode, Reference, Subprocess, SubprocessSettings,
};
use c169_model::Verdict;
use common::{decode_cases, encode_requests, FAKE};
use std::sync::Arc;
use tokio::net::TcpListener;

#[tokio::test]
async fn every_transport_gives_the_reference_answers() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(serve_http(listener, Arc::new(Reference), async {
        let _ = stopped.await;
    }));

    let serving = || Command::new(FAKE).arg("reference");
    let kinds: Vec<(&str, Box<dyn Implementation>)> = vec![
        ("in-process", Box::new(Reference)),
        ("loopback", Box::new(c169_adapter::Loopback::new(Reference))),
        (
            "persistent",
            Box::new(Subprocess::new(
                serving(),
                Mode::Persistent,
                SubprocessSettings::default(),
            )),
        ),
        (
            "one-shot",
            Box::new(Subprocess::new(
                serving(),
                Mode::OneShot,
                SubprocessSettings::default(),
            )),
        ),
        (
            "http",
            Box::new(Http::new(&base, HttpSettings::default()).unwrap()),
        ),
    ];

    let descriptions: Vec<_> = {
        let mut v = Vec::new();
        for (_, imp) in &kinds {
            v.push(imp.describe().await.unwrap());
        }
        v
    };
    for d in &descriptions[1..] {
        assert_eq!(d, &descriptions[0]);
    }

    let cases = decode_cases();
    assert!(cases.len() >= 20, "{} cases", cases.len());
    let mut accepted = 0;
    let mut rejected = 0;
    for (name, request) in &cases {
        let expected = Reference.decode(request).await.unwrap();
        match expected.verdict {
            Verdict::Accept => accepted += 1,
            Verdict::Reject => rejected += 1,
        }
        for (kind, imp) in &kinds[1..] {
            let got = imp
                .decode(request)
                .await
                .unwrap_or_else(|e| panic!("{name} through {kind}: {e}"));
            assert_eq!(got, expected, "{name} through {kind}");
        }
    }
    eprintln!(
        "{} decode cases: {accepted} accepted, {rejected} rejected",
        cases.len()
    );
    assert!(rejected >= 5);

    for (name, request) in encode_requests() {
        let expected = Reference.encode(&request).await;
        for (kind, imp) in &kinds[1..] {
            let got = imp.encode(&request).await;
            match (&expected, &got) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{name} through {kind}"),
                (Err(a), Err(b)) => assert_eq!(a.code(), b.code(), "{name} through {kind}"),
                _ => panic!("{name} through {kind}: {expected:?} vs {got:?}"),
            }
        }
    }

    for (_, imp) in &kinds {
        imp.shutdown().await;
    }
    stop.send(()).unwrap();
    server.await.unwrap().unwrap();
}
