//! The flags that name an implementation, shared by `c169 run`, `c169 replay` and
//! `c169 fuzz`: a registered peer, an adapter program, or an HTTP endpoint.

use crate::run::peer;
use c169_adapter::{Settings, Target};
use std::time::Duration;

#[derive(Debug, Clone, Default, clap::Args)]
pub struct TargetArgs {
    /// A registered peer adapter by name (a folder of `adapters/` with an adapter.toml),
    /// or one of its older releases as NAME@VERSION (`adapters/NAME/releases/VERSION/`).
    #[arg(long, value_name = "NAME", conflicts_with_all = ["adapter_cmd", "adapter_url"])]
    pub adapter: Option<String>,
    /// An adapter program speaking protocol v1 on stdin/stdout (run through `sh -c`; a single command is exec'd).
    #[arg(long, value_name = "COMMAND", conflicts_with = "adapter_url")]
    pub adapter_cmd: Option<String>,
    /// An HTTP adapter endpoint: POST {URL}/v1/{op}.
    #[arg(long, value_name = "URL")]
    pub adapter_url: Option<String>,
    /// Start the adapter program once per request instead of keeping it running.
    #[arg(long, requires = "adapter_cmd")]
    pub one_shot: bool,
    /// Seconds an implementation may take on one request (1 to 3600).
    #[arg(long, default_value_t = 10, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub timeout: u64,
}

/// What `sh -c` runs for `--adapter-cmd COMMAND`: a single command is exec'd, so
/// that the adapter is the process c169 started (its exit status and signal are
/// its own); a compound one (`cd dir && node adapter.js`, a pipeline) runs as
/// written, since `exec` applies to one command only, as does one that starts
/// with a variable assignment (`NODE_OPTIONS=… node adapter.js`). Either way the adapter's
/// whole process group is what a timeout kills.
fn shell_line(cmd: &str) -> String {
    let compound = cmd.contains(['&', '|', ';', '\n', '(', ')', '`']) || cmd.contains("$(");
    // `exec X=1 node` would look for a program named `X=1`.
    let assigns = cmd
        .split_whitespace()
        .next()
        .is_some_and(|w| w.contains('='));
    if compound || assigns {
        cmd.to_owned()
    } else {
        format!("exec {cmd}")
    }
}

impl TargetArgs {
    /// Whether any flag names an implementation (else the built-in reference).
    pub fn names_one(&self) -> bool {
        self.adapter.is_some() || self.adapter_cmd.is_some() || self.adapter_url.is_some()
    }

    /// The implementation the flags name; a usage error (exit 2) for a peer that
    /// is not registered or not set up, or a URL that is not `http://`.
    pub fn target(&self) -> anyhow::Result<Target> {
        if let Some(name) = &self.adapter {
            return Ok(named(name)?.target());
        }
        let words: Vec<String> = match (&self.adapter_cmd, &self.adapter_url) {
            (Some(cmd), _) => vec!["sh".into(), "-c".into(), shell_line(cmd)],
            (None, Some(url)) => {
                return Target::http(url).map_err(|e| anyhow::anyhow!("--adapter-url: {e}"));
            }
            (None, None) => vec!["reference".into()],
        };
        Target::from_words(&words, self.one_shot).map_err(anyhow::Error::msg)
    }

    /// The rig's bounds, with the per-request timeout of `--timeout`.
    pub fn settings(&self) -> Settings {
        Settings::default().with_timeout(Duration::from_secs(self.timeout))
    }

    /// How the report names the implementation: the peer's label, the command,
    /// the URL, or (for the reference) what it calls itself.
    pub fn label(&self, connected: &dyn c169_adapter::Implementation) -> anyhow::Result<String> {
        Ok(
            match (&self.adapter, &self.adapter_cmd, &self.adapter_url) {
                (Some(name), _, _) => named(name)?.label(),
                (None, Some(cmd), _) => cmd.clone(),
                (None, None, Some(url)) => url.clone(),
                (None, None, None) => connected.label(),
            },
        )
    }

