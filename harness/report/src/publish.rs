//! The report set of a run as one unit on disk.
//!
//! The files of one run are written into a staging folder beside the report
//! folder, synced, and swapped in with one rename (on Linux an exchange of the two
//! folders, `renameat2(RENAME_EXCHANGE)`). A reader, or a process killed at any
//! instant, sees either the old set or the complete new one, never a mix. Files
//! in the folder that are not report files (an expectations file kept there) are
//! carried over by hard link; report files of formats this run did not write are
//! not, so that no file of an older run stays beside the new ones.
//!
//! A staging folder left by a killed process (its process gone) is removed by the
//! next write or check; [`check`] finds a folder that cannot be written before a
//! run starts.

use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// Why a report set could not be written. Nothing of the old set is lost.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PublishError {
    /// The file system root: no parent folder to stage a set beside.
    #[error("{path}: a report folder needs a parent folder to stage the set in; the file system root is none")]
    NoParent { path: PathBuf },
    #[error("{path}: is not a folder")]
    NotAFolder { path: PathBuf },
    /// A folder in the report folder: the whole folder is swapped, so it would go.
    #[error("{path}: holds a folder ({name}): a report folder holds a report set and loose files only, since the whole folder is swapped for the new set; choose an empty folder or one c169 wrote")]
    HoldsAFolder { path: PathBuf, name: String },
    /// The parent folder takes no staging folder (read-only, full …).
    #[error("{path}: cannot take the staging folder of the report set; the set is staged beside the report folder and swapped in whole")]
    NoStaging {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A loose file of the folder that is neither a file nor a link (a socket, a FIFO).
    #[error("{path}: is neither a file nor a link: it cannot be carried into the new report set")]
    CannotCarry { path: PathBuf },
    #[error("{path}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> PublishError + '_ {
    move |source| PublishError::Io {
        path: path.to_owned(),
        source,
    }
}

/// Where a report set goes: the folder, its parent, and the names of the staging
/// folders beside it.
#[derive(Debug)]
struct Place {
    dir: PathBuf,
    parent: PathBuf,
    name: String,
}

impl Place {
    fn of(dir: &Path) -> Result<Place, PublishError> {
        let dir = std::path::absolute(dir).map_err(io(dir))?;
        // `a/b/..` and `a/.` name a folder whose last part is no name of its own.
        let dir = normalise(&dir);
        let (Some(parent), Some(name)) = (dir.parent(), dir.file_name()) else {
            return Err(PublishError::NoParent { path: dir.clone() });
        };
        if dir.exists() && !dir.is_dir() {
            return Err(PublishError::NotAFolder { path: dir });
        }
        Ok(Place {
            parent: parent.to_owned(),
            name: name.to_string_lossy().into_owned(),
            dir,
        })
    }

    fn prefix(&self) -> String {
        format!(".{}.c169-staging-", self.name)
    }

    fn staging(&self) -> PathBuf {
        self.parent
            .join(format!("{}{}", self.prefix(), std::process::id()))
    }

    /// Removes staging folders of this report folder whose process is gone.
    fn sweep(&self) {
        sweep_left(&self.parent, &self.prefix(), &["", ".old"]);
    }

    /// The entries of the current folder to carry over, or why the folder cannot
    /// be a report folder.
    fn foreign(&self, report_files: &[&str]) -> Result<Vec<fs::DirEntry>, PublishError> {
        let entries = match fs::read_dir(&self.dir) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(io(&self.dir)(e)),
        };
        let mut out = Vec::new();
        for e in entries {
            let e = e.map_err(io(&self.dir))?;
            let name = e.file_name().to_string_lossy().into_owned();
            if report_files.contains(&name.as_str()) {
                continue;
            }
            let kind = e.file_type().map_err(io(&e.path()))?;
            if kind.is_dir() {
                return Err(PublishError::HoldsAFolder {
                    path: self.dir.clone(),
                    name,
                });
            }
            out.push(e);
        }
        Ok(out)
    }
}

/// `a/./b/../c` as `a/c`, without touching the file system.
fn normalise(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for part in p.components() {
        match part {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// Removes what killed writers left in `dir`: the files and folders named
/// `{prefix}{pid}{suffix}` (one of `suffixes`) whose process is gone.
pub(crate) fn sweep_left(dir: &Path, prefix: &str, suffixes: &[&str]) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let pid = name.strip_prefix(prefix).and_then(|rest| {
            suffixes
                .iter()
                .find_map(|s| rest.strip_suffix(s)?.parse::<u32>().ok())
        });
        if pid.is_some_and(|pid| pid != std::process::id() && !alive(pid)) {
            let path = e.path();
            let _ = if path.is_dir() {
                fs::remove_dir_all(path)
            } else {
                fs::remove_file(path)
            };
        }
    }
}

#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Ok(pid) = i32::try_from(pid) else {
        return false;
    };
    !matches!(
        nix::sys::signal::kill(nix::unistd::Pid::from_raw(pid), None),
        Err(nix::errno::Errno::ESRCH)
    )
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    true
}

