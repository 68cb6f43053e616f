//! The registered peer adapters: `adapters/<name>/adapter.toml` (format in
//! `adapters/README.md`), how to set each up, start it, and check what it claims.

use crate::protocol::Description;
use crate::{Command, Mode, Target};
use serde::Deserialize;
use std::path::{Path, PathBuf};

/// An `adapter.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub name: String,
    pub language: String,
    pub summary: String,
    pub upstream: Upstream,
    pub setup: Setup,
    pub run: Launch,
    pub declares: Declares,
    pub smoke: Smoke,
}

/// The `[smoke]` table: the vectors the peer's own test runs through the command
/// line (`cargo test -p c169 --test peers`), each of which it must pass.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Smoke {
    /// A valid vector it decodes and accepts.
    pub valid: String,
    /// An invalid vector it rejects.
    pub invalid: String,
    /// An encoder vector whose output the reference accepts; for encoders only.
    #[serde(default)]
    pub encodes: Option<String>,
    /// For a configuration registered to reproduce a known failure (a library
    /// beside a release of its dependency it does not work with): the failure, in
    /// words. The smoke test then asserts that the `valid` vector is *not* passed
    /// but ends in an error (the crash the finding is about), so that the finding
    /// stays reproducible and a fix upstream shows up as a changed test.
    #[serde(default)]
    pub reproduces: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Upstream {
    pub registry: Registry,
    pub package: String,
    /// Exact: the published report is for this version.
    pub version: String,
    #[serde(default)]
    pub homepage: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Setup {
    /// Run in order with `sh -c` in the adapter's folder.
    pub commands: Vec<String>,
    /// Programs that must be on PATH first.
    #[serde(default)]
    pub requires: Vec<String>,
    /// A file (relative to the folder) that exists once setup has run.
    pub ready: String,
}

/// The `[run]` table: how the rig starts the adapter.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Launch {
    /// Run with `sh -c "exec <command>"` in the adapter's folder.
    pub command: String,
    /// `persistent` or `one-shot`.
    pub mode: Mode,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Declares {
    pub ops: Vec<String>,
    #[serde(default)]
    pub sign: Vec<String>,
    #[serde(default)]
    pub encrypt: Vec<String>,
    #[serde(default)]
    pub capabilities: Vec<String>,
}

/// A registered peer: its folder and its `adapter.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Peer {
    pub dir: PathBuf,
    pub spec: Spec,
}

/// The package registry a peer's library comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Registry {
    #[serde(rename = "pypi")]
    Pypi,
    #[serde(rename = "crates.io")]
    CratesIo,
    #[serde(rename = "npm")]
    Npm,
    /// A Debian package, installed by apt (CI installs it; `c169 adapters setup`
    /// only checks that it loads).
    #[serde(rename = "debian")]
    Debian,
}

impl std::fmt::Display for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(match self {
            Registry::Pypi => "pypi",
            Registry::CratesIo => "crates.io",
            Registry::Npm => "npm",
            Registry::Debian => "debian",
        })
    }
}

