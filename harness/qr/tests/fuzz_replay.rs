//! The committed seeds of the `scan` fuzz target (`fuzz/corpus/scan/`), and any
//! regression under `fuzz/regressions/scan/`, replayed on stable Rust.

#![allow(clippy::unwrap_used)]

use std::path::Path;

#[test]
fn scan_seeds_replay() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz");
    let mut replayed = 0;
    for dir in ["corpus/scan", "regressions/scan"] {
        let Ok(entries) = std::fs::read_dir(fuzz.join(dir)) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path
                .file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with('.'))
            {
                continue;
            }
            c169_qr::fuzzing::scan_bytes(&std::fs::read(&path).unwrap());
            replayed += 1;
        }
    }
    assert!(replayed >= 3, "{replayed} seeds under fuzz/corpus/scan");
}