/// Finds, before a run, whether a report set can be written to `dir`: the folder
/// is a folder (or can be made), holds no sub-folder, and its parent takes a
/// staging folder. Creates `dir` when missing.
pub fn check(dir: &Path, report_files: &[&str]) -> Result<(), PublishError> {
    let place = Place::of(dir)?;
    fs::create_dir_all(&place.dir).map_err(io(&place.dir))?;
    place.foreign(report_files)?;
    place.sweep();
    let probe = place.staging();
    fs::create_dir(&probe).map_err(|source| PublishError::NoStaging {
        path: place.parent.clone(),
        source,
    })?;
    let file = probe.join("probe");
    let written = fs::write(&file, b"c169").map_err(io(&file));
    let _ = fs::remove_dir_all(&probe);
    written
}

/// Writes `files` (name, bytes) as the report set in `dir`, in one swap.
/// `report_files` names every file a report set can hold: those of the folder
/// not in `files` are dropped, any other file is kept.
pub fn write_set(
    dir: &Path,
    files: &[(&str, Vec<u8>)],
    report_files: &[&str],
) -> Result<(), PublishError> {
    let place = Place::of(dir)?;
    fs::create_dir_all(&place.parent).map_err(io(&place.parent))?;
    place.sweep();
    let staging = place.staging();
    let result = stage(&place, &staging, files, report_files).and_then(|()| swap(&place, &staging));
    // After a swap the staging name holds the old set; after a failure, the part
    // staged. Either goes.
    let _ = fs::remove_dir_all(&staging);
    result
}

fn stage(
    place: &Place,
    staging: &Path,
    files: &[(&str, Vec<u8>)],
    report_files: &[&str],
) -> Result<(), PublishError> {
    let _ = fs::remove_dir_all(staging);
    fs::create_dir(staging).map_err(io(staging))?;
    if let Ok(meta) = fs::metadata(&place.dir) {
        let _ = fs::set_permissions(staging, meta.permissions());
    }
    for (name, bytes) in files {
        let path = staging.join(name);
        let mut f = fs::File::create(&path).map_err(io(&path))?;
        f.write_all(bytes).map_err(io(&path))?;
        f.sync_all().map_err(io(&path))?;
    }
    for e in place.foreign(report_files)? {
        carry(&e.path(), &staging.join(e.file_name()))?;
    }
    sync_dir(staging)
}

/// Carries a loose file of the old folder into the new one: a hard link (a
/// symbolic link as itself), else a copy.
fn carry(from: &Path, to: &Path) -> Result<(), PublishError> {
    let meta = fs::symlink_metadata(from).map_err(io(from))?;
    #[cfg(unix)]
    if meta.file_type().is_symlink() {
        let target = fs::read_link(from).map_err(io(from))?;
        return std::os::unix::fs::symlink(target, to).map_err(io(to));
    }
    if !meta.is_file() {
        return Err(PublishError::CannotCarry {
            path: from.to_owned(),
        });
    }
    if fs::hard_link(from, to).is_ok() {
        return Ok(());
    }
    fs::copy(from, to).map(drop).map_err(io(to))
}

