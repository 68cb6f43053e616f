//! A protocol v1 adapter that misbehaves on purpose: the fixture of the rig's
//! robustness tests. It answers like the reference codec, except where its
//! arguments tell it to misbehave. Request numbers count from 1 in each process.
//!
//! ```text
//! c169-fake-adapter [DIRECTIVE…]
//!   reference          serve the reference with the library's stdio server (nothing else applies)
//!   exit-at-start      exit 0 before reading anything
//!   crash-on=N         write to stderr, then exit 101, on request N
//!   abort-on=N         abort (SIGABRT) on request N
//!   hang-on=N          never answer request N
//!   garbage-on=N       answer request N with a line that is not JSON
//!   half-line-on=N     write half a reply to request N, then exit 0
//!   huge-on=N          answer request N with a 100 MB line
//!   wrong-id-on=N      answer request N with another id
//!   bad-schema-on=N    answer request N with a JSON object that breaks the schema
//!   unsupported-on=N   answer request N with an `unsupported` error reply
//!   stderr=BYTES       write BYTES to stderr before every answer
//!   slow=MS            wait MS milliseconds before every answer
//!   log                write one stderr line per request
//!   echo               write each request line to stderr, as received
//! ```

#![forbid(unsafe_code)]

use c169_adapter::protocol::{ErrorBody, ErrorKind, Reply, Request, RequestBody, Response};
use c169_adapter::serve::response_bytes;
use c169_adapter::Reference;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::Duration;

#[derive(Debug, Default)]
#[allow(clippy::struct_excessive_bools)] // one switch per directive
struct Plan {
    reference: bool,
    exit_at_start: bool,
    crash_on: Option<u64>,
    abort_on: Option<u64>,
    hang_on: Option<u64>,
    garbage_on: Option<u64>,
    half_line_on: Option<u64>,
    huge_on: Option<u64>,
    wrong_id_on: Option<u64>,
    bad_schema_on: Option<u64>,
    unsupported_on: Option<u64>,
    stderr_bytes: usize,
    slow_ms: u64,
    log: bool,
    echo: bool,
}

fn plan(args: &[String]) -> Result<Plan, String> {
    let mut p = Plan::default();
    for arg in args {
        let (name, value) = arg.split_once('=').unwrap_or((arg, ""));
        let n = || value.parse::<u64>().map_err(|e| format!("{arg}: {e}"));
        match name {
            "reference" => p.reference = true,
            "exit-at-start" => p.exit_at_start = true,
            "log" => p.log = true,
            "echo" => p.echo = true,
            "crash-on" => p.crash_on = Some(n()?),
            "abort-on" => p.abort_on = Some(n()?),
            "hang-on" => p.hang_on = Some(n()?),
            "garbage-on" => p.garbage_on = Some(n()?),
            "half-line-on" => p.half_line_on = Some(n()?),
            "huge-on" => p.huge_on = Some(n()?),
            "wrong-id-on" => p.wrong_id_on = Some(n()?),
            "bad-schema-on" => p.bad_schema_on = Some(n()?),
            "unsupported-on" => p.unsupported_on = Some(n()?),
            "stderr" => p.stderr_bytes = usize::try_from(n()?).map_err(|e| e.to_string())?,
            "slow" => p.slow_ms = n()?,
            _ => return Err(format!("unknown directive {arg:?}")),
        }
    }
    Ok(p)
}

fn answer(request: &Request) -> Response {
    let reply = match &request.body {
        RequestBody::Describe => Ok(Reply::Describe(Reference::description())),
        RequestBody::Decode(r) => Reference::decode_request(r).map(Reply::Decode),
        RequestBody::Encode(r) => Reference::encode_request(r).map(Reply::Encode),
    };
    Response {
        id: Some(request.id),
        reply: reply.unwrap_or_else(Reply::Error),
    }
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let plan = match plan(&args) {
        Ok(p) => p,
        Err(e) => {
            eprintln!("c169-fake-adapter: {e}");
            return ExitCode::from(2);
        }
    };
    if plan.reference {
        return match tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
        {
            Ok(rt) => match rt.block_on(c169_adapter::serve::serve_stdio(&Reference)) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("c169-fake-adapter: {e}");
                    ExitCode::FAILURE
                }
            },
            Err(e) => {
                eprintln!("c169-fake-adapter: {e}");
                ExitCode::FAILURE
            }
        };
    }
    if plan.exit_at_start {
        return ExitCode::SUCCESS;
    }
    match run(&plan) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("c169-fake-adapter: {e}");
            ExitCode::FAILURE
        }
    }
}