    /// A name fit for a folder: the peer's name, else a slug of the command or URL,
    /// else `reference`.
    pub fn folder_name(&self) -> String {
        let raw = match (&self.adapter, &self.adapter_cmd, &self.adapter_url) {
            (Some(name), _, _) => return name.clone(),
            (None, Some(cmd), _) => cmd.as_str(),
            (None, None, Some(url)) => url.trim_start_matches("http://"),
            (None, None, None) => return "reference".into(),
        };
        slug(raw)
    }

    /// The transport, as the report's options record it.
    pub fn transport(&self) -> &'static str {
        if self.adapter.is_some() {
            // A registered peer is an adapter program (adapter.toml's `[run]`).
            return "subprocess";
        }
        match (&self.adapter_cmd, &self.adapter_url, self.one_shot) {
            (Some(_), _, true) => "subprocess-one-shot",
            (Some(_), _, false) => "subprocess",
            (None, Some(_), _) => "http",
            (None, None, _) => "in-process",
        }
    }

    /// The flags that name this implementation again, as a shell would take them
    /// (for the commands a report prints).
    pub fn flags(&self) -> String {
        match (&self.adapter, &self.adapter_cmd, &self.adapter_url) {
            (Some(name), _, _) => format!(" --adapter {name}"),
            (None, Some(cmd), _) => format!(
                " --adapter-cmd {}{}",
                shell_quote(cmd),
                if self.one_shot { " --one-shot" } else { "" }
            ),
            (None, None, Some(url)) => format!(" --adapter-url {}", shell_quote(url)),
            (None, None, None) => String::new(),
        }
    }
}

/// The peer `--adapter` names: `NAME`, or `NAME@VERSION` for one of its older
/// releases (`adapters/NAME/releases/VERSION/`).
fn named(name: &str) -> anyhow::Result<c169_adapter::peers::Peer> {
    match name.split_once('@') {
        Some((name, version)) => crate::history::release(name, version),
        None => peer(name),
    }
}

/// Lower-case letters, digits and single dashes, at most 48 characters.
pub fn slug(raw: &str) -> String {
    let mut out = String::new();
    for c in raw.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
        if out.len() >= 48 {
            break;
        }
    }
    let out = out.trim_end_matches('-').to_owned();
    if out.is_empty() {
        "adapter".into()
    } else {
        out
    }
}

/// `s` as one shell word: bare when it is safe, else in single quotes.
pub fn shell_quote(s: &str) -> String {
    let safe = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || "-_./:=@%+,".contains(c));
    if safe {
        s.to_owned()
    } else {
        format!("'{}'", s.replace('\'', r"'\''"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_and_quotes() {
        assert_eq!(
            slug("python3 adapters/examples/python/c169_adapter.py --verify"),
            "python3-adapters-examples-python-c169-adapter-py"
        );
        assert_eq!(slug("%%"), "adapter");
        assert_eq!(
            shell_quote("http://127.0.0.1:8169"),
            "http://127.0.0.1:8169"
        );
        assert_eq!(shell_quote("node a.js"), "'node a.js'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }

    #[test]
    fn a_single_command_is_execd_and_a_compound_one_runs_as_written() {
        assert_eq!(shell_line("node adapter.js"), "exec node adapter.js");
        assert_eq!(
            shell_line("python3 a.py --verify 'x y'"),
            "exec python3 a.py --verify 'x y'"
        );
        for compound in [
            "cd adapters/cose-js && node adapter.js",
            "node a.js | tee log",
            "export X=1; node a.js",
            "(cd x; node a.js)",
            "node $(pwd)/a.js",
            "NODE_OPTIONS=--max-old-space-size=64 node a.js",
        ] {
            assert_eq!(shell_line(compound), compound);
        }
    }
}
