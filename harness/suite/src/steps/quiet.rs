//! Failing steps panic; their panics are not printed, whatever runs beside them.
//!
//! Cucumber silences the process's panic hook for the length of a run: it takes the
//! hook, puts a silent one in its place and puts back what it took at the end. Two
//! runs side by side (`c169 matrix --jobs`) would then leave the hook silenced for
//! good (the second run took the silent one) or print every failing step of the
//! run still going (the first put the printing one back). So c169 installs a hook
//! of its own, which is silent for a panic inside a cucumber run (the run's future
//! is polled within [`IN_RUN`]) and prints every other panic as the hook it
//! replaced did, and puts it back after each run: whichever of cucumber's hooks is
//! in place at a moment, a step's panic is silent, and after the last run ends the
//! process prints panics again.

use std::panic::PanicHookInfo;
use std::sync::{Arc, Mutex, OnceLock};

type Hook = Arc<dyn Fn(&PanicHookInfo<'_>) + Send + Sync + 'static>;

tokio::task_local! {
    /// Set while a cucumber run's future is polled.
    static IN_RUN: ();
}

/// The hook that was in place before c169's, taken once.
static BEFORE: OnceLock<Hook> = OnceLock::new();

/// Taking and setting the hook are one step each, not one together: this orders them.
static SWAP: Mutex<()> = Mutex::new(());

/// Puts c169's hook in place (taking the one before it, the first time).
fn install() {
    let _swap = SWAP.lock();
    let before = BEFORE
        .get_or_init(|| Arc::from(std::panic::take_hook()))
        .clone();
    std::panic::set_hook(Box::new(move |info| {
        if IN_RUN.try_with(|()| ()).is_err() {
            before(info);
        }
    }));
}

/// Runs `run` (a cucumber run) with its panics silent, and puts c169's hook back when
/// it ends, whatever hook the run left. (Public for its test, which needs a process
/// of its own: the hook is the process's.)
pub async fn quietly<T>(run: impl std::future::Future<Output = T>) -> T {
    install();
    let out = IN_RUN.scope((), run).await;
    install();
    out
}
