//! Property tests of RFC 8785 canonical bytes (native only: proptest).
#![cfg(not(target_arch = "wasm32"))]

use assent_core::canonical::{canonicalize_json, to_canonical_bytes};
use proptest::prelude::*;
use serde_json::{Map, Value};

fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i32>().prop_map(|n| Value::from(n as i64)),
        (-1e15f64..1e15)
            .prop_map(|f| serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number)),
        ".{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(".{0,8}", inner, 0..6)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>())),
        ]
    })
}

/// `v` as JSON text with every object's members written in an order drawn
/// from `seed` (serde_json's maps iterate sorted, so the text is built by hand).
fn shuffled_text(v: &Value, seed: &mut u64, out: &mut String) {
    match v {
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                shuffled_text(item, seed, out);
            }
            out.push(']');
        }
        Value::Object(map) => {
            let mut members: Vec<(&String, &Value)> = map.iter().collect();
            // Fisher-Yates with a 64-bit LCG (Knuth's MMIX constants).
            for i in (1..members.len()).rev() {
                *seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                members.swap(i, (*seed >> 33) as usize % (i + 1));
            }
            out.push('{');
            for (i, (key, value)) in members.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(&serde_json::to_string(key).unwrap());
                out.push(':');
                shuffled_text(value, seed, out);
            }
            out.push('}');
        }
        leaf => out.push_str(&serde_json::to_string(leaf).unwrap()),
    }
}

proptest! {
    /// The order members are written in does not matter: the same value with
    /// its objects' members in random orders has one canonical form.
    #[test]
    fn independent_of_member_order(v in json_value(), a in any::<u64>(), b in any::<u64>()) {
        let (mut first, mut second) = (String::new(), String::new());
        shuffled_text(&v, &mut a.clone(), &mut first);
        shuffled_text(&v, &mut b.clone(), &mut second);
        let canonical = to_canonical_bytes(&v).unwrap();
        prop_assert_eq!(canonicalize_json(first.as_bytes()).unwrap(), canonical.clone());
        prop_assert_eq!(canonicalize_json(second.as_bytes()).unwrap(), canonical);
    }


    /// Canonicalizing canonical bytes changes nothing.
    #[test]
    fn idempotent(v in json_value()) {
        let once = to_canonical_bytes(&v).unwrap();
        let twice = canonicalize_json(&once).unwrap();
        prop_assert_eq!(once, twice);
    }

    /// Canonical bytes parse back to the same value.
    #[test]
    fn round_trips(v in json_value()) {
        let bytes = to_canonical_bytes(&v).unwrap();
        let back: Value = serde_json::from_slice(&bytes).unwrap();
        prop_assert_eq!(to_canonical_bytes(&back).unwrap(), bytes);
    }

    /// Whitespace of the input does not matter (member order: above).
    #[test]
    fn independent_of_formatting(v in json_value()) {
        let pretty = serde_json::to_vec_pretty(&v).unwrap();
        let compact = serde_json::to_vec(&v).unwrap();
        prop_assert_eq!(canonicalize_json(&pretty).unwrap(), canonicalize_json(&compact).unwrap());
    }

    /// No insignificant whitespace outside strings.
    #[test]
    fn no_whitespace_between_tokens(v in json_value()) {
        let bytes = to_canonical_bytes(&v).unwrap();
        let mut in_string = false;
        let mut escaped = false;
        for &b in &bytes {
            if in_string {
                if escaped { escaped = false } else if b == b'\\' { escaped = true } else if b == b'"' { in_string = false }
            } else if b == b'"' {
                in_string = true;
            } else {
                prop_assert!(!b" \n\r\t".contains(&b));
            }
        }
    }
}
