//! `--jobs N`: how many cases (or, for `c169 matrix`, implementations) run at once.

use anyhow::Context as _;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct JobsArgs {
    /// How many cases run at once: a process each of an adapter program, requests
    /// in flight to an endpoint, threads for the in-process reference (default:
    /// the number of cores). The reports are the same whatever N is; an adapter
    /// whose describe says `"serial": true` runs alone.
    #[arg(long, short = 'j', value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
}

impl JobsArgs {
    /// N: the flag, else the number of cores (1 when it cannot be told).
    pub fn count(&self) -> usize {
        self.jobs.map_or_else(
            || std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get),
            usize::from,
        )
    }

    /// The async runtime for N jobs: one thread for one job; for more, worker
    /// threads that serve the adapters' pipes and sockets while the jobs' own
    /// threads wait on them.
    pub fn runtime(&self) -> anyhow::Result<tokio::runtime::Runtime> {
        let n = self.count();
        let mut builder = if n > 1 {
            let mut b = tokio::runtime::Builder::new_multi_thread();
            b.worker_threads(n.min(8));
            b
        } else {
            tokio::runtime::Builder::new_current_thread()
        };
        builder
            .enable_all()
            .build()
            .context("starting the async runtime")
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
                    .stack_size(c169_suite::run::STACK_BYTES)
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

#[cfg(test)]
mod tests {
    use super::side_by_side;

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
