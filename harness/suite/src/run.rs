//! Running a corpus against an implementation and collecting the results.

use crate::judge::{judge, Judgement, NotRun, Status};
use base64::Engine as _;
use c169_adapter::protocol::{
    bstr_json, DecodeKeys, DecodeOptions, DecodeRequest, Description, EncodeRequest, EncryptParams,
    SignParams,
};
use c169_adapter::{AdapterError, Implementation};
use c169_codec::keys::Key;
use c169_corpus::corpus::Corpus;
use c169_model::{Level, Outcome, Stage, Vector, VerdictClass};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Instant;

/// The result of one case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CaseResult {
    pub id: String,
    /// The vector file, relative to the corpus root.
    pub file: String,
    pub level: Option<Level>,
    pub requirements: Vec<String>,
    pub expected: VerdictClass,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_stage: Option<Stage>,
    #[serde(flatten)]
    pub judgement: Judgement,
    /// What a decoder answered; for an encoder vector, what the reference reads in
    /// the encoder's output.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub observed: Option<Outcome>,
    /// What an encoder produced (encoder vectors).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output: Option<String>,
    /// The adapter's stderr around a failed case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stderr: Option<String>,
    /// Wall time of the request, in milliseconds.
    pub duration_ms: f64,
}

/// A whole run: what the implementation said of itself, and every case.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Run {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<Description>,
    /// Why `describe` failed, when it did (then no case ran).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub describe_error: Option<String>,
    pub results: Vec<CaseResult>,
    /// Stopped before the last case.
    #[serde(default)]
    pub interrupted: bool,
    /// Copies (by their place among the copies, the first being 0) that ran no
    /// case, and why: their describe failed or differed from the first's.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copies_left_out: Vec<(usize, String)>,
}

fn case(root: &Path, path: &Path, vector: &Vector) -> CaseResult {
    CaseResult {
        id: vector.id.clone(),
        file: path
            .strip_prefix(root)
            .unwrap_or(path)
            .to_string_lossy()
            .replace('\\', "/"),
        level: vector.level,
        requirements: vector.requirements.iter().map(|r| r.id.clone()).collect(),
        expected: vector.verdict,
        expected_stage: vector.stage,
        judgement: Judgement::new(Status::Skip, String::new()),
        observed: None,
        output: None,
        stderr: None,
        duration_ms: 0.0,
    }
}

/// How a failed request reads in a report.
#[must_use]
pub fn error(e: &AdapterError) -> Judgement {
    // An honest "I cannot do this" is a skip with the implementation's reason, not a failure.
    if let AdapterError::Adapter {
        kind: c169_adapter::protocol::ErrorKind::Unsupported,
        message,
        ..
    } = e
    {
        return Judgement::not_run(
            Status::Skip,
            NotRun::Unsupported,
            format!("not run: the implementation answered unsupported: {message}"),
        );
    }
    if e.is_not_run() {
        // Its reason already says "not run: adapter broken (…)".
        return Judgement::not_run(Status::Error, NotRun::AdapterBroken, e.reason());
    }
    Judgement::new(Status::Error, e.reason())
}

/// Verification keys as the protocol carries them: the public JWK of a usable key,
/// the JWK as written of a deliberately invalid one.
fn verify_jwks(corpus: &Corpus, names: &[String]) -> Vec<serde_json::Value> {
    names
        .iter()
        .filter_map(|n| {
            corpus
                .keys
                .get(n)
                .map(|k| k.to_jwk(false))
                .or_else(|| corpus.jwks.get(n).cloned())
        })
        .collect()
}

/// The keys as the protocol carries them: public JWKs to verify, symmetric ones to decrypt.
fn jwks(keys: &[Key], private: bool) -> Vec<serde_json::Value> {
    keys.iter().map(|k| k.to_jwk(private)).collect()
}

/// The decode request for a vector, as protocol v1 carries it. Keys go only to an
/// implementation that says it can use them (a vector that needs them is skipped
/// otherwise).
#[must_use]
pub fn decode_request(
    corpus: &Corpus,
    vector: &Vector,
    qr: &str,
    caps: &BTreeSet<String>,
) -> DecodeRequest {
    DecodeRequest {
        qr: qr.to_owned(),
        image: None,
        keys: DecodeKeys {
            verify: if caps.contains("verify") {
                verify_jwks(corpus, &vector.keys.verify)
            } else {
                Vec::new()
            },
            decrypt: if caps.contains("decrypt") {
                jwks(&corpus.keys_for(&vector.keys.decrypt), true)
            } else {
                Vec::new()
            },
        },
        options: DecodeOptions {
            now: Some(vector.now),
            leeway: Some(0),
        },
    }
}

