//! Reading JSON that may be deeply nested (canonical JSON of CBOR nested up to
//! the codec's 512 levels) without serde_json's 128-level limit and without
//! risking the stack: the nesting is measured first and bounded, and the parse
//! runs on a stack that grows on the heap.
//!
//! YAML the other way round: its parser is slow on deep nesting long before its
//! own recursion limit answers, and aliases can make a small file expand to a
//! large document. [`check_yaml`] measures both before the parse proper.

use serde::de::{DeserializeOwned, DeserializeSeed, Deserializer, Visitor};
use std::cell::Cell;

mod yaml;

/// The deepest JSON nesting read: canonical JSON of the deepest CBOR the codec
/// reads (512 levels, each at most two JSON levels) fits, with room to spare.
pub const MAX_JSON_DEPTH: usize = 2048;

/// How deep arrays and objects nest in `bytes`, read as JSON text (strings skipped).
#[must_use]
pub fn json_depth(bytes: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in bytes {
        if in_string {
            match (escaped, b) {
                (true, _) => escaped = false,
                (false, b'\\') => escaped = true,
                (false, b'"') => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'[' | b'{' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Why deep JSON or YAML could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DeepError {
    #[error("the JSON nests {0} levels deep, more than the {MAX_JSON_DEPTH} read")]
    TooDeep(usize),
    /// Not JSON: serde_json's message, which names the line and column. Shown as
    /// that message alone, so that a chain of causes does not say it twice.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
    /// YAML nested past [`MAX_YAML_DEPTH`]: where it went past.
    #[error(
        "the YAML nests more than {MAX_YAML_DEPTH} levels deep (at line {line}, column {column}); \
         at most {MAX_YAML_DEPTH} levels of mappings and sequences are read"
    )]
    YamlTooDeep { line: usize, column: usize },
    /// YAML whose aliases repeat more than the budget of [`yaml_budget`].
    #[error(
        "the YAML expands, its aliases repeated, to more than {limit} {what}; \
         at most twice what its text holds (and a margin) is read"
    )]
    YamlExpands { what: &'static str, limit: u64 },
}

/// The deepest YAML nesting read (block and flow mappings and sequences together):
/// the suite's own YAML nests under a dozen levels; serde_yaml_ng refuses past 128,
/// but only after its parser has read the whole text, in time that grows with the
/// depth at each token (a 4 MiB document of short items 64 deep takes it less than
/// twice as long as a flat one; 100 000 deep in 200 KB, about a minute).
pub const MAX_YAML_DEPTH: usize = 64;

/// How deep `text` nests as YAML (block and flow collections), measured the way
/// libyaml's scanner opens them. The scan stops once past [`MAX_YAML_DEPTH`], so a
/// result of `MAX_YAML_DEPTH + 1` means "deeper than that".
#[must_use]
pub fn yaml_depth(text: &str) -> usize {
    yaml::depth(text, MAX_YAML_DEPTH).deepest
}

/// The most a YAML document of `len` bytes may expand to, aliases replayed:
/// (nodes, bytes of scalars). Without aliases a document has fewer nodes than
/// bytes and no more scalar bytes than text, so twice each, and a margin, leaves
/// room for the few aliases the suite's own files use.
#[must_use]
pub fn yaml_budget(len: usize) -> (u64, u64) {
    let len = len as u64;
    (
        len.saturating_mul(2).saturating_add(1 << 16),
        len.saturating_mul(2).saturating_add(1 << 20),
    )
}

/// Checks YAML `text` before it is parsed: its nesting (refused past
/// [`MAX_YAML_DEPTH`], by a scan of the bytes, before the parser runs) and what
/// its aliases expand to (refused past [`yaml_budget`], by walking the document
/// through `deserializer`, e.g. `serde_yaml_ng::Deserializer::from_str`, without
/// building it). Other errors are left to the parse proper, which reports them
/// with their place.
pub fn check_yaml<'de, D: Deserializer<'de>>(
    text: &'de str,
    deserializer: impl FnOnce(&'de str) -> D,
) -> Result<(), DeepError> {
    let depth = yaml::depth(text, MAX_YAML_DEPTH);
    if depth.deepest > MAX_YAML_DEPTH {
        return Err(DeepError::YamlTooDeep {
            line: depth.line,
            column: depth.column,
        });
    }
    let (nodes, bytes) = yaml_budget(text.len());
    let tally = Tally {
        nodes: Cell::new(nodes),
        bytes: Cell::new(bytes),
        over: Cell::new(None),
    };
    // Any error but the budget's is the parse proper's to report.
    let _ = Walk(&tally).deserialize(deserializer(text));
    match tally.over.get() {
        Some(what) => Err(DeepError::YamlExpands {
            what,
            limit: if what == "nodes" { nodes } else { bytes },
        }),
        None => Ok(()),
    }
}

/// What is left of the budget, and which part ran out.
#[derive(Debug)]
struct Tally {
    nodes: Cell<u64>,
    bytes: Cell<u64>,
    over: Cell<Option<&'static str>>,
}

impl Tally {
    fn take<E: serde::de::Error>(&self, bytes: usize) -> Result<(), E> {
        let spend = |left: &Cell<u64>, n: u64, what: &'static str| {
            let Some(rest) = left.get().checked_sub(n) else {
                self.over.set(Some(what));
                return Err(E::custom(format!(
                    "the document expands to more {what} than read"
                )));
            };
            left.set(rest);
            Ok(())
        };
        spend(&self.nodes, 1, "nodes")?;
        spend(&self.bytes, bytes as u64, "bytes of scalars")
    }
}

/// Walks a document node by node, counting against a [`Tally`], building nothing.
#[derive(Debug, Clone, Copy)]
struct Walk<'t>(&'t Tally);

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("any YAML")
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<(), E> {
        self.0.take(0)
    }
    fn visit_i64<E: serde::de::Error>(self, _: i64) -> Result<(), E> {
        self.0.take(0)
    }
    fn visit_u64<E: serde::de::Error>(self, _: u64) -> Result<(), E> {
        self.0.take(0)
    }
    fn visit_i128<E: serde::de::Error>(self, _: i128) -> Result<(), E> {
        self.0.take(0)
    }
    fn visit_u128<E: serde::de::Error>(self, _: u128) -> Result<(), E> {
        self.0.take(0)
    }
    fn visit_f64<E: serde::de::Error>(self, _: f64) -> Result<(), E> {
        self.0.take(0)
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<(), E> {
        self.0.take(v.len())
    }
    fn visit_bytes<E: serde::de::Error>(self, v: &[u8]) -> Result<(), E> {
        self.0.take(v.len())
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.take(0)
    }
    fn visit_none<E: serde::de::Error>(self) -> Result<(), E> {
        self.0.take(0)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_newtype_struct<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        self.0.take(0)?;
        while seq.next_element_seed(self)?.is_some() {}
        Ok(())
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        self.0.take(0)?;
        while map.next_key_seed(self)?.is_some() {
            map.next_value_seed(self)?;
        }
        Ok(())
    }
    fn visit_enum<A: serde::de::EnumAccess<'de>>(self, data: A) -> Result<(), A::Error> {
        use serde::de::VariantAccess as _;
        // A tagged node (`!tag value`): the tag, then the value.
        let ((), variant) = data.variant_seed(self)?;
        variant.newtype_variant_seed(self)
    }
}

