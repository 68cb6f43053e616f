//! A CBOR data item as it stood on the wire.

/// One CBOR data item.
///
/// Maps are kept as a list of pairs in wire order, so duplicate keys and key
/// order survive decoding: the suite must be able to talk about both.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// Major types 0 and 1: every integer CBOR can carry, from -2^64 to 2^64-1.
    Integer(i128),
    Bytes(Vec<u8>),
    Text(String),
    Array(Vec<Value>),
    Map(Vec<(Value, Value)>),
    Tag(u64, Box<Value>),
    Bool(bool),
    Null,
    Undefined,
    /// A simple value other than false, true, null and undefined.
    Simple(u8),
    Float(f64),
}

impl Value {
    /// The integer, when this is one.
    #[must_use]
    pub fn as_integer(&self) -> Option<i128> {
        match self {
            Value::Integer(i) => Some(*i),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(t) => Some(t),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_bytes(&self) -> Option<&[u8]> {
        match self {
            Value::Bytes(b) => Some(b),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_map(&self) -> Option<&[(Value, Value)]> {
        match self {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    #[must_use]
    pub fn as_array(&self) -> Option<&[Value]> {
        match self {
            Value::Array(a) => Some(a),
            _ => None,
        }
    }

    /// The first value stored under integer key `key` in a map.
    #[must_use]
    pub fn map_get(&self, key: i128) -> Option<&Value> {
        self.as_map()?
            .iter()
            .find(|(k, _)| k.as_integer() == Some(key))
            .map(|(_, v)| v)
    }

    /// A short name of the CBOR type, for messages ("text", "byte string", …).
    #[must_use]
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Integer(_) => "integer",
            Value::Bytes(_) => "byte string",
            Value::Text(_) => "text string",
            Value::Array(_) => "array",
            Value::Map(_) => "map",
            Value::Tag(..) => "tagged item",
            Value::Bool(_) => "boolean",
            Value::Null => "null",
            Value::Undefined => "undefined",
            Value::Simple(_) => "simple value",
            Value::Float(_) => "float",
        }
    }

    /// Builds a map from integer keys, a convenience for tests and encoders.
    #[must_use]
    pub fn int_map<I: IntoIterator<Item = (i128, Value)>>(entries: I) -> Value {
        Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| (Value::Integer(k), v))
                .collect(),
        )
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::Text(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::Text(s)
    }
}

impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Integer(i128::from(i))
    }
}

impl From<Vec<u8>> for Value {
    fn from(b: Vec<u8>) -> Self {
        Value::Bytes(b)
    }
}
