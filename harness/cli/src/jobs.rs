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