/// Why a peer could not be loaded or set up: each names the file (or the peer)
/// and, where one is to blame, the field of its `adapter.toml`.
#[derive(Debug, thiserror::Error)]
pub enum PeerError {
    #[error("{0}")]
    Read(#[from] c169_model::bounded::ReadError),
    #[error("{}: {source}", .path.display())]
    Folder {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: {source}", .path.display())]
    Toml {
        path: PathBuf,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("{}: field `{field}`: {source}", .path.display())]
    Value {
        path: PathBuf,
        field: String,
        #[source]
        source: Box<toml::de::Error>,
    },
    #[error("{}: field `{field}`: {expected}", .path.display())]
    Field {
        path: PathBuf,
        field: &'static str,
        expected: String,
    },
    #[error("{peer}: cannot set up: {} not on PATH (adapter.toml field `setup.requires`)", .missing.join(", "))]
    Missing { peer: String, missing: Vec<String> },
    #[error("{peer}: `{command}`: {source}")]
    Spawn {
        peer: String,
        command: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{peer}: `{command}` failed ({status})")]
    Failed {
        peer: String,
        command: String,
        status: std::process::ExitStatus,
    },
    #[error("{peer}: setup ran, but {ready} does not exist (adapter.toml field `setup.ready`)")]
    NotReady { peer: String, ready: String },
}

/// Reads `dir/adapter.toml`, naming the file, the field and what was expected.
pub fn load(dir: &Path) -> Result<Peer, PeerError> {
    let folder = dir
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    load_named(dir, &folder, "the folder's name")
}

/// Reads `dir/adapter.toml`, whose `name` must be `name` (`whose` says what that is).
fn load_named(dir: &Path, name: &str, whose: &str) -> Result<Peer, PeerError> {
    let path = dir.join("adapter.toml");
    let text = c169_model::bounded::read_to_string(&path, c169_model::bounded::ADAPTER_TOML)?;
    // Every error names the field it is in (`run.mode`), not only the line.
    let de = toml::Deserializer::parse(&text).map_err(|source| PeerError::Toml {
        path: path.clone(),
        source: Box::new(source),
    })?;
    let spec: Spec = serde_path_to_error::deserialize(de).map_err(
        |e: serde_path_to_error::Error<toml::de::Error>| {
            let field = e.path().to_string();
            let source = Box::new(e.into_inner());
            if field == "." {
                PeerError::Toml {
                    path: path.clone(),
                    source,
                }
            } else {
                PeerError::Value {
                    path: path.clone(),
                    field,
                    source,
                }
            }
        },
    )?;
    let field = |field: &'static str, expected: String| {
        Err(PeerError::Field {
            path: path.clone(),
            field,
            expected,
        })
    };
    if spec.name != name {
        return field(
            "name",
            format!("expected {whose} {name:?}, found {:?}", spec.name),
        );
    }
    let v = &spec.upstream.version;
    if v.is_empty()
        || !v
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-')
    {
        return field(
            "upstream.version",
            format!("expected an exact version like 0.3.0, found {v:?}"),
        );
    }
    if spec.declares.ops.iter().all(|o| o != "describe") {
        return field(
            "declares.ops",
            "expected a list that holds \"describe\"".into(),
        );
    }
    Ok(Peer {
        dir: dir.to_owned(),
        spec,
    })
}

/// Every folder of `adapters_dir` with an `adapter.toml`, by name.
pub fn discover(adapters_dir: &Path) -> Result<Vec<Peer>, PeerError> {
    let entries = std::fs::read_dir(adapters_dir).map_err(|source| PeerError::Folder {
        path: adapters_dir.to_owned(),
        source,
    })?;
    let mut dirs: Vec<PathBuf> = entries
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("adapter.toml").is_file())
        .collect();
    dirs.sort();
    dirs.iter().map(|d| load(d)).collect()
}

/// The folder under a peer's folder that holds its older releases'
/// configurations: `releases/<version>/adapter.toml`, each beside its pin files.
pub const RELEASES: &str = "releases";

/// The releases of `peer` it has a configuration for, oldest first, ending with
/// `peer` itself (its pin is the newest release). Each `releases/<version>/adapter.toml`
/// has the peer's `name` and its folder's name as `upstream.version`, older than
/// the peer's own pin; an error names the file, the field and what was expected.
pub fn releases(peer: &Peer) -> Result<Vec<Peer>, PeerError> {
    let dir = peer.dir.join(RELEASES);
    let mut found = Vec::new();
    if dir.is_dir() {
        let entries = std::fs::read_dir(&dir).map_err(|source| PeerError::Folder {
            path: dir.clone(),
            source,
        })?;
        let mut dirs: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("adapter.toml").is_file())
            .collect();
        dirs.sort();
        for d in dirs {
            let release = load_named(&d, peer.name(), "the peer's name")?;
            let folder = d
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let version = &release.spec.upstream.version;
            let expected = if *version != folder {
                Some(format!(
                    "expected the folder's name {folder:?}, found {version:?}"
                ))
            } else if version_order(version, &peer.spec.upstream.version).is_ge() {
                Some(format!(
                    "expected a release older than the peer's own pin {:?} (in {}), found {version:?}",
                    peer.spec.upstream.version,
                    peer.dir.join("adapter.toml").display()
                ))
            } else {
                None
            };
            if let Some(expected) = expected {
                return Err(PeerError::Field {
                    path: d.join("adapter.toml"),
                    field: "upstream.version",
                    expected,
                });
            }
            found.push(release);
        }
    }
    found.sort_by(|a, b| version_order(&a.spec.upstream.version, &b.spec.upstream.version));
    found.push(peer.clone());
    Ok(found)
}

