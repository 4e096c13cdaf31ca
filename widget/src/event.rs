//! The consent event as JSON, written by hand.
//!
//! The event is the one document the widget produces, so it is written with a
//! few string appends instead of linking serde_json (about 3 KB gzip on every
//! visitor's download, TOOLCHAIN.md). The shape is core's
//! `assent_core::event::ConsentEvent`; the widget's tests parse every event
//! the engine writes with core and validate it against the site.

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use crate::consent::Decisions;

/// A JSON object being written. Members are separated by looking at the last
/// byte written, so the writer carries no state besides its text.
pub struct Json(String);

impl Default for Json {
    fn default() -> Self {
        Json::new()
    }
}

impl Json {
    /// An object with nothing in it yet.
    pub fn new() -> Self {
        let mut s = String::with_capacity(640);
        s.push('{');
        Json(s)
    }

    fn key(&mut self, key: &str) -> &mut Self {
        if !self.0.ends_with('{') {
            self.0.push(',');
        }
        self.string(key);
        self.0.push(':');
        self
    }

    /// A JSON string literal, escaped: `"` and `\` and every control
    /// character.
    fn string(&mut self, s: &str) {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        self.0.push('"');
        for c in s.chars() {
            match c {
                '"' => self.0.push_str("\\\""),
                '\\' => self.0.push_str("\\\\"),
                c if (c as u32) < 0x20 => {
                    self.0.push_str("\\u00");
                    self.0.push(if c < '\u{10}' { '0' } else { '1' });
                    self.0.push(HEX[(c as usize) & 15] as char);
                }
                c => self.0.push(c),
            }
        }
        self.0.push('"');
    }

    /// `"key": "value"`.
    pub fn str(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key).string(value);
        self
    }

    /// `"key": true|false`.
    pub fn bool(&mut self, key: &str, value: bool) -> &mut Self {
        self.key(key)
            .0
            .push_str(if value { "true" } else { "false" });
        self
    }

    /// `"key": n` for a whole number (a time in milliseconds); negative and
    /// fractional parts are dropped, as no clock is before 1970.
    pub fn int(&mut self, key: &str, value: f64) -> &mut Self {
        self.key(key);
        // Digits from the most significant: no buffer, no bounds to check.
        let n = value as u64;
        let mut unit = 1;
        while unit <= n / 10 {
            unit *= 10;
        }
        while unit > 0 {
            self.0.push((b'0' + (n / unit % 10) as u8) as char);
            unit /= 10;
        }
        self
    }

    /// `"key": {"id": bool, ...}`.
    pub fn map(&mut self, key: &str, decisions: &Decisions) -> &mut Self {
        self.open(key);
        for (id, on) in decisions {
            self.bool(id, *on);
        }
        self.close()
    }

    /// `"key": ["item", ...]`.
    pub fn list<S: AsRef<str>>(&mut self, key: &str, items: &[S]) -> &mut Self {
        self.key(key).0.push('[');
        for (i, item) in items.iter().enumerate() {
            if i > 0 {
                self.0.push(',');
            }
            self.string(item.as_ref());
        }
        self.0.push(']');
        self
    }

    /// `"key": value`, where `value` is JSON text this writer finished.
    pub fn raw(&mut self, key: &str, value: &str) -> &mut Self {
        self.key(key).0.push_str(value);
        self
    }

    /// `"key": {` ... until [`Json::close`].
    pub fn open(&mut self, key: &str) -> &mut Self {
        self.key(key).0.push('{');
        self
    }

    /// Closes the innermost object.
    pub fn close(&mut self) -> &mut Self {
        self.0.push('}');
        self
    }

    /// The text, once the outermost object is closed.
    pub fn finish(&mut self) -> String {
        self.close();
        core::mem::take(&mut self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_nested_objects_with_separators_and_escapes() {
        let mut j = Json::new();
        j.str("a", "say \"hi\"\\\n")
            .open("o")
            .bool("t", true)
            .int("n", 1_732_272_000_123.9)
            .close()
            .map("d", &alloc::vec![("x".into(), false), ("y".into(), true)])
            .map("e", &Vec::new())
            .list("l", &["p", "p s\""])
            .list("m", &[] as &[&str])
            .raw("r", r#"{"k":1}"#);
        assert_eq!(
            j.finish(),
            r#"{"a":"say \"hi\"\\\u000a","o":{"t":true,"n":1732272000123},"d":{"x":false,"y":true},"e":{},"l":["p","p s\""],"m":[],"r":{"k":1}}"#
        );
    }

    #[test]
    fn every_control_character_is_escaped() {
        assert_eq!(
            Json::new().str("s", "\u{0}\u{9}\u{1f} ").finish(),
            r#"{"s":"\u0000\u0009\u001f "}"#
        );
    }

    #[test]
    fn zero_is_written() {
        assert_eq!(Json::new().int("n", 0.0).finish(), r#"{"n":0}"#);
    }
}
