//! Copies of one implementation side by side (`c169 run --jobs N`): each copy
//! serves one request at a time, and a request waits for a free copy.

use crate::{AdapterError, Implementation};
use async_trait::async_trait;
use c169_model::protocol::{DecodeRequest, Description, EncodeRequest, Encoded};
use c169_model::Outcome;
use std::sync::{Arc, Mutex, PoisonError};

/// Copies of one implementation, lent out one request at a time: N subprocess
/// adapters, or N requests in flight to one endpoint (the same `Arc` N times).
/// A pool of one queues every request behind the one before.
#[derive(Debug)]
pub struct Pool {
    members: Vec<Arc<dyn Implementation>>,
    /// The indices of the copies not serving a request.
    idle: Mutex<Vec<usize>>,
    free: tokio::sync::Semaphore,
    /// The stderr of the copy that served the most recent request.
    last_stderr: Mutex<Option<String>>,
}

/// A copy lent out; given back when dropped.
struct Lease<'a> {
    pool: &'a Pool,
    index: usize,
    _permit: tokio::sync::SemaphorePermit<'a>,
}

impl Drop for Lease<'_> {
    fn drop(&mut self) {
        // Back among the idle before the permit (a later field) is released.
        self.pool
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .push(self.index);
    }
}

impl Pool {
    /// A pool of `first` and `more` copies of it.
    #[must_use]
    pub fn new(first: Arc<dyn Implementation>, more: Vec<Arc<dyn Implementation>>) -> Pool {
        let mut members = vec![first];
        members.extend(more);
        let n = members.len();
        Pool {
            members,
            // Popped from the end: the first copy is lent first.
            idle: Mutex::new((0..n).rev().collect()),
            free: tokio::sync::Semaphore::new(n),
            last_stderr: Mutex::new(None),
        }
    }

    /// Every copy, the first first.
    #[must_use]
    pub fn members(&self) -> &[Arc<dyn Implementation>] {
        &self.members
    }

    async fn lease(&self) -> Result<(Lease<'_>, &Arc<dyn Implementation>), AdapterError> {
        let permit = self
            .free
            .acquire()
            .await
            .map_err(|e| AdapterError::Broken {
                restarts: 0,
                cause: format!("the pool of copies is closed: {e}"),
            })?;
        // A permit stands for an idle copy: there is one to pop.
        let index = self
            .idle
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop()
            .unwrap_or_default();
        let member = self
            .members
            .get(index)
            .ok_or_else(|| AdapterError::Broken {
                restarts: 0,
                cause: format!("the pool has no copy {index}"),
            })?;
        Ok((
            Lease {
                pool: self,
                index,
                _permit: permit,
            },
            member,
        ))
    }

    /// Copies that work on the calling thread get threads of their own, so that
    /// they run side by side (a pool of one runs where it is called).
    fn threads_for(&self, member: &Arc<dyn Implementation>) -> bool {
        self.members.len() > 1 && member.in_process()
    }

    fn keep_stderr(&self, member: &Arc<dyn Implementation>) {
        *self
            .last_stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner) = member.last_stderr();
    }
}