/// The encode request of an encoder vector, and the keys the reference checks its
/// output with (verify, decrypt).
#[must_use]
pub fn encode_request(
    corpus: &Corpus,
    vector: &Vector,
) -> Option<(EncodeRequest, Vec<Key>, Vec<Key>)> {
    let case = vector.encode.as_ref()?;
    let sign_key = corpus.keys.get(&case.sign.key);
    let enc = case.encrypt.as_ref().map(|e| (e, corpus.keys.get(&e.key)));
    let request = EncodeRequest {
        claim169: case.claim169.clone(),
        cwt: case.cwt.clone(),
        sign: sign_key.map(|k| SignParams {
            jwk: k.to_jwk(true),
            alg: Some(case.sign.alg.clone()),
            kid: case.sign.kid.clone(),
        }),
        encrypt: enc.and_then(|(e, k)| {
            // No IV in the vector: the implementation must draw a fresh one.
            let iv =
                e.iv.as_deref()
                    .and_then(|h| hex::decode(h).ok())
                    .map(|b| bstr_json(&b));
            k.map(|k| EncryptParams {
                jwk: k.to_jwk(true),
                alg: Some(e.alg.clone()),
                iv,
            })
        }),
        options: serde_json::Map::new(),
        ec_level: case.ec_level,
    };
    let verify: Vec<Key> = sign_key
        .and_then(Key::public_key)
        .map(|p| Key::new(p.into()))
        .into_iter()
        .collect();
    let decrypt: Vec<Key> = enc.and_then(|(_, k)| k.cloned()).into_iter().collect();
    Some((request, verify, decrypt))
}

/// Runs every vector of `corpus` (that `filter` keeps) against `imp` on the runtime `rt`, and judges each answer.
pub fn run(
    corpus: &Corpus,
    root: &Path,
    imp: &dyn Implementation,
    rt: &tokio::runtime::Runtime,
    filter: Option<&c169_corpus::features::TagFilter>,
) -> Run {
    let keep = |v: &Vector| filter.is_none_or(|keep| keep(&c169_corpus::features::vector_tags(v)));
    run_with(corpus, root, imp, rt, &keep, &|| false, &mut |_, _| {})
}

/// [`run`], keeping the vectors `keep` accepts, stopping before the next case once
/// `stop` says so, and handing each result to `on_case` as it is judged.
pub fn run_with(
    corpus: &Corpus,
    root: &Path,
    imp: &dyn Implementation,
    rt: &tokio::runtime::Runtime,
    keep: &dyn Fn(&Vector) -> bool,
    stop: &(dyn Fn() -> bool + Sync),
    on_case: &mut dyn FnMut(&Vector, &CaseResult),
) -> Run {
    run_side_by_side(corpus, root, &[imp], rt, keep, stop, on_case)
}

/// Whether copy `k` answers describe as the first did; if not, why it takes no
/// case goes into `left_out`.
fn answers_as_the_first(
    copy: &dyn Implementation,
    k: usize,
    first: Option<&Description>,
    rt: &tokio::runtime::Runtime,
    left_out: &std::sync::Mutex<BTreeMap<usize, String>>,
) -> bool {
    let why = match rt.block_on(copy.describe()) {
        Ok(d) if Some(&d) == first => return true,
        Ok(_) => "its describe differs from the first copy's".to_owned(),
        Err(e) => format!("describe failed: {}", e.reason()),
    };
    left_out
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(k, why);
    false
}

/// Shuts `imps` down all at once: the slowest to stop, not their sum.
pub fn shut_down(
    imps: impl IntoIterator<Item = std::sync::Arc<dyn Implementation>>,
    rt: &tokio::runtime::Runtime,
) {
    let mut set = tokio::task::JoinSet::new();
    for imp in imps {
        set.spawn_on(async move { imp.shutdown().await }, rt.handle());
    }
    rt.block_on(async { while set.join_next().await.is_some() {} });
}