/// Parses `bytes` as JSON into `T`, however deep up to [`MAX_JSON_DEPTH`].
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, DeepError> {
    let depth = json_depth(bytes);
    if depth > MAX_JSON_DEPTH {
        return Err(DeepError::TooDeep(depth));
    }
    let mut de = serde_json::Deserializer::from_slice(bytes);
    de.disable_recursion_limit();
    let value = T::deserialize(serde_stacker::Deserializer::new(&mut de))?;
    de.end()?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::panic, clippy::indexing_slicing)]
    use super::*;
    use serde_json::Value as Json;
    use std::fmt::Write as _;

    #[test]
    fn deep_json_is_read_and_too_deep_json_refused() {
        let nest = |n: usize| format!("{}1{}", "[".repeat(n), "]".repeat(n));
        assert!(
            serde_json::from_str::<Json>(&nest(200)).is_err(),
            "serde_json's own limit"
        );
        let v: Json = from_slice(nest(1000).as_bytes()).unwrap();
        assert!(v.is_array());
        assert!(matches!(
            from_slice::<Json>(nest(MAX_JSON_DEPTH + 1).as_bytes()),
            Err(DeepError::TooDeep(_))
        ));
        assert_eq!(json_depth(br#"{"a": "[[[[", "b": [1]}"#), 2);
        assert_eq!(json_depth(br#"["\"[[", {}]"#), 2);
        assert!(from_slice::<Json>(b"[1] x").is_err(), "trailing characters");
    }
    fn check(text: &str) -> Result<(), DeepError> {
        check_yaml(text, serde_yaml_ng::Deserializer::from_str)
    }

    fn timed<T>(f: impl FnOnce() -> T) -> (T, std::time::Duration) {
        let start = std::time::Instant::now();
        let out = f();
        (out, start.elapsed())
    }

    #[test]
    fn deep_yaml_is_refused_by_a_scan_before_the_parser_runs() {
        // serde_yaml_ng alone spends about a minute on the first of these.
        let n = 100_000;
        let cases = [
            format!("known_failures: {}{}", "[".repeat(n), "]".repeat(n)),
            format!("known_failures: {}", "{a: ".repeat(n)),
            format!("known_failures:\n{}x\n", "- ".repeat(n)),
            (0..2000).fold(String::new(), |mut s, i| {
                let _ = writeln!(s, "{}a{i}:", " ".repeat(i));
                s
            }),
        ];
        // Refused by the depth check (its own error), not by the parser: how
        // fast that is, is the benchmark's business.
        for text in &cases {
            let e = check(text).unwrap_err();
            assert!(matches!(e, DeepError::YamlTooDeep { .. }), "{e}");
        }
        let e = check(&cases[0]).unwrap_err().to_string();
        assert!(
            e.contains("more than 64 levels deep (at line 1, column 80)"),
            "{e}"
        );
        let ok = format!("a: {}1{}", "[".repeat(63), "]".repeat(63));
        assert_eq!(yaml_depth(&ok), 64);
        check(&ok).unwrap();
        assert!(check(&format!("a: {}1{}", "[".repeat(64), "]".repeat(64))).is_err());
    }

    #[test]
    fn a_document_at_the_depth_limit_is_checked_and_parsed_in_bounded_time() {
        // The cost the limit bounds: libyaml's scanner, in time that grows with the
        // flow depth at each token. 1 MiB of short items 63 brackets deep (in a
        // release build, 4 MiB of them take serde_yaml_ng about a second).
        let mut text = format!("a: {}", "[".repeat(63));
        while text.len() < 1 << 20 {
            text.push_str("1,");
        }
        text.push('1');
        text.push_str(&"]".repeat(63));
        let (checked, took) = timed(|| check(&text));
        checked.unwrap();
        let (parsed, parse_took) = timed(|| serde_yaml_ng::from_str::<Json>(&text));
        assert!(parsed.is_ok());
        // A guard against a hang, not a measure of speed (the benchmarks measure).
        let bound = std::time::Duration::from_mins(2);
        assert!(
            took < bound && parse_took < bound,
            "check {took:?}, parse {parse_took:?}"
        );
    }

    #[test]
    fn alias_bombs_are_refused_before_they_are_built() {
        // Billion laughs: serde_yaml_ng's own repetition limit stops this one.
        let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
        for i in 1..9 {
            let refs = vec![format!("*a{}", i - 1); 10].join(", ");
            let _ = writeln!(laughs, "a{i}: &a{i} [{refs}]");
        }
        assert!(check(&laughs).is_err());
        // One long string repeated: within serde_yaml_ng's repetition limit, and a
        // terabyte once built. Refused by its bytes.
        let big = "x".repeat(1 << 20);
        let fan = format!(
            "known_failures: [&e {{case: x, reason: {big}}}, {}]\n",
            vec!["*e"; 1 << 20].join(", ")
        );
        let e = check(&fan).unwrap_err();
        assert!(
            matches!(
                e,
                DeepError::YamlExpands {
                    what: "bytes of scalars",
                    ..
                }
            ),
            "{e}"
        );
        // Many nodes repeated: refused by their number.
        let nodes = format!(
            "a: &a [{}]\nb: [{}]\n",
            vec!["1"; 1000].join(", "),
            vec!["*a"; 1000].join(", ")
        );
        let e = check(&nodes).unwrap_err();
        assert!(
            matches!(e, DeepError::YamlExpands { what: "nodes", .. }),
            "{e}"
        );
        // A few aliases, as the generator's sources use them, are read.
        check("a: &basis {kind: unassigned, note: n}\nb: *basis\nc: *basis\n").unwrap();
    }

    #[test]
    fn the_suites_own_yaml_passes_with_room_to_spare() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        let mut files = vec![
            root.join("features/requirements.yaml"),
            root.join("vectors/policy.yaml"),
        ];
        let src = std::fs::read_dir(root.join("vectors/src")).unwrap();
        files.extend(src.map(|e| e.unwrap().path()));
        let mut deepest = 0;
        for f in files
            .iter()
            .filter(|f| f.extension().is_some_and(|x| x == "yaml"))
        {
            let text = std::fs::read_to_string(f).unwrap();
            check(&text).unwrap();
            deepest = deepest.max(yaml_depth(&text));
        }
        assert!(files.len() > 10);
        assert!((3..=MAX_YAML_DEPTH / 4).contains(&deepest), "{deepest}");
    }

    /// A small deterministic generator (no dependency for it).
    struct Rng(u64);
    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1);
            (self.0 >> 33) as usize % n
        }
        fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
            from[self.below(from.len())]
        }
    }

    /// Scalars whose text looks like structure.
    const SCALARS: [&str; 12] = [
        "a",
        "it's",
        "'['",
        "\"]]\"",
        "'it''s ]'",
        "\"\\\"]\"",
        "!t a",
        "&x b",
        "1",
        "x y",
        "\"multi\n  line [\"",
        "!<t[]> c",
    ];

    fn flow_node(r: &mut Rng, depth: usize) -> String {
        let n = r.below(3) + 1;
        match if depth > 5 { 9 } else { r.below(7) } {
            0 | 1 => {
                let items: Vec<String> = (0..n).map(|_| flow_node(r, depth + 1)).collect();
                format!("[{}]", items.join(r.pick(&[", ", ",\n  ", " # ]\n , "])))
            }
            2 | 3 => {
                let items: Vec<String> = (0..n)
                    .map(|i| format!("k{i}: {}", flow_node(r, depth + 1)))
                    .collect();
                format!("{{{}}}", items.join(", "))
            }
            4 => format!("[p: {}]", flow_node(r, depth + 1)),
            _ => r.pick(&SCALARS).to_owned(),
        }
    }

    fn block_node(r: &mut Rng, depth: usize, indent: usize) -> String {
        let pad = " ".repeat(indent);
        let mut out = String::new();
        let seq = r.below(2) == 0;
        for i in 0..=r.below(3) {
            out.push_str(&pad);
            if seq {
                out.push('-');
            } else {
                let _ = write!(out, "k{i}:");
            }
            let _ = match if depth > 4 { 0 } else { r.below(6) } {
                0 | 1 => writeln!(out, " {}", flow_node(r, depth + 1)),
                2 => write!(out, "\n{}", block_node(r, depth + 1, indent + 2)),
                3 => writeln!(out, " |\n{pad}  text [[ ' {{\n{pad}   more ]"),
                4 if !seq => writeln!(
                    out,
                    " # [ a comment\n{pad}- {}\n{pad}- x",
                    flow_node(r, depth + 1)
                ),
                _ => writeln!(out, " plain [ text\n{pad}  'goes on [["),
            };
        }
        out
    }

    #[test]
    fn the_depth_scan_never_reports_less_than_the_parser_finds() {
        // YAML built at random, block and flow, with scalars, comments and tags
        // whose text looks like structure; and text made at random from pieces of
        // YAML, most of which is not YAML. Wherever serde_yaml_ng reads one, its
        // nesting is at most the scan's (and, built from the grammar, equal).
        let mut r = Rng(0x0c16_9b0d);
        let (mut parsed, mut equal) = (0, 0);
        for round in 0..6000 {
            let text = if round % 2 == 0 {
                block_node(&mut r, 0, 0)
            } else {
                let atoms = [
                    "[",
                    "]",
                    "{",
                    "}",
                    ", ",
                    "a",
                    "it's",
                    "\"]\"",
                    "'['",
                    " # ]\n",
                    "\n",
                    ": ",
                    "!t ",
                    "&x ",
                    "- ",
                    "? ",
                    "\n  ",
                    "|\n  [[\n",
                    "x:\n- ",
                ];
                let mut t = String::from("[");
                for _ in 0..r.below(24) {
                    t.push_str(r.pick(&atoms));
                }
                t
            };
            let Ok(value) = serde_yaml_ng::from_str::<Json>(&text) else {
                continue;
            };
            parsed += 1;
            let (scan, nesting) = (yaml_depth(&text), json_nesting(&value));
            assert!(scan >= nesting, "{text:?}: scan {scan} < parsed {nesting}");
            equal += usize::from(scan == nesting);
        }
        assert!(parsed > 1500, "{parsed}");
        assert!(equal * 10 > parsed * 9, "{equal} of {parsed}");
    }

    fn json_nesting(v: &Json) -> usize {
        match v {
            Json::Array(a) => 1 + a.iter().map(json_nesting).max().unwrap_or(0),
            Json::Object(m) => 1 + m.values().map(json_nesting).max().unwrap_or(0),
            _ => 0,
        }
    }
}