/// Orders two versions part by part (split at `.` and `-`): numbers as numbers,
/// before words; words alphabetically. `0.10.0` is after `0.9.1`.
#[must_use]
pub fn version_order(a: &str, b: &str) -> std::cmp::Ordering {
    let parts = |v: &str| -> Vec<(u8, u64, String)> {
        v.split(['.', '-'])
            .map(|p| match p.parse::<u64>() {
                Ok(n) => (0, n, String::new()),
                Err(_) => (1, 0, p.to_owned()),
            })
            .collect()
    };
    parts(a).cmp(&parts(b))
}

/// Where a program is on PATH, if it is.
#[must_use]
pub fn on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

impl Peer {
    #[must_use]
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// `claim169-py (PyPI claim169 0.3.0)`.
    #[must_use]
    pub fn label(&self) -> String {
        format!(
            "{} ({} {} {})",
            self.spec.name,
            self.spec.upstream.registry,
            self.spec.upstream.package,
            self.spec.upstream.version
        )
    }

    /// The programs setup needs that are not on PATH.
    #[must_use]
    pub fn missing_runtimes(&self) -> Vec<String> {
        self.spec
            .setup
            .requires
            .iter()
            .filter(|p| on_path(p).is_none())
            .cloned()
            .collect()
    }

    /// Whether setup has run.
    #[must_use]
    pub fn is_ready(&self) -> bool {
        self.dir.join(&self.spec.setup.ready).exists()
    }

    /// Whether this is an older release's configuration (`releases/<version>/`).
    #[must_use]
    pub fn is_release(&self) -> bool {
        self.dir
            .parent()
            .and_then(Path::file_name)
            .is_some_and(|n| n == RELEASES)
    }

    /// What `--adapter` takes to name it: `NAME`, or `NAME@VERSION` for an older
    /// release.
    #[must_use]
    pub fn handle(&self) -> String {
        if self.is_release() {
            format!("{}@{}", self.name(), self.spec.upstream.version)
        } else {
            self.name().to_owned()
        }
    }

    /// The command that sets it up.
    fn setup_command(&self) -> String {
        if self.is_release() {
            format!("c169 adapters setup --history {}", self.name())
        } else {
            format!("c169 adapters setup {}", self.name())
        }
    }

    /// Why the adapter cannot be started now, if it cannot.
    #[must_use]
    pub fn not_ready(&self) -> Option<String> {
        let missing = self.missing_runtimes();
        if !missing.is_empty() {
            return Some(format!(
                "{} needs {} on PATH, which is not there: install it, then run `{}`",
                self.name(),
                missing.join(", "),
                self.setup_command()
            ));
        }
        (!self.is_ready()).then(|| {
            format!(
                "{} is not set up ({} is missing): run `{}`",
                self.handle(),
                self.spec.setup.ready,
                self.setup_command()
            )
        })
    }

