//! The rig survives misbehaving subprocess adapters: each case ends in its own
//! status, later cases still run (after a restart) or are "not run: adapter
//! broken", and nothing panics. The fixture is `c169-fake-adapter` (src/bin).
//! Timeouts are short; the tests assert outcomes, never timings.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

use c169_adapter::protocol::{DecodeRequest, ErrorKind};
use c169_adapter::{AdapterError, Command, Implementation, Mode, Subprocess, SubprocessSettings};
use c169_model::Outcome;
use std::time::Duration;

const FAKE: &str = env!("CARGO_BIN_EXE_c169-fake-adapter");

fn quick() -> SubprocessSettings {
    SubprocessSettings {
        timeout: Duration::from_millis(1500),
        grace: Duration::from_millis(300),
        max_restarts: 2,
        ..SubprocessSettings::default()
    }
}

fn fake(args: &[&str], mode: Mode, settings: SubprocessSettings) -> Subprocess {
    Subprocess::new(
        Command::new(FAKE).args(args.iter().copied()),
        mode,
        settings,
    )
}

fn case() -> DecodeRequest {
    DecodeRequest::new("THIS!IS@NOT#VALID")
}

/// The status word of one case.
fn status(r: &Result<Outcome, AdapterError>) -> &'static str {
    match r {
        Ok(_) => "ok",
        Err(e) => e.code(),
    }
}

async fn run(imp: &dyn Implementation, n: usize) -> Vec<Result<Outcome, AdapterError>> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        out.push(imp.decode(&case()).await);
    }
    out
}

fn statuses(results: &[Result<Outcome, AdapterError>]) -> Vec<&'static str> {
    results.iter().map(status).collect()
}

#[tokio::test]
async fn a_well_behaved_adapter_answers_every_case() {
    let imp = fake(&[], Mode::Persistent, quick());
    let results = run(&imp, 5).await;
    assert_eq!(statuses(&results), ["ok"; 5]);
    let expected = c169_adapter::Reference.decode(&case()).await.unwrap();
    for r in &results {
        assert_eq!(r.as_ref().unwrap(), &expected);
    }
    assert_eq!(imp.restarts().await, 0);
    imp.shutdown().await;
}