/// [`run_with`] on several copies of one implementation at once (`--jobs`), a
/// thread each, every copy serving one case at a time. `describe` is asked of
/// the first; when it says `serial`, the first runs every case alone. Each other
/// copy is asked too, and takes cases only when it answers as the first did: a
/// copy that cannot start or says otherwise is left out (`copies_left_out`), so
/// that the report does not depend on `--jobs`. The results
/// are in corpus order whatever order they finished in, so the report is that of
/// a serial run; `on_case` sees them as they finish.
pub fn run_side_by_side(
    corpus: &Corpus,
    root: &Path,
    copies: &[&dyn Implementation],
    rt: &tokio::runtime::Runtime,
    keep: &dyn Fn(&Vector) -> bool,
    stop: &(dyn Fn() -> bool + Sync),
    on_case: &mut dyn FnMut(&Vector, &CaseResult),
) -> Run {
    let Some(first) = copies.first() else {
        return Run {
            describe_error: Some("no implementation to run".to_owned()),
            ..Run::default()
        };
    };
    let (caps, description, describe_error) = match rt.block_on(first.describe()) {
        Ok(d) => (d.capability_names(), Some(d), None),
        Err(e) => (BTreeSet::new(), None, Some(e)),
    };
    // Copies run cases only beside a first copy that described itself.
    let copies = if description.as_ref().is_none_or(|d| d.serial) {
        copies.get(..1).unwrap_or(copies)
    } else {
        copies
    };
    let left_out = std::sync::Mutex::new(BTreeMap::new());
    let selected: Vec<(&std::path::PathBuf, &Vector)> = corpus
        .vectors
        .iter()
        .filter(|(_, v)| keep(v))
        .map(|(p, v)| (p, v))
        .collect();
    let honours_time = description.as_ref().is_some_and(|d| d.options.now);
    let base = Ctx {
        corpus,
        root,
        imp: *first,
        rt,
        caps: &caps,
        describe_error: describe_error.as_ref(),
        honours_time,
    };
    let mut slots: Vec<Option<CaseResult>> = vec![None; selected.len()];
    let interrupted = AtomicBool::new(false);
    let next = AtomicUsize::new(0);
    // The next case for a copy to run, or None once there is none or the run stops.
    // Side by side, the image vectors go first: a scan costs as much as a hundred
    // other cases, and one left for last would keep the other copies idle. The
    // results keep corpus order whatever order the cases ran in.
    let mut order: Vec<usize> = (0..selected.len()).collect();
    if copies.len() > 1 {
        order.sort_by_key(|&i| selected.get(i).is_none_or(|(_, v)| v.image.is_none()));
    }
    let take = || {
        let i = *order.get(next.fetch_add(1, Ordering::SeqCst))?;
        let (path, vector) = selected.get(i)?;
        if stop() {
            interrupted.store(true, Ordering::SeqCst);
            return None;
        }
        Some((i, *path, *vector))
    };
    let (tx, rx) = std::sync::mpsc::channel::<(usize, CaseResult)>();
    let mut keep_result = |i: usize, result: CaseResult| {
        if let (Some((_, vector)), Some(slot)) = (selected.get(i), slots.get_mut(i)) {
            on_case(vector, &result);
            *slot = Some(result);
        }
    };
    std::thread::scope(|scope| {
        // The first copy runs here; each other one on a thread of its own, sending
        // its results here, where `on_case` (which need not be Send) sees them.
        for (k, imp) in copies.iter().enumerate().skip(1) {
            let tx = tx.clone();
            let ctx = Ctx { imp: *imp, ..base };
            let take = &take;
            let (first, left_out) = (description.as_ref(), &left_out);
            // A copy whose thread cannot start leaves its share to the others.
            let _ = std::thread::Builder::new()
                .name("c169-case".into())
                .stack_size(STACK_BYTES)
                .spawn_scoped(scope, move || {
                    if !answers_as_the_first(*imp, k, first, rt, left_out) {
                        return;
                    }
                    while let Some((i, path, vector)) = take() {
                        if tx.send((i, one(&ctx, path, vector))).is_err() {
                            break;
                        }
                    }
                });
        }
        drop(tx);
        while let Some((i, path, vector)) = take() {
            let result = one(&base, path, vector);
            keep_result(i, result);
            while let Ok((i, result)) = rx.try_recv() {
                keep_result(i, result);
            }
        }
        for (i, result) in rx {
            keep_result(i, result);
        }
    });
    Run {
        description,
        describe_error: describe_error.map(|e| e.reason()),
        results: slots.into_iter().flatten().collect(),
        interrupted: interrupted.into_inner(),
        copies_left_out: left_out
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .into_iter()
            .collect(),
    }
}

