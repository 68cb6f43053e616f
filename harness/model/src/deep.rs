//! Reading JSON that may be deeply nested (canonical JSON of CBOR nested up to
//! the codec's 512 levels) without serde_json's 128-level limit and without
//! risking the stack: the nesting is measured first and bounded, and the parse
//! runs on a stack that grows on the heap.

use serde::de::DeserializeOwned;

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

/// Why deep JSON could not be read.
#[derive(Debug, thiserror::Error)]
pub enum DeepError {
    #[error("the JSON nests {0} levels deep, more than the {MAX_JSON_DEPTH} read")]
    TooDeep(usize),
    #[error("{0}")]
    Json(#[from] serde_json::Error),
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
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::Value as Json;

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
}
