//! An adapter program, reached on its stdin and stdout.
//!
//! Persistent mode keeps one process and exchanges one JSON object per line each
//! way; one-shot mode starts a process per request (request on stdin, then stdin
//! closed; reply on stdout). Either way the adapter runs in its own process group,
//! which is killed when it times out, breaks the protocol beyond repair or is shut
//! down; its stderr is drained continuously into a bounded ring.

use crate::lines::{read_line, LineEnd};
use crate::reply::{
    expect_decode, expect_describe, expect_encode, judge, request_bytes, Bad, NoMembers,
};
use crate::stderr::{Pipe, Tail};
use crate::transcript::{note, Entry};
use crate::{excerpt, AdapterError, ExitInfo, Implementation};
use async_trait::async_trait;
use c169_model::protocol::{DecodeRequest, Description, EncodeRequest, Encoded, Op, Reply};
use c169_model::Outcome;
use nix::sys::signal::{killpg, Signal};
use nix::unistd::Pid;
use serde::Serialize;
use std::ffi::OsString;
use std::os::unix::process::CommandExt;
use std::path::PathBuf;
use std::process::Stdio;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;
use tokio::io::{AsyncWriteExt, BufReader};
use tokio::process::{Child, ChildStdin, ChildStdout};
use tokio::task::JoinHandle;

use crate::spin::SpinRead;

/// The program to run and how.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub program: PathBuf,
    pub args: Vec<OsString>,
    /// Variables set on top of the rig's environment.
    pub env: Vec<(OsString, OsString)>,
    pub cwd: Option<PathBuf>,
}

impl Command {
    #[must_use]
    pub fn new(program: impl Into<PathBuf>) -> Self {
        Command {
            program: program.into(),
            args: Vec::new(),
            env: Vec::new(),
            cwd: None,
        }
    }

    #[must_use]
    pub fn arg(mut self, arg: impl Into<OsString>) -> Self {
        self.args.push(arg.into());
        self
    }

    #[must_use]
    pub fn args<I: IntoIterator<Item = S>, S: Into<OsString>>(mut self, args: I) -> Self {
        self.args.extend(args.into_iter().map(Into::into));
        self
    }

    #[must_use]
    pub fn env(mut self, key: impl Into<OsString>, value: impl Into<OsString>) -> Self {
        self.env.push((key.into(), value.into()));
        self
    }

    #[must_use]
    pub fn cwd(mut self, dir: impl Into<PathBuf>) -> Self {
        self.cwd = Some(dir.into());
        self
    }
}

/// How requests reach the program (in an adapter.toml: `persistent`, `one-shot`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Mode {
    /// One process, one JSON object per line each way.
    Persistent,
    /// One process per request.
    OneShot,
}

/// The rig's bounds on an adapter program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubprocessSettings {
    /// How long one request may take, writing it and reading the whole reply
    /// (and, for a request that starts the process, its start-up).
    pub timeout: Duration,
    /// How long a process is given to end after SIGTERM (or, when it closed its
    /// stdout, to exit) before its process group is sent SIGKILL.
    pub grace: Duration,
    /// How many failures in a row (crash, timeout, unreadable or oversized reply)
    /// are met with a restart; the next one marks the adapter broken.
    pub max_restarts: u32,
    /// The largest reply read, in bytes.
    pub max_response: usize,
    /// How many of the last bytes of stderr are kept.
    pub stderr_tail: usize,
    /// How long, after writing a request to a persistent adapter, the rig polls its
    /// stdout before sleeping on the event loop (see [`crate::spin`]); zero never spins.
    pub spin: Duration,
    /// Where the request lines and the replies are copied, byte for byte (`c169 replay`).
    pub transcript: Option<crate::Transcript>,
}

impl Default for SubprocessSettings {
    fn default() -> Self {
        SubprocessSettings {
            timeout: Duration::from_secs(10),
            grace: Duration::from_secs(2),
            max_restarts: 3,
            max_response: 16 * 1024 * 1024,
            stderr_tail: 64 * 1024,
            spin: crate::spin::DEFAULT_SPIN,
            transcript: None,
        }
    }
}

/// An adapter program. See the module documentation.
#[derive(Debug)]
pub struct Subprocess {
    command: Command,
    mode: Mode,
    settings: SubprocessSettings,
    state: tokio::sync::Mutex<State>,
    last_stderr: Mutex<Option<String>>,
}