/// What to do after a request.
enum Next {
    Continue,
    Exit(ExitCode),
}

fn run(plan: &Plan) -> std::io::Result<ExitCode> {
    let stdin = std::io::stdin();
    let mut out = std::io::stdout().lock();
    let mut err = std::io::stderr().lock();
    let mut n: u64 = 0;
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        n += 1;
        if plan.log {
            writeln!(err, "fake adapter: request {n}")?;
        }
        if plan.echo {
            writeln!(err, "{line}")?;
        }
        if plan.stderr_bytes > 0 {
            let chunk = [b'e'; 4096];
            let mut left = plan.stderr_bytes;
            while left > 0 {
                let k = left.min(chunk.len());
                err.write_all(chunk.get(..k).unwrap_or_default())?;
                left -= k;
            }
            err.write_all(b"\nfake adapter: end of flood\n")?;
        }
        if plan.slow_ms > 0 {
            std::thread::sleep(Duration::from_millis(plan.slow_ms));
        }
        let request: Request = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                let r = Response {
                    id: None,
                    reply: Reply::Error(ErrorBody::new(ErrorKind::BadRequest, e.to_string())),
                };
                out.write_all(&response_bytes(&r))?;
                out.write_all(b"\n")?;
                out.flush()?;
                continue;
            }
        };
        if let Next::Exit(code) = respond(plan, n, &request, &mut out, &mut err)? {
            return Ok(code);
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn respond(
    plan: &Plan,
    n: u64,
    request: &Request,
    out: &mut impl Write,
    err: &mut impl Write,
) -> std::io::Result<Next> {
    let is = |at: Option<u64>| at == Some(n);
    if is(plan.crash_on) {
        writeln!(err, "fake adapter: crashing on request {n}")?;
        return Ok(Next::Exit(ExitCode::from(101)));
    }
    if is(plan.abort_on) {
        writeln!(err, "fake adapter: aborting on request {n}")?;
        err.flush()?;
        std::process::abort();
    }
    if is(plan.hang_on) {
        writeln!(err, "fake adapter: hanging on request {n}")?;
        loop {
            std::thread::sleep(Duration::from_millis(250));
        }
    }
    if is(plan.garbage_on) {
        out.write_all(b"this is not JSON at all\n")?;
    } else if is(plan.half_line_on) {
        let whole = response_bytes(&answer(request));
        out.write_all(whole.get(..whole.len() / 2).unwrap_or_default())?;
        out.flush()?;
        return Ok(Next::Exit(ExitCode::SUCCESS));
    } else if is(plan.huge_on) {
        write!(
            out,
            "{{\"id\": {}, \"verdict\": \"accept\", \"message\": \"",
            request.id
        )?;
        let chunk = vec![b'x'; 64 * 1024];
        for _ in 0..(100 * 1024 * 1024 / chunk.len()) {
            out.write_all(&chunk)?;
        }
        out.write_all(b"\", \"warnings\": []}\n")?;
    } else if is(plan.bad_schema_on) {
        writeln!(out, "{{\"id\": {}, \"verdict\": \"perhaps\"}}", request.id)?;
    } else {
        let mut response = if is(plan.unsupported_on) {
            Response {
                id: Some(request.id),
                reply: Reply::Error(ErrorBody::new(
                    ErrorKind::Unsupported,
                    "the fake adapter declines",
                )),
            }
        } else {
            answer(request)
        };
        if is(plan.wrong_id_on) {
            response.id = Some(request.id + 1000);
        }
        out.write_all(&response_bytes(&response))?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(Next::Continue)
}
