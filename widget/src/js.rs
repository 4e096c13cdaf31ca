//! Small, allocation-light access to plain JS objects.
//!
//! The widget reads the notice and its own stored state through these helpers
//! instead of deriving `Deserialize`: serde's deserializers (and the float
//! formatting their error messages pull in) would triple the `.wasm`.

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use wasm_bindgen::JsValue;

/// `obj[key]`, or `undefined`.
pub fn get(obj: &JsValue, key: &str) -> JsValue {
    js_sys::Reflect::get(obj, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED)
}

/// `obj[key]` as a string, or empty.
pub fn string(obj: &JsValue, key: &str) -> String {
    get(obj, key).as_string().unwrap_or_default()
}

/// `obj[key]` as a number, or 0.
pub fn number(obj: &JsValue, key: &str) -> f64 {
    get(obj, key).as_f64().unwrap_or(0.0)
}

/// `obj[key] === true`.
pub fn flag(obj: &JsValue, key: &str) -> bool {
    get(obj, key).as_bool().unwrap_or(false)
}

/// `obj[key]` as an array (empty if it is none).
pub fn array(obj: &JsValue, key: &str) -> js_sys::Array {
    let v = get(obj, key);
    if js_sys::Array::is_array(&v) {
        v.into()
    } else {
        js_sys::Array::new()
    }
}

/// `obj[key] = value`.
pub fn set(obj: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
}

/// A new empty object.
pub fn object() -> JsValue {
    js_sys::Object::new().into()
}

/// `JSON.parse(text)`, or `undefined` when it is not JSON.
pub fn parse(text: &str) -> JsValue {
    js_sys::JSON::parse(text).unwrap_or(JsValue::UNDEFINED)
}

/// `JSON.stringify(value)`.
pub fn stringify(value: &JsValue) -> Option<String> {
    js_sys::JSON::stringify(value)
        .ok()
        .and_then(|s| s.as_string())
}
