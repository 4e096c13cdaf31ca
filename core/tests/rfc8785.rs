//! RFC 8785 known answers: the RFC's own sample and number table
//! (`vectors/rfc8785/rfc8785.json`) and cyberphone's reference test set
//! (`vectors/rfc8785/cyberphone/`). Native and Chromium.

use assent_core::canonical::{canonicalize_json, to_canonical_bytes};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const RFC: &str = include_str!("vectors/rfc8785/rfc8785.json");

#[test]
fn the_rfc_sample_canonicalizes_to_its_bytes() {
    let rfc: Value = serde_json::from_str(RFC).unwrap();
    let input = rfc["sample"]["input"].as_str().unwrap();
    let output = rfc["sample"]["output"].as_str().unwrap();
    assert_eq!(
        String::from_utf8(canonicalize_json(input.as_bytes()).unwrap()).unwrap(),
        output
    );
}

#[test]
fn every_number_of_appendix_b_serializes_as_the_rfc_says() {
    let rfc: Value = serde_json::from_str(RFC).unwrap();
    let numbers = rfc["numbers"].as_array().unwrap();
    assert_eq!(numbers.len(), 26);
    for n in numbers {
        let bits = u64::from_str_radix(n["ieee754"].as_str().unwrap(), 16).unwrap();
        let x = f64::from_bits(bits);
        match n["text"].as_str() {
            Some(text) => {
                let value = Value::Number(serde_json::Number::from_f64(x).unwrap());
                let bytes = to_canonical_bytes(&value).unwrap();
                assert_eq!(String::from_utf8(bytes).unwrap(), text, "{bits:016x}");
            }
            // NaN and Infinity have no JSON form: they never reach the canonicalizer.
            None => assert!(serde_json::Number::from_f64(x).is_none(), "{bits:016x}"),
        }
    }
}

macro_rules! cyberphone {
    ($($name:ident),*) => {
        #[test]
        fn cyberphone_test_data_canonicalizes_to_its_expected_bytes() {
            $(
                let input = include_bytes!(concat!("vectors/rfc8785/cyberphone/input/", stringify!($name), ".json"));
                let output = include_bytes!(concat!("vectors/rfc8785/cyberphone/output/", stringify!($name), ".json"));
                assert_eq!(
                    String::from_utf8(canonicalize_json(input).unwrap()).unwrap(),
                    String::from_utf8(output.to_vec()).unwrap(),
                    stringify!($name)
                );
            )*
        }
    };
}

cyberphone!(arrays, french, structures, unicode, values, weird);
