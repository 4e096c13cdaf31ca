//! RFC 8785 (JSON Canonicalization Scheme) canonical bytes.
//!
//! Everything Assent hashes or signs is hashed over these bytes: object keys
//! sorted by UTF-16 code units, no insignificant whitespace, numbers in their
//! ECMAScript shortest form, strings with the minimal escapes. Two parties that
//! agree on a JSON value therefore agree on its hash, whatever their JSON
//! library printed. The work is done by the `serde_jcs` crate; this module pins
//! the entry points and the error mapping.
//!
//! ```
//! let bytes = assent_core::canonical::canonicalize_json(br#"{ "b": 1, "a": [true, "x"] }"#).unwrap();
//! assert_eq!(bytes, br#"{"a":[true,"x"],"b":1}"#);
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use serde::Serialize;
use sha2::{Digest, Sha256};

/// Why a value has no canonical form.
#[derive(Debug, thiserror::Error)]
#[error("cannot canonicalize: {0}")]
pub struct CanonicalError(String);

/// The RFC 8785 bytes of a serializable value.
///
/// Fails only for values JSON cannot express canonically (non-finite floats,
/// non-string map keys); the types of this crate never do.
pub fn to_canonical_bytes<T: Serialize + ?Sized>(value: &T) -> Result<Vec<u8>, CanonicalError> {
    serde_jcs::to_vec(value).map_err(|e| CanonicalError(e.to_string()))
}

/// Parses JSON text and returns its RFC 8785 bytes.
pub fn canonicalize_json(json: &[u8]) -> Result<Vec<u8>, CanonicalError> {
    let value: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| CanonicalError(e.to_string()))?;
    to_canonical_bytes(&value)
}

/// SHA-256 of the canonical bytes of `value`, lowercase hex.
pub fn sha256_hex<T: Serialize + ?Sized>(value: &T) -> Result<String, CanonicalError> {
    let bytes = to_canonical_bytes(value)?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Known answers from RFC 8785 section 3.2.2 and appendix B.
    #[test]
    fn rfc8785_examples() {
        let input = br#"{
          "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
          "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
          "literals": [null, true, false]
        }"#;
        let expected = "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"\u{20ac}$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
        assert_eq!(
            String::from_utf8(canonicalize_json(input).unwrap()).unwrap(),
            expected
        );
    }

    /// RFC 8785 section 3.2.3: keys sort by UTF-16 code units, not by code points.
    #[test]
    fn rfc8785_key_order() {
        let input = "{\"\u{20ac}\":\"Euro Sign\",\"\\r\":\"Carriage Return\",\"\u{fb33}\":\"Hebrew Letter Dalet With Dagesh\",\"1\":\"One\",\"\u{1f600}\":\"Emoji: Grinning Face\",\"\u{80}\":\"Control\",\"\u{f6}\":\"Latin Small Letter O With Diaeresis\"}";
        let out = String::from_utf8(canonicalize_json(input.as_bytes()).unwrap()).unwrap();
        let keys: Vec<&str> = [
            "\\r",
            "1",
            "\u{80}",
            "\u{f6}",
            "\u{20ac}",
            "\u{1f600}",
            "\u{fb33}",
        ]
        .to_vec();
        let mut last = 0;
        for k in keys {
            let at = out.find(&format!("\"{k}\":")).unwrap();
            assert!(at >= last, "{k} out of order in {out}");
            last = at;
        }
    }
}