    /// How the rig starts it: `sh -c "exec <run.command>"` in its folder.
    #[must_use]
    pub fn target(&self) -> Target {
        let mut command = Command::new("sh")
            .arg("-c")
            .arg(format!("exec {}", self.spec.run.command));
        command.cwd = Some(self.dir.clone());
        Target::Subprocess {
            command,
            mode: self.spec.run.mode,
        }
    }

    /// Runs the setup commands in order, their output going to this process's
    /// stdout and stderr; stops at the first that fails.
    pub fn setup(&self) -> Result<(), PeerError> {
        let peer = self.name().to_owned();
        let missing = self.missing_runtimes();
        if !missing.is_empty() {
            return Err(PeerError::Missing { peer, missing });
        }
        for cmd in &self.spec.setup.commands {
            let status = std::process::Command::new("sh")
                .arg("-c")
                .arg(cmd)
                .current_dir(&self.dir)
                .status()
                .map_err(|source| PeerError::Spawn {
                    peer: peer.clone(),
                    command: cmd.clone(),
                    source,
                })?;
            if !status.success() {
                return Err(PeerError::Failed {
                    peer,
                    command: cmd.clone(),
                    status,
                });
            }
        }
        if !self.is_ready() {
            return Err(PeerError::NotReady {
                peer,
                ready: self.spec.setup.ready.clone(),
            });
        }
        Ok(())
    }

