//! A mistake in a generator source is a parse error that names the file, the
//! line of the family and what was expected: a tamper is one edit, spelt with
//! one of its keys, at one of the pipeline's points.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)] // a test: a failure stops it

use c169_corpus::catalogue::Catalogue;
use c169_corpus::generate::generate;
use std::path::{Path, PathBuf};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A copy of `vectors/src` in which `base45.yaml`'s `from` is replaced by `to`;
/// returns the vectors root and the line of the family holding it.
fn sources_with(name: &str, from: &str, to: &str) -> (PathBuf, usize) {
    let root = std::env::temp_dir().join(format!("c169-generate-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    std::fs::create_dir_all(root.join("src")).unwrap();
    for e in std::fs::read_dir(repo().join("vectors/src")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), root.join("src").join(e.file_name())).unwrap();
    }
    let path = root.join("src/base45.yaml");
    let text = std::fs::read_to_string(&path).unwrap();
    let at = text
        .find(from)
        .expect("the source holds the text to replace");
    let line_of_edit = text[..at].lines().count();
    let family = text
        .lines()
        .take(line_of_edit)
        .enumerate()
        .filter(|(_, l)| l.trim_start().starts_with("- id:"))
        .map(|(i, _)| i + 1)
        .last()
        .unwrap();
    std::fs::write(&path, text.replacen(from, to, 1)).unwrap();
    (root, family)
}

fn error_of(root: &Path) -> String {
    let catalogue = Catalogue::load(&repo().join("features/requirements.yaml")).unwrap();
    let e = generate(root, &catalogue).expect_err("the source is wrong");
    let _ = std::fs::remove_dir_all(root);
    e.to_string()
}

const EDIT: &str = "{at: text, lowercase: true}";

#[test]
fn a_misspelt_edit_names_the_file_line_and_the_keys_expected() {
    let (root, line) = sources_with("misspelt", EDIT, "{at: text, lowercse: true}");
    let e = error_of(&root);
    assert!(e.contains(&format!("base45.yaml:{line} (family ")), "{e}");
    assert!(e.contains("unknown field `lowercse`"), "{e}");
    assert!(
        e.contains("`lowercase`") && e.contains("`overwrite_text`"),
        "{e}"
    );
}

#[test]
fn two_edits_in_one_tamper_are_refused() {
    let (root, line) = sources_with("two", EDIT, "{at: text, lowercase: true, skip: 1}");
    let e = error_of(&root);
    assert!(e.contains(&format!("base45.yaml:{line} ")), "{e}");
    assert!(
        e.contains("exactly one edit; this one has lowercase and skip"),
        "{e}"
    );
}

#[test]
fn a_tamper_without_an_edit_or_at_an_unknown_point_is_refused() {
    let (root, _) = sources_with("none", EDIT, "{at: text}");
    let e = error_of(&root);
    assert!(e.contains("exactly one edit (append, prepend"), "{e}");
    let (root, _) = sources_with("point", EDIT, "{at: txt, lowercase: true}");
    let e = error_of(&root);
    assert!(
        e.contains("unknown variant `txt`") && e.contains("`signed_payload`"),
        "{e}"
    );
    let (root, _) = sources_with("false", EDIT, "{at: text, lowercase: false}");
    let e = error_of(&root);
    assert!(e.contains("write `lowercase: true`"), "{e}");
}