/// `work` on every item, `n` at a time (this thread and `n - 1` more); the
/// answers in the order of `items`, whatever order they finished in.
pub fn side_by_side<T: Sync, R: Send>(
    items: &[T],
    n: usize,
    work: &(dyn Fn(&T) -> R + Sync),
) -> Vec<R> {
    let next = std::sync::atomic::AtomicUsize::new(0);
    let share = || {
        let mut mine = Vec::new();
        loop {
            let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let Some(item) = items.get(i) else {
                break;
            };
            mine.push((i, work(item)));
        }
        mine
    };
    let mut done: Vec<(usize, R)> = std::thread::scope(|scope| {
        // A helper thread that cannot start leaves its share to the others.
        let helpers: Vec<_> = (1..n.min(items.len()))
            .filter_map(|_| {
                std::thread::Builder::new()
                    .name("c169-job".into())
                    .stack_size(STACK_BYTES)
                    .spawn_scoped(scope, share)
                    .ok()
            })
            .collect();
        let mut done = share();
        for h in helpers {
            // A helper's panic is the caller's, as if its work had run here.
            done.extend(h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        }
        done
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// The stack of a thread that runs cases (or a whole session, in `c169 matrix`):
/// that of a main thread, and more, since a debug build's futures are large.
pub const STACK_BYTES: usize = 32 << 20;

/// What every case of a run shares.
#[derive(Clone, Copy)]
struct Ctx<'a> {
    corpus: &'a Corpus,
    root: &'a Path,
    imp: &'a dyn Implementation,
    rt: &'a tokio::runtime::Runtime,
    caps: &'a BTreeSet<String>,
    describe_error: Option<&'a AdapterError>,
    /// The implementation checks exp and nbf against the validation time it is given.
    honours_time: bool,
}

/// Why a case that turns on the validation time is not run (or not judged).
pub const CLOCK_BOUND: &str =
    "the implementation does not honour a given validation time (describe: options.now is false)";

fn one(ctx: &Ctx<'_>, path: &Path, vector: &Vector) -> CaseResult {
    let Ctx {
        corpus,
        root,
        imp,
        rt,
        caps,
        describe_error,
        honours_time,
    } = *ctx;
    let mut result = case(root, path, vector);
    if let Some(e) = describe_error {
        result.judgement = Judgement::not_run(
            Status::Error,
            NotRun::DescribeFailed,
            format!("not run: describe failed: {}", e.reason()),
        );
        return result;
    }
    if let Some(cap) = vector.capabilities.iter().find(|c| !caps.contains(*c)) {
        result.judgement = Judgement::not_run(
            Status::Skip,
            NotRun::Undeclared,
            format!("not run: the implementation does not declare capability {cap:?}"),
        );
        return result;
    }
    // A rejection by time can only be observed at the vector's own validation time.
    if !honours_time && vector.stage == Some(c169_model::Stage::Time) {
        result.judgement = Judgement::not_run(
            Status::Skip,
            NotRun::ClockBound,
            format!("not run: {CLOCK_BOUND}"),
        );
        return result;
    }
    let start = Instant::now();
    let text_or_image = match (&vector.qr, &vector.image) {
        (Some(qr), _) => Some(Ok(decode_request(corpus, vector, qr, caps))),
        (None, Some(image)) => Some(c169_corpus::symbol::image_bytes(path, image).map(|png| {
            let mut request = decode_request(corpus, vector, "", caps);
            request.image = Some(base64::engine::general_purpose::STANDARD.encode(png));
            request
        })),
        (None, None) => None,
    };
    if let Some(Err(problem)) = &text_or_image {
        result.judgement = Judgement::not_run(
            Status::Error,
            NotRun::Unbuildable,
            format!("not run: {problem}"),
        );
        return result;
    }
    if let Some(Ok(request)) = text_or_image {
        match rt.block_on(imp.decode(&request)) {
            Ok(outcome) => {
                result.judgement = judge(vector, &outcome);
                if !honours_time
                    && result.judgement.status == Status::Fail
                    && outcome.stage == Some(c169_model::Stage::Time)
                {
                    // It judged exp/nbf at its own clock, not at the vector's time.
                    result.judgement = Judgement::not_run(Status::Skip, NotRun::ClockBound, format!(
                            "not judged: rejected at stage time, and {CLOCK_BOUND}: it judged at its own clock, not at the vector's validation time ({})",
                            outcome.message.as_deref().unwrap_or("no message")
                        ));
                }
                result.observed = Some(outcome);
            }
            Err(e) => {
                result.judgement = error(&e);
                result.stderr = e.stderr().map(str::to_owned);
            }
        }
    } else {
        encode_case(corpus, vector, imp, rt, &mut result);
    }
    result.duration_ms = start.elapsed().as_secs_f64() * 1000.0;
    if matches!(result.judgement.status, Status::Fail | Status::Error) && result.stderr.is_none() {
        result.stderr = imp.last_stderr().filter(|s| !s.is_empty());
    }
    result
}

fn encode_case(
    corpus: &Corpus,
    vector: &Vector,
    imp: &dyn Implementation,
    rt: &tokio::runtime::Runtime,
    result: &mut CaseResult,
) {
    let Some((request, verify, decrypt)) = encode_request(corpus, vector) else {
        return;
    };
    let checks = vector
        .encode
        .as_ref()
        .map(|c| c.checks.clone())
        .unwrap_or_default();
    match rt.block_on(imp.encode(&request)) {
        Ok(encoded) => {
            let mut failures = crate::encoder::check(vector, &encoded.qr, &verify, &decrypt);
            if checks.iter().any(|c| c == "fresh-iv") {
                let again = rt.block_on(imp.encode(&request)).map(|e| e.qr);
                failures.extend(crate::encoder::fresh_iv(
                    vector,
                    &encoded.qr,
                    again.as_deref().map_err(AdapterError::reason),
                    &decrypt,
                ));
            }
            result.judgement = if failures.is_empty() {
                Judgement::new(
                    Status::Pass,
                    format!("the output passes {} checks", checks.len()),
                )
            } else {
                Judgement::new(Status::Fail, failures.join("; "))
            };
            result.observed = Some(crate::encoder::reading(
                vector,
                &encoded.qr,
                &verify,
                &decrypt,
            ));
            result.output = Some(encoded.qr);
        }
        Err(e) => {
            result.judgement = error(&e);
            result.stderr = e.stderr().map(str::to_owned);
        }
    }
}

pub use c169_report::write_atomically;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn why_a_case_was_not_run_is_typed_not_read_from_its_words() {
        let broken = error(&AdapterError::Broken {
            restarts: 3,
            cause: "no reply within 1s".into(),
        });
        assert_eq!(broken.status, Status::Error);
        assert_eq!(broken.not_run, Some(NotRun::AdapterBroken));
        assert!(NotRun::AdapterBroken.fails_the_rig());
        assert!(broken.reason.starts_with("not run: adapter broken"));

        // A timeout is the implementation's failure on this case, not a case not run,
        // whatever its words.
        let late = error(&AdapterError::Timeout {
            after: std::time::Duration::from_secs(1),
            stderr: Some("not run: adapter broken".into()),
        });
        assert_eq!(late.status, Status::Error);
        assert_eq!(late.not_run, None);

        let unsupported = error(&AdapterError::Adapter {
            kind: c169_adapter::protocol::ErrorKind::Unsupported,
            message: "no ES512".into(),
            stderr: None,
        });
        assert_eq!(unsupported.status, Status::Skip);
        assert_eq!(unsupported.not_run, Some(NotRun::Unsupported));
        assert!(!NotRun::Unsupported.fails_the_rig());
    }

    #[test]
    fn answers_come_back_in_the_order_of_the_items() {
        let items: Vec<u64> = (0..50).collect();
        let slow_first = |x: &u64| {
            std::thread::sleep(std::time::Duration::from_millis(50u64.saturating_sub(*x)));
            x * 2
        };
        let answers = side_by_side(&items, 4, &slow_first);
        assert_eq!(answers, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(side_by_side(&Vec::<u64>::new(), 4, &slow_first).is_empty());
    }
}