    /// Where the `describe` answer departs from what `adapter.toml` declares.
    #[must_use]
    pub fn check(&self, d: &Description) -> Vec<String> {
        let mut out = Vec::new();
        let mut compare = |what: &str, declared: &[String], said: &[String]| {
            let mut a: Vec<&String> = declared.iter().collect();
            let mut b: Vec<&String> = said.iter().collect();
            a.sort();
            b.sort();
            if a != b {
                out.push(format!(
                    "{what}: adapter.toml declares {a:?}, describe says {b:?}"
                ));
            }
        };
        let ops: Vec<String> = d.ops.clone();
        compare("ops", &self.spec.declares.ops, &ops);
        compare("sign", &self.spec.declares.sign, &d.algorithms.sign);
        compare(
            "encrypt",
            &self.spec.declares.encrypt,
            &d.algorithms.encrypt,
        );
        compare(
            "capabilities",
            &self.spec.declares.capabilities,
            &d.capabilities,
        );
        if d.version != self.spec.upstream.version {
            out.push(format!(
                "version: adapter.toml pins {}, describe says {}",
                self.spec.upstream.version, d.version
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn write(dir: &Path, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join("adapter.toml"), text).unwrap();
    }

    const GOOD: &str = r#"name = "demo"
language = "python"
summary = "a demo"
[upstream]
registry = "pypi"
package = "demo"
version = "1.2.3"
[setup]
commands = ["true"]
ready = "adapter.toml"
[run]
command = "python3 adapter.py"
mode = "persistent"
[declares]
ops = ["describe", "decode"]
[smoke]
valid = "a"
invalid = "b"
"#;

    #[test]
    fn a_bad_adapter_toml_names_the_file_and_the_field() {
        let root = std::env::temp_dir().join(format!("c169-peers-{}", std::process::id()));
        let dir = root.join("demo");
        write(&dir, GOOD);
        let peer = load(&dir).unwrap();
        assert_eq!(peer.label(), "demo (pypi demo 1.2.3)");
        assert!(peer.is_ready());
        for (from, to, field) in [
            (
                "version = \"1.2.3\"",
                "version = \"^1.2\"",
                "upstream.version",
            ),
            ("mode = \"persistent\"", "mode = \"forever\"", "run.mode"),
            ("name = \"demo\"", "name = \"other\"", "name"),
            (
                "registry = \"pypi\"",
                "registry = \"cpan\"",
                "upstream.registry",
            ),
        ] {
            write(&dir, &GOOD.replace(from, to));
            let e = load(&dir).unwrap_err().to_string();
            assert!(e.contains("adapter.toml") && e.contains(field), "{e}");
        }
        write(&dir, &GOOD.replace("summary", "sumary"));
        let e = load(&dir).unwrap_err().to_string();
        assert!(e.contains("adapter.toml") && e.contains("sumary"), "{e}");
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn releases_are_ordered_by_version_and_checked() {
        let root = std::env::temp_dir().join(format!("c169-releases-{}", std::process::id()));
        let dir = root.join("demo");
        write(&dir, GOOD);
        let peer = load(&dir).unwrap();
        assert_eq!(releases(&peer).unwrap(), vec![peer.clone()]);
        for v in ["1.0.10", "1.2.0", "1.2.0-1", "1.0.9"] {
            write(&dir.join(RELEASES).join(v), &GOOD.replace("1.2.3", v));
        }
        let found = releases(&peer).unwrap();
        let versions: Vec<&str> = found
            .iter()
            .map(|p| p.spec.upstream.version.as_str())
            .collect();
        assert_eq!(versions, ["1.0.9", "1.0.10", "1.2.0", "1.2.0-1", "1.2.3"]);
        // 1.10.0 is newer than the pin 1.2.3: an error, as is a version or a name
        // that is not the folder's or the peer's.
        write(
            &dir.join(RELEASES).join("1.10.0"),
            &GOOD.replace("1.2.3", "1.10.0"),
        );
        let e = releases(&peer).unwrap_err().to_string();
        assert!(
            e.contains("1.10.0/adapter.toml: field `upstream.version`")
                && e.contains("older than the peer's own pin"),
            "{e}"
        );
        std::fs::remove_dir_all(dir.join(RELEASES).join("1.10.0")).unwrap();
        assert!(found.iter().take(4).all(Peer::is_release) && !peer.is_release());
        write(
            &dir.join(RELEASES).join("1.0.0"),
            &GOOD.replace("1.2.3", "1.0.1"),
        );
        let e = releases(&peer).unwrap_err().to_string();
        assert!(
            e.contains("1.0.0/adapter.toml: field `upstream.version`: expected the folder's name \"1.0.0\", found \"1.0.1\""),
            "{e}"
        );
        let other = GOOD
            .replace("1.2.3", "1.0.0")
            .replace("name = \"demo\"", "name = \"else\"");
        write(&dir.join(RELEASES).join("1.0.0"), &other);
        let e = releases(&peer).unwrap_err().to_string();
        assert!(
            e.contains("1.0.0/adapter.toml: field `name`: expected the peer's name \"demo\""),
            "{e}"
        );
        // Not a peer of its own: discover sees the peer's folder only.
        assert_eq!(discover(&root).unwrap().len(), 1);
        let _ = std::fs::remove_dir_all(&root);
    }

    #[test]
    fn an_adapter_toml_that_is_not_a_small_regular_file_is_refused_at_once() {
        let root = std::env::temp_dir().join(format!("c169-peers-odd-{}", std::process::id()));
        let dir = root.join("demo");
        std::fs::create_dir_all(&dir).unwrap();
        std::os::unix::fs::symlink("/dev/zero", dir.join("adapter.toml")).unwrap();
        let e = load(&dir).unwrap_err().to_string();
        assert!(
            e.contains("adapter.toml: not a regular file (a character device)"),
            "{e}"
        );
        std::fs::remove_file(dir.join("adapter.toml")).unwrap();
        write(&dir, &format!("{GOOD}#{}", " ".repeat(64 << 10)));
        let e = load(&dir).unwrap_err().to_string();
        assert!(
            e.contains("larger than 64 KiB, the limit for an adapter.toml"),
            "{e}"
        );
        // Deep nesting within the limit: the toml crate refuses it itself, at once.
        let n = 30_000;
        write(
            &dir,
            &format!("{GOOD}x = {}{}\n", "[".repeat(n), "]".repeat(n)),
        );
        assert!(load(&dir).is_err());
        let _ = std::fs::remove_dir_all(&root);
    }
}
