//! Cucumber runs side by side keep a failing step's panic silent and leave the
//! process printing panics after them (`c169_suite::steps::quiet`). A binary of its
//! own: the panic hook is the process's.
#![allow(clippy::unwrap_used, clippy::panic)] // a test: panics are what it is about

use c169_suite::steps::quiet::quietly;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Panics that reached the hook c169 replaced.
static PRINTED: AtomicUsize = AtomicUsize::new(0);

#[test]
fn a_panic_inside_a_run_is_silent_and_one_outside_is_not() {
    std::panic::set_hook(Box::new(|info| {
        PRINTED.fetch_add(1, Ordering::SeqCst);
        eprintln!("{info}");
    }));
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    // Two "runs" side by side, each swapping the hook as cucumber does: the first
    // ends (putting back the hook it took) while the second still runs, and the
    // second puts back the silent hook it took. Without c169's hook the second's
    // failing step was printed and every later panic was not.
    rt.block_on(async {
        let (started, second_may_start) = tokio::sync::oneshot::channel::<()>();
        let (second_started, first_may_end) = tokio::sync::oneshot::channel::<()>();
        let (ended, second_may_end) = tokio::sync::oneshot::channel::<()>();
        let first = quietly(async move {
            let taken = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            started.send(()).unwrap();
            first_may_end.await.unwrap();
            assert!(std::panic::catch_unwind(|| panic!("a failing step")).is_err());
            std::panic::set_hook(taken);
            ended.send(()).unwrap();
        });
        let second = quietly(async move {
            second_may_start.await.unwrap();
            let taken = std::panic::take_hook();
            std::panic::set_hook(Box::new(|_| {}));
            second_started.send(()).unwrap();
            second_may_end.await.unwrap();
            assert!(std::panic::catch_unwind(|| panic!("another failing step")).is_err());
            std::panic::set_hook(taken);
        });
        join(first, second).await;
    });
    assert_eq!(
        PRINTED.load(Ordering::SeqCst),
        0,
        "a step's panic was printed"
    );
    // After both runs: a panic of c169's own is printed again.
    assert!(std::panic::catch_unwind(|| panic!("c169's own")).is_err());
    assert_eq!(
        PRINTED.load(Ordering::SeqCst),
        1,
        "the hook stayed silenced"
    );
}

/// Polls both to completion on one task.
async fn join(a: impl std::future::Future<Output = ()>, b: impl std::future::Future<Output = ()>) {
    let (mut a, mut b) = (Box::pin(a), Box::pin(b));
    let (mut a_done, mut b_done) = (false, false);
    std::future::poll_fn(|cx| {
        if !a_done {
            a_done = a.as_mut().poll(cx).is_ready();
        }
        if !b_done {
            b_done = b.as_mut().poll(cx).is_ready();
        }
        if a_done && b_done {
            std::task::Poll::Ready(())
        } else {
            std::task::Poll::Pending
        }
    })
    .await;
}