#[derive(Debug, Default)]
struct State {
    running: Option<Running>,
    next_id: u64,
    spawns: u64,
    restarts: u32,
    failures_in_a_row: u32,
    broken: Option<String>,
}

/// A started adapter process.
#[derive(Debug)]
struct Running {
    child: Child,
    group: Option<Pid>,
    stdin: Option<ChildStdin>,
    stdout: BufReader<SpinRead<ChildStdout>>,
    tail: Arc<Tail>,
    stderr: Option<Pipe>,
    drain: Option<JoinHandle<()>>,
    /// Whether the group may still hold processes (cleared once it was killed and reaped).
    live: bool,
}

impl Drop for Running {
    fn drop(&mut self) {
        if self.live {
            signal_group(self.group, Signal::SIGKILL);
        }
        if let Some(d) = self.drain.take() {
            d.abort();
        }
    }
}

fn signal_group(group: Option<Pid>, signal: Signal) {
    if let Some(pgid) = group {
        // ESRCH (the group is gone) is the expected answer once it has ended.
        let _ = killpg(pgid, signal);
    }
}

/// How to end a process.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    /// It closed its stdout, or was asked to stop by closing its stdin: let it exit.
    AwaitExit,
    /// It must be stopped: SIGTERM, then SIGKILL after the grace period.
    Kill,
}

/// What one exchange came to, before it is turned into a result.
enum Exchange {
    Reply(Vec<u8>),
    Eof(Vec<u8>),
    TooLong,
    Timeout,
    Io(std::io::Error),
}

impl Subprocess {
    #[must_use]
    pub fn new(command: Command, mode: Mode, settings: SubprocessSettings) -> Self {
        Subprocess {
            command,
            mode,
            settings,
            state: tokio::sync::Mutex::new(State::default()),
            last_stderr: Mutex::new(None),
        }
    }

    /// A persistent adapter with the default settings.
    #[must_use]
    pub fn persistent(command: Command) -> Self {
        Subprocess::new(command, Mode::Persistent, SubprocessSettings::default())
    }

    /// A one-shot adapter with the default settings.
    #[must_use]
    pub fn one_shot(command: Command) -> Self {
        Subprocess::new(command, Mode::OneShot, SubprocessSettings::default())
    }

    #[must_use]
    pub fn settings(&self) -> &SubprocessSettings {
        &self.settings
    }

    /// Restarts made so far (processes started after a failure).
    pub async fn restarts(&self) -> u32 {
        self.state.lock().await.restarts
    }

    fn program(&self) -> String {
        self.command.program.display().to_string()
    }