#[tokio::test]
async fn crash_on_the_nth_request_is_that_case_and_the_adapter_is_restarted() {
    let imp = fake(&["crash-on=3"], Mode::Persistent, quick());
    let results = run(&imp, 7).await;
    // Process 1 answers cases 1-2 and dies on 3; process 2 answers 4-5 and dies on 6.
    assert_eq!(
        statuses(&results),
        ["ok", "ok", "crashed", "ok", "ok", "crashed", "ok"]
    );
    match &results[2] {
        Err(AdapterError::Crashed {
            status,
            stderr,
            partial_len,
            ..
        }) => {
            assert_eq!(status.code, Some(101));
            assert_eq!(*partial_len, 0);
            assert!(
                stderr
                    .as_deref()
                    .unwrap_or("")
                    .contains("crashing on request 3"),
                "{stderr:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(imp.restarts().await, 2);
}

#[tokio::test]
async fn an_adapter_that_always_crashes_is_given_up_and_later_cases_are_not_run() {
    let imp = fake(&["crash-on=1"], Mode::Persistent, quick());
    let results = run(&imp, 6).await;
    // max_restarts 2: the first failure and two restarts that fail, then broken.
    assert_eq!(
        statuses(&results),
        ["crashed", "crashed", "crashed", "broken", "broken", "broken"]
    );
    for r in &results[3..] {
        let e = r.as_ref().unwrap_err();
        assert!(e.is_not_run());
        assert!(
            e.reason().starts_with("not run: adapter broken"),
            "{}",
            e.reason()
        );
        assert!(
            matches!(e, AdapterError::Broken { restarts: 2, .. }),
            "{e:?}"
        );
    }
}

#[tokio::test]
async fn exit_zero_at_start_is_a_crash_then_broken() {
    let imp = fake(&["exit-at-start"], Mode::Persistent, quick());
    let results = run(&imp, 5).await;
    assert_eq!(
        statuses(&results),
        ["crashed", "crashed", "crashed", "broken", "broken"]
    );
    match &results[0] {
        Err(AdapterError::Crashed { status, .. }) => assert_eq!(status.code, Some(0)),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn an_abort_reports_the_signal() {
    let imp = fake(&["abort-on=2"], Mode::Persistent, quick());
    let results = run(&imp, 3).await;
    assert_eq!(statuses(&results), ["ok", "crashed", "ok"]);
    match &results[1] {
        Err(AdapterError::Crashed { status, stderr, .. }) => {
            assert_eq!(status.signal, Some(6), "{status}");
            assert!(
                stderr.as_deref().unwrap_or("").contains("aborting"),
                "{stderr:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_hang_times_out_and_the_next_case_runs_on_a_new_process() {
    let imp = fake(&["hang-on=2"], Mode::Persistent, quick());
    let results = run(&imp, 5).await;
    // Each process hangs on its own 2nd request.
    assert_eq!(statuses(&results), ["ok", "timeout", "ok", "timeout", "ok"]);
    match &results[1] {
        Err(AdapterError::Timeout { after, stderr }) => {
            assert_eq!(*after, quick().timeout);
            assert!(
                stderr
                    .as_deref()
                    .unwrap_or("")
                    .contains("hanging on request 2"),
                "{stderr:?}"
            );
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(imp.restarts().await, 2);
}

#[tokio::test]
async fn a_garbage_line_is_a_protocol_error_for_that_case() {
    let imp = fake(&["garbage-on=2"], Mode::Persistent, quick());
    let results = run(&imp, 4).await;
    assert_eq!(statuses(&results), ["ok", "protocol", "ok", "protocol"]);
    match &results[1] {
        Err(AdapterError::Protocol {
            reason, excerpt, ..
        }) => {
            assert!(reason.contains("not JSON"), "{reason}");
            assert_eq!(excerpt.as_deref(), Some("this is not JSON at all"));
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn half_a_line_then_exit_is_a_crash_with_the_partial_line() {
    let imp = fake(&["half-line-on=2"], Mode::Persistent, quick());
    let results = run(&imp, 4).await;
    assert_eq!(statuses(&results), ["ok", "crashed", "ok", "crashed"]);
    match &results[1] {
        Err(AdapterError::Crashed {
            status,
            partial_len,
            partial,
            ..
        }) => {
            assert_eq!(status.code, Some(0));
            assert!(*partial_len > 0);
            assert!(
                partial.as_deref().unwrap_or("").starts_with("{\"id\":2"),
                "{partial:?}"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_100_mb_line_is_cut_at_the_cap() {
    let imp = fake(&["huge-on=2"], Mode::Persistent, quick());
    let results = run(&imp, 3).await;
    assert_eq!(statuses(&results), ["ok", "response_too_large", "ok"]);
    match &results[1] {
        Err(AdapterError::ResponseTooLarge { limit, .. }) => assert_eq!(*limit, 16 * 1024 * 1024),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_stderr_flood_neither_blocks_the_adapter_nor_grows_memory() {
    // 2 MB of stderr before every answer: far beyond a pipe's buffer, so the adapter
    // would block (and time out) if the rig stopped draining its stderr.
    let imp = fake(&["stderr=2000000"], Mode::Persistent, quick());
    let results = run(&imp, 5).await;
    assert_eq!(statuses(&results), ["ok"; 5]);
    let tail = imp.last_stderr().expect("stderr of the last case");
    assert!(tail.len() <= 64 * 1024 + 200, "{} bytes kept", tail.len());
    assert!(tail.contains("earlier bytes of stderr dropped"));
}

#[tokio::test]
async fn a_wrong_id_is_a_protocol_error_and_the_adapter_is_restarted() {
    let imp = fake(&["wrong-id-on=2"], Mode::Persistent, quick());
    let results = run(&imp, 3).await;
    assert_eq!(statuses(&results), ["ok", "protocol", "ok"]);
    match &results[1] {
        Err(AdapterError::Protocol { reason, .. }) => {
            assert!(reason.contains("id 1002"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(imp.restarts().await, 1);
}

#[tokio::test]
async fn a_schema_violation_is_a_protocol_error_without_a_restart() {
    let imp = fake(&["bad-schema-on=2"], Mode::Persistent, quick());
    let results = run(&imp, 4).await;
    assert_eq!(statuses(&results), ["ok", "protocol", "ok", "ok"]);
    assert_eq!(imp.restarts().await, 0);
}

#[tokio::test]
async fn an_error_reply_is_an_adapter_error_not_a_verdict() {
    let imp = fake(&["unsupported-on=1"], Mode::Persistent, quick());
    let results = run(&imp, 2).await;
    assert_eq!(statuses(&results), ["unsupported", "ok"]);
    match &results[0] {
        Err(AdapterError::Adapter { kind, message, .. }) => {
            assert_eq!(*kind, ErrorKind::Unsupported);
            assert_eq!(message, "the fake adapter declines");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn slow_but_inside_the_timeout_is_fine() {
    let imp = fake(&["slow=300", "log"], Mode::Persistent, quick());
    let results = run(&imp, 3).await;
    assert_eq!(statuses(&results), ["ok"; 3]);
    assert_eq!(
        imp.last_stderr().as_deref(),
        Some("fake adapter: request 3\n")
    );
}

#[tokio::test]
async fn a_program_that_cannot_start_is_broken_at_once() {
    let imp = Subprocess::new(
        Command::new("/nonexistent/c169-adapter"),
        Mode::Persistent,
        quick(),
    );
    let results = run(&imp, 3).await;
    assert_eq!(statuses(&results), ["spawn", "broken", "broken"]);
}

#[tokio::test]
async fn the_whole_process_group_is_killed() {
    // A shell starts a grandchild that would outlive it, then becomes the adapter.
    let script = format!("sleep 30 & echo \"grandchild $!\" >&2; exec '{FAKE}' hang-on=1");
    let imp = Subprocess::new(
        Command::new("sh").args(["-c", &script]),
        Mode::Persistent,
        quick(),
    );
    let results = run(&imp, 1).await;
    assert_eq!(statuses(&results), ["timeout"]);
    let stderr = results[0]
        .as_ref()
        .unwrap_err()
        .stderr()
        .unwrap()
        .to_owned();
    let pid: u32 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("grandchild "))
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no grandchild pid in {stderr:?}"));
    // The grandchild is gone, or a zombie waiting to be reaped by init. SIGKILL is
    // sent before the timeout is reported, but a loaded machine may take a moment
    // to end the process: it is given up to 10 s (the sleep would last 30).
    let alive = || {
        std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
    };
    for _ in 0..100 {
        if !alive() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(!alive(), "grandchild {pid} survived");
}

#[tokio::test]
async fn one_shot_mode_runs_a_process_per_request() {
    let imp = fake(&["log"], Mode::OneShot, quick());
    let results = run(&imp, 3).await;
    assert_eq!(statuses(&results), ["ok"; 3]);
    // Every process sees its first request.
    assert_eq!(
        imp.last_stderr().as_deref(),
        Some("fake adapter: request 1\n")
    );
    let d = imp.describe().await.unwrap();
    assert_eq!(d.protocol, 1);
}

#[tokio::test]
async fn one_shot_failures_are_per_case_and_bounded() {
    let garbage = fake(&["garbage-on=1"], Mode::OneShot, quick());
    // An unreadable answer is that case's protocol error; it does not count towards broken.
    assert_eq!(statuses(&run(&garbage, 4).await), ["protocol"; 4]);

    let hang = fake(&["hang-on=1"], Mode::OneShot, quick());
    assert_eq!(
        statuses(&run(&hang, 4).await),
        ["timeout", "timeout", "timeout", "broken"]
    );

    let crash = fake(&["crash-on=1"], Mode::OneShot, quick());
    assert_eq!(
        statuses(&run(&crash, 4).await),
        ["crashed", "crashed", "crashed", "broken"]
    );

    let huge = fake(&["huge-on=1"], Mode::OneShot, quick());
    let r = run(&huge, 1).await;
    assert_eq!(statuses(&r), ["response_too_large"]);
}

#[tokio::test]
async fn a_crash_between_successes_resets_the_bound() {
    // Crashes on every 2nd request: never two failures in a row, so never broken.
    let imp = fake(&["crash-on=2"], Mode::Persistent, quick());
    let results = run(&imp, 8).await;
    assert_eq!(
        statuses(&results),
        ["ok", "crashed", "ok", "crashed", "ok", "crashed", "ok", "crashed"]
    );
    assert_eq!(imp.restarts().await, 3);
}

#[tokio::test]
async fn a_transcript_holds_the_lines_byte_for_byte() {
    let transcript = c169_adapter::Transcript::new();
    let settings = SubprocessSettings {
        transcript: Some(transcript.clone()),
        ..quick()
    };
    let imp = fake(&[], Mode::Persistent, settings);
    let _ = imp.describe().await;
    imp.shutdown().await;
    let (entries, dropped) = transcript.entries();
    assert_eq!(dropped, 0);
    match entries.as_slice() {
        [c169_adapter::transcript::Entry::Sent { op, bytes }, c169_adapter::transcript::Entry::Received(reply)] =>
        {
            assert_eq!(op, "describe");
            assert_eq!(bytes.as_slice(), br#"{"id":1,"op":"describe"}"#);
            assert!(!reply.ends_with(b"\n") && reply.starts_with(b"{"));
        }
        other => panic!("{other:?}"),
    }
}