/// Puts the staged set in place of the folder in one rename.
fn swap(place: &Place, staging: &Path) -> Result<(), PublishError> {
    if !place.dir.exists() {
        match fs::rename(staging, &place.dir) {
            Ok(()) => return sync_dir(&place.parent),
            // Made meanwhile: exchange below.
            Err(_) if place.dir.is_dir() => {}
            Err(e) => return Err(io(&place.dir)(e)),
        }
    }
    exchange(staging, &place.dir)?;
    sync_dir(&place.parent)
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<(), PublishError> {
    use nix::fcntl::{renameat2, RenameFlags, AT_FDCWD};
    match renameat2(AT_FDCWD, a, AT_FDCWD, b, RenameFlags::RENAME_EXCHANGE) {
        Ok(()) => Ok(()),
        // A file system without the exchange: the two-step swap.
        Err(nix::errno::Errno::EINVAL | nix::errno::Errno::ENOSYS) => two_step(a, b),
        Err(e) => Err(io(b)(std::io::Error::from(e))),
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<(), PublishError> {
    two_step(a, b)
}

/// The old folder moved aside, the new one moved in, the old one moved to the
/// staging name (to be removed): two renames, with the old set kept aside until
/// the new one is in place.
fn two_step(staging: &Path, dir: &Path) -> Result<(), PublishError> {
    let mut aside = staging.as_os_str().to_owned();
    aside.push(".old");
    let aside = PathBuf::from(aside);
    fs::rename(dir, &aside).map_err(io(dir))?;
    if let Err(e) = fs::rename(staging, dir) {
        let _ = fs::rename(&aside, dir);
        return Err(io(dir)(e));
    }
    fs::rename(&aside, staging).map_err(io(staging))
}

fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    #[cfg(unix)]
    {
        fs::File::open(dir)
            .and_then(|d| d.sync_all())
            .map_err(io(dir))
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        Ok(())
    }
}

/// Writes `bytes` to `path` atomically: a temporary file beside it, then a rename,
/// so a reader never sees half a report. A temporary file of the same name whose
/// process is gone (killed mid-write) is removed.
pub fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    // What a killed writer of the same file left goes first.
    sweep_left(dir, &format!(".{name}."), &[".tmp"]);
    let tmp = dir.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::write(&tmp, bytes)?;
    std::fs::rename(&tmp, path).inspect_err(|_| {
        let _ = std::fs::remove_file(&tmp);
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::indexing_slicing)]
    use super::*;

    const SET: [&str; 3] = ["a.json", "b.xml", "c.md"];

    fn scratch(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("c169-publish-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&d);
        fs::create_dir_all(&d).unwrap();
        d
    }

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_new_set_replaces_the_old_whole_and_keeps_loose_files() {
        let root = scratch("swap");
        let dir = root.join("out");
        write_set(
            &dir,
            &[("a.json", b"1".to_vec()), ("b.xml", b"1".to_vec())],
            &SET,
        )
        .unwrap();
        fs::write(dir.join("expectations.yaml"), "kept").unwrap();
        // The second run writes two formats: the older b.xml does not stay beside them.
        write_set(
            &dir,
            &[("a.json", b"2".to_vec()), ("c.md", b"2".to_vec())],
            &SET,
        )
        .unwrap();
        assert_eq!(names(&dir), ["a.json", "c.md", "expectations.yaml"]);
        assert_eq!(fs::read(dir.join("a.json")).unwrap(), b"2");
        assert_eq!(
            fs::read_to_string(dir.join("expectations.yaml")).unwrap(),
            "kept"
        );
        // No staging folder is left beside it.
        assert_eq!(names(&root), ["out"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_folder_that_cannot_take_the_set_is_found_before_anything_is_written() {
        let root = scratch("check");
        let file = root.join("a-file");
        fs::write(&file, "x").unwrap();
        let e = check(&file, &SET).unwrap_err().to_string();
        assert!(e.contains("is not a folder"), "{e}");
        let e = check(&file.join("under"), &SET).unwrap_err().to_string();
        assert!(e.contains("a-file"), "{e}");
        let nested = root.join("nested");
        fs::create_dir_all(nested.join("sub")).unwrap();
        let e = check(&nested, &SET).unwrap_err().to_string();
        assert!(e.contains("holds a folder (sub)"), "{e}");
        assert!(write_set(&nested, &[("a.json", vec![])], &SET).is_err());
        assert_eq!(names(&nested), ["sub"]);
        check(&root.join("fresh"), &SET).unwrap();
        assert!(root.join("fresh").is_dir());
        assert_eq!(names(&root), ["a-file", "fresh", "nested"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_staging_folder_of_a_process_gone_is_swept() {
        let root = scratch("sweep");
        // No process has the largest pid.
        let stale = root.join(format!(".out.c169-staging-{}", i32::MAX));
        fs::create_dir_all(&stale).unwrap();
        fs::write(stale.join("a.json"), "half").unwrap();
        write_set(&root.join("out"), &[("a.json", b"1".to_vec())], &SET).unwrap();
        assert_eq!(names(&root), ["out"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn a_temporary_file_of_a_killed_writer_is_swept() {
        let root = scratch("tmpfile");
        let stale = root.join(format!(".matrix.json.{}.tmp", i32::MAX));
        fs::write(&stale, "half").unwrap();
        crate::write_atomically(&root.join("matrix.json"), b"{}").unwrap();
        assert_eq!(names(&root), ["matrix.json"]);
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn the_two_step_swap_ends_with_the_new_set_in_place() {
        let root = scratch("twostep");
        let (a, b) = (root.join("staging"), root.join("dir"));
        fs::create_dir_all(&a).unwrap();
        fs::create_dir_all(&b).unwrap();
        fs::write(a.join("new"), "").unwrap();
        fs::write(b.join("old"), "").unwrap();
        two_step(&a, &b).unwrap();
        assert_eq!(names(&b), ["new"]);
        assert_eq!(names(&a), ["old"]);
        let _ = fs::remove_dir_all(&root);
    }
}