/// Runs the future `call` makes on a thread of the runtime's blocking pool, to
/// its end.
async fn on_a_thread<T, F>(call: impl FnOnce() -> F + Send + 'static) -> Result<T, AdapterError>
where
    T: Send + 'static,
    F: std::future::Future<Output = Result<T, AdapterError>>,
{
    let handle = tokio::runtime::Handle::current();
    tokio::task::spawn_blocking(move || handle.block_on(call()))
        .await
        .map_err(|e| AdapterError::Broken {
            restarts: 0,
            cause: format!("the in-process call ended without an answer: {e}"),
        })?
}

#[async_trait]
impl Implementation for Pool {
    fn label(&self) -> String {
        self.members
            .first()
            .map_or_else(String::new, Implementation::label)
    }

    async fn describe(&self) -> Result<Description, AdapterError> {
        let (_lease, member) = self.lease().await?;
        let answer = member.describe().await;
        self.keep_stderr(member);
        answer
    }

    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        let (_lease, member) = self.lease().await?;
        let answer = if self.threads_for(member) {
            let (m, r) = (Arc::clone(member), request.clone());
            on_a_thread(move || async move { m.decode(&r).await }).await
        } else {
            member.decode(request).await
        };
        self.keep_stderr(member);
        answer
    }

    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        let (_lease, member) = self.lease().await?;
        let answer = if self.threads_for(member) {
            let (m, r) = (Arc::clone(member), request.clone());
            on_a_thread(move || async move { m.encode(&r).await }).await
        } else {
            member.encode(request).await
        };
        self.keep_stderr(member);
        answer
    }

    fn last_stderr(&self) -> Option<String> {
        self.last_stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn shutdown(&self) {
        for m in &self.members {
            m.shutdown().await;
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::Duration;

    /// Counts the requests it is serving at once, and the most ever.
    #[derive(Debug, Default)]
    struct Busy {
        now: AtomicUsize,
        most: AtomicUsize,
    }

    #[async_trait]
    impl Implementation for Busy {
        fn label(&self) -> String {
            "busy".into()
        }
        async fn describe(&self) -> Result<Description, AdapterError> {
            let n = self.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.most.fetch_max(n, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            self.now.fetch_sub(1, Ordering::SeqCst);
            Ok(crate::Reference::description())
        }
        async fn decode(&self, _: &DecodeRequest) -> Result<Outcome, AdapterError> {
            Err(AdapterError::Broken {
                restarts: 0,
                cause: "unused".into(),
            })
        }
        async fn encode(&self, _: &EncodeRequest) -> Result<Encoded, AdapterError> {
            Err(AdapterError::Broken {
                restarts: 0,
                cause: "unused".into(),
            })
        }
    }

    fn most_at_once(copies: usize) -> Vec<usize> {
        let members: Vec<Arc<Busy>> = (0..copies).map(|_| Arc::new(Busy::default())).collect();
        let dyns: Vec<Arc<dyn Implementation>> = members
            .iter()
            .map(|m| Arc::clone(m) as Arc<dyn Implementation>)
            .collect();
        let mut it = dyns.into_iter();
        let pool = Pool::new(it.next().unwrap(), it.collect());
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let d = || pool.describe();
            let answers = tokio::join!(d(), d(), d(), d(), d(), d(), d(), d());
            for answer in [
                answers.0, answers.1, answers.2, answers.3, answers.4, answers.5, answers.6,
                answers.7,
            ] {
                answer.unwrap();
            }
        });
        members
            .iter()
            .map(|m| m.most.load(Ordering::SeqCst))
            .collect()
    }

    #[test]
    fn each_copy_serves_one_request_at_a_time_and_every_copy_is_used() {
        // Eight requests at once on two copies: each copy had exactly one at a time.
        assert_eq!(most_at_once(2), vec![1, 1]);
        // A pool of one queues them.
        assert_eq!(most_at_once(1), vec![1]);
    }

    /// Blocks its caller's thread for each decode, as the reference does; counts
    /// the decodes under way at once.
    #[derive(Debug, Default)]
    struct Blocking(Busy);

    #[async_trait]
    impl Implementation for Blocking {
        fn label(&self) -> String {
            "blocking".into()
        }
        fn in_process(&self) -> bool {
            true
        }
        async fn describe(&self) -> Result<Description, AdapterError> {
            Ok(crate::Reference::description())
        }
        async fn decode(&self, _: &DecodeRequest) -> Result<Outcome, AdapterError> {
            let n = self.0.now.fetch_add(1, Ordering::SeqCst) + 1;
            self.0.most.fetch_max(n, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(30));
            self.0.now.fetch_sub(1, Ordering::SeqCst);
            Ok(Outcome::reject(c169_model::Stage::Base45, "x", "x"))
        }
        async fn encode(&self, _: &EncodeRequest) -> Result<Encoded, AdapterError> {
            Err(AdapterError::Broken {
                restarts: 0,
                cause: "unused".into(),
            })
        }
    }

    #[test]
    fn in_process_copies_work_on_threads_of_their_own() {
        let one = Arc::new(Blocking::default());
        let pool = Pool::new(
            Arc::clone(&one) as Arc<dyn Implementation>,
            vec![Arc::clone(&one) as Arc<dyn Implementation>],
        );
        let request: DecodeRequest = serde_json::from_str(r#"{"qr": "00"}"#).unwrap();
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let d = || pool.decode(&request);
            let answers = tokio::join!(d(), d(), d(), d());
            assert!(answers.0.is_ok() && answers.3.is_ok());
        });
        // Blocking the one thread of the runtime, they could only have run one by one.
        assert_eq!(one.0.most.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn the_same_endpoint_lent_twice_has_two_requests_in_flight() {
        let one = Arc::new(Busy::default());
        let pool = Pool::new(
            Arc::clone(&one) as Arc<dyn Implementation>,
            vec![Arc::clone(&one) as Arc<dyn Implementation>],
        );
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        rt.block_on(async {
            let d = || pool.describe();
            let _ = tokio::join!(d(), d(), d(), d());
        });
        assert_eq!(one.most.load(Ordering::SeqCst), 2);
    }
}