    fn spawn(&self) -> Result<Running, AdapterError> {
        let mut std_cmd = std::process::Command::new(&self.command.program);
        std_cmd
            .args(&self.command.args)
            .envs(self.command.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .process_group(0);
        if let Some(dir) = &self.command.cwd {
            std_cmd.current_dir(dir);
        }
        let mut cmd = tokio::process::Command::from(std_cmd);
        cmd.kill_on_drop(true);
        let spawn_error = |message: String| AdapterError::Spawn {
            program: self.program(),
            message,
        };
        let mut child = cmd.spawn().map_err(|e| spawn_error(e.to_string()))?;
        // The child leads its own group: the group id is its pid.
        let group = child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .map(Pid::from_raw);
        let tail = Tail::new(self.settings.stderr_tail);
        let (stderr, drain) = match child
            .stderr
            .take()
            .map(|s| Pipe::start(s, Arc::clone(&tail)))
        {
            Some(Ok((pipe, task))) => (Some(pipe), Some(task)),
            Some(Err(e)) => {
                signal_group(group, Signal::SIGKILL);
                return Err(spawn_error(format!("stderr pipe: {e}")));
            }
            None => (None, None),
        };
        let stdin = child.stdin.take();
        let Some(stdout) = child.stdout.take() else {
            signal_group(group, Signal::SIGKILL);
            return Err(spawn_error("no stdout pipe".into()));
        };
        Ok(Running {
            child,
            group,
            stdin,
            stdout: BufReader::with_capacity(64 * 1024, SpinRead::new(stdout, self.settings.spin)),
            tail,
            stderr,
            drain,
            live: true,
        })
    }

    /// Ends `running` and returns how it ended, once its stderr is drained.
    async fn end(&self, mut running: Running, how: End) -> ExitInfo {
        let grace = self.settings.grace;
        drop(running.stdin.take());
        if how == End::Kill {
            signal_group(running.group, Signal::SIGTERM);
        }
        let status = match tokio::time::timeout(grace, running.child.wait()).await {
            Ok(Ok(status)) => Some(status),
            Ok(Err(_)) | Err(_) => None,
        };
        // Whatever is left of the group (the child, if it outlived the grace
        // period, and anything it started) goes now.
        signal_group(running.group, Signal::SIGKILL);
        let status = match status {
            Some(s) => Some(s),
            None => running.child.wait().await.ok(),
        };
        running.live = false;
        if let Some(d) = running.drain.take() {
            let abort = d.abort_handle();
            if tokio::time::timeout(grace, d).await.is_err() {
                abort.abort();
            }
        }
        status.map(ExitInfo::from_status).unwrap_or_default()
    }

    /// The process of the next request: the running one, or a new one.
    fn process(&self, state: &mut State) -> Result<Running, AdapterError> {
        if let Some(r) = state.running.take() {
            return Ok(r);
        }
        if state.spawns > 0 && state.failures_in_a_row > 0 {
            state.restarts += 1;
        }
        match self.spawn() {
            Ok(r) => {
                state.spawns += 1;
                Ok(r)
            }
            Err(e) => {
                // A program that cannot be started will not start for the next case either.
                state.broken = Some(e.reason());
                Err(e)
            }
        }
    }

    /// Writes `line` and reads the reply line, within the timeout.
    async fn talk(&self, running: &mut Running, line: &[u8]) -> Exchange {
        let one_shot = self.mode == Mode::OneShot;
        let cap = self.settings.max_response;
        let mut buf = Vec::new();
        let exchange = tokio::time::timeout(self.settings.timeout, async {
            if let Some(stdin) = running.stdin.as_mut() {
                // A write error means the adapter closed its stdin (most likely it
                // exited): what it wrote, if anything, still tells what happened.
                let written = async {
                    stdin.write_all(line).await?;
                    stdin.flush().await
                }
                .await;
                if one_shot || written.is_err() {
                    drop(running.stdin.take());
                }
            }
            if !one_shot {
                running.stdout.get_mut().arm();
            }
            read_line(&mut running.stdout, &mut buf, cap).await
        })
        .await;
        match exchange {
            Err(_) => Exchange::Timeout,
            Ok(Err(e)) => Exchange::Io(e),
            Ok(Ok(LineEnd::Line)) => Exchange::Reply(buf),
            Ok(Ok(LineEnd::Eof)) => Exchange::Eof(buf),
            Ok(Ok(LineEnd::TooLong)) => Exchange::TooLong,
        }
    }

    /// Turns an exchange into its result, ending the process where it cannot go on;
    /// the process is handed back when it can.
    async fn settle(
        &self,
        running: Running,
        exchange: Exchange,
        op: Op,
        id: u64,
    ) -> (Result<Reply, AdapterError>, Option<Running>) {
        let one_shot = self.mode == Mode::OneShot;
        match exchange {
            Exchange::Reply(bytes) => match judge(&bytes, op, id) {
                Ok(reply) => (Ok(reply), Some(running)),
                Err(Bad::InStep(e)) => (Err(e), Some(running)),
                Err(Bad::Desync(e)) => {
                    self.end(running, End::Kill).await;
                    (Err(e), None)
                }
            },
            Exchange::Eof(partial) => {
                let status = self.end(running, End::AwaitExit).await;
                // One-shot adapters may end their only reply without a line end.
                let reply = (one_shot && !partial.is_empty()).then(|| judge(&partial, op, id));
                let result = match reply {
                    Some(Ok(reply)) => Ok(reply),
                    Some(Err(bad)) if status.code == Some(0) => Err(bad.into_error()),
                    _ => Err(AdapterError::Crashed {
                        status,
                        partial_len: partial.len(),
                        partial: (!partial.is_empty()).then(|| excerpt(&partial, 200)),
                        stderr: None,
                    }),
                };
                (result, None)
            }
            Exchange::TooLong => {
                self.end(running, End::Kill).await;
                let limit = self.settings.max_response;
                (
                    Err(AdapterError::ResponseTooLarge {
                        limit,
                        stderr: None,
                    }),
                    None,
                )
            }
            Exchange::Timeout => {
                self.end(running, End::Kill).await;
                let after = self.settings.timeout;
                (
                    Err(AdapterError::Timeout {
                        after,
                        stderr: None,
                    }),
                    None,
                )
            }
            Exchange::Io(e) => {
                self.end(running, End::Kill).await;
                let message = e.to_string();
                (
                    Err(AdapterError::Io {
                        message,
                        stderr: None,
                    }),
                    None,
                )
            }
        }
    }

    async fn exchange<T: Serialize + Sync + ?Sized>(
        &self,
        op: Op,
        body: &T,
    ) -> Result<Reply, AdapterError> {
        let mut state = self.state.lock().await;
        if let Some(cause) = &state.broken {
            return Err(AdapterError::Broken {
                restarts: state.restarts,
                cause: cause.clone(),
            });
        }
        state.next_id += 1;
        let id = state.next_id;
        let mut line = request_bytes(id, op, body)?;
        line.push(b'\n');

        let mut running = self.process(&mut state)?;
        let tail = Arc::clone(&running.tail);
        let mark = tail.mark();
        let transcript = self.settings.transcript.as_ref();
        note(transcript, || Entry::Sent {
            op: op.to_string(),
            bytes: line.strip_suffix(b"\n").unwrap_or(&line).to_vec(),
        });
        let exchange = self.talk(&mut running, &line).await;
        note(transcript, || match &exchange {
            Exchange::Reply(bytes) => Entry::Received(bytes.clone()),
            Exchange::Eof(partial) if !partial.is_empty() => Entry::Received(partial.clone()),
            Exchange::Eof(_) => {
                Entry::Unanswered("the adapter closed its stdout without a reply".into())
            }
            Exchange::Timeout => {
                Entry::Unanswered(format!("no reply within {:?}", self.settings.timeout))
            }
            Exchange::TooLong => Entry::Unanswered(format!(
                "a reply longer than {} bytes",
                self.settings.max_response
            )),
            Exchange::Io(e) => Entry::Unanswered(format!("reading the reply: {e}")),
        });
        // What the adapter wrote to stderr before its reply is in the pipe now.
        if let Some(pipe) = &running.stderr {
            pipe.drain_now();
        }
        let (result, keep) = self.settle(running, exchange, op, id).await;

        let one_shot = self.mode == Mode::OneShot;
        let in_step =
            keep.is_some() || (one_shot && !matches!(result, Err(ref e) if is_failure(e)));
        match keep {
            Some(r) if !one_shot => state.running = Some(r),
            Some(r) => {
                self.end(r, End::AwaitExit).await;
            }
            None => {}
        }
        if in_step {
            state.failures_in_a_row = 0;
        } else {
            state.failures_in_a_row += 1;
            if state.failures_in_a_row > self.settings.max_restarts {
                let cause = result
                    .as_ref()
                    .err()
                    .map_or_else(String::new, AdapterError::reason);
                state.broken = Some(cause);
            }
        }
        let stderr = tail.since(mark);
        self.last_stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone_from(&stderr);
        result.map_err(|e| e.with_stderr(stderr))
    }
}

/// Whether an error is a failure of the adapter process (as opposed to an answer it gave).
fn is_failure(e: &AdapterError) -> bool {
    !matches!(
        e,
        AdapterError::Adapter { .. } | AdapterError::Protocol { .. }
    )
}

#[async_trait]
impl Implementation for Subprocess {
    fn label(&self) -> String {
        let mode = match self.mode {
            Mode::Persistent => "persistent",
            Mode::OneShot => "one-shot",
        };
        format!("{} ({mode})", self.program())
    }

    async fn describe(&self) -> Result<Description, AdapterError> {
        expect_describe(self.exchange(Op::Describe, &NoMembers {}).await?)
    }

    async fn decode(&self, request: &DecodeRequest) -> Result<Outcome, AdapterError> {
        expect_decode(self.exchange(Op::Decode, request).await?)
    }

    async fn encode(&self, request: &EncodeRequest) -> Result<Encoded, AdapterError> {
        expect_encode(self.exchange(Op::Encode, request).await?)
    }

    fn last_stderr(&self) -> Option<String> {
        self.last_stderr
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    async fn shutdown(&self) {
        let running = self.state.lock().await.running.take();
        if let Some(r) = running {
            self.end(r, End::AwaitExit).await;
        }
    }
}
