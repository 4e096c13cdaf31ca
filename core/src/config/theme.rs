//! The widget's look, set by the site: colours and the corner radius, as
//! the `--assent-*` custom properties the banner and panel read
//! (docs/embedding.md). Bounded so that the first layer stays fair and
//! readable: every button takes one colour (the widget's stylesheet gives
//! all three the same), and text keeps a contrast of at least 4.5:1 with
//! what it is on (WCAG 2.2 AA), against the widget's own light colours
//! where the theme sets one side only.
//!
//! ```
//! use assent_core::config::Theme;
//! let theme: Theme = serde_json::from_str(r##"{"button": "#0b6e4f", "radius": "0.5rem"}"##).unwrap();
//! theme.validate().unwrap();
//! assert_eq!(theme.css(), "--assent-btn-bg:#0b6e4f;--assent-radius:0.5rem");
//! let faint: Theme = serde_json::from_str(r##"{"button": "#dddddd"}"##).unwrap();
//! assert_eq!(faint.validate().unwrap_err().code(), "theme_invalid");
//! ```

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, Error};

/// The least contrast between a text and what it is on (WCAG 2.2 AA).
pub const MIN_CONTRAST: f64 = 4.5;

/// The widget's own light colours: text, surface, button text, button.
const DEFAULTS: [&str; 4] = ["#17181c", "#ffffff", "#ffffff", "#1d4ed8"];

/// The site's look for the widget; every part optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Theme {
    /// Text (`--assent-fg`), `#rgb` or `#rrggbb`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// The banner's and panel's surface (`--assent-bg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub background: Option<String>,
    /// Every button's text (`--assent-btn-fg`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button_text: Option<String>,
    /// Every button (`--assent-btn-bg`): one colour for all three.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub button: Option<String>,
    /// Links (`--assent-link`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub link: Option<String>,
    /// The corner radius (`--assent-radius`): `0`, or up to `2rem`
    /// (e.g. `0.75rem`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub radius: Option<String>,
}

fn invalid(reason: String) -> Error {
    ConfigError::ThemeInvalid { reason }.into()
}

/// The sRGB channels of `#rgb` or `#rrggbb`.
fn rgb(colour: &str) -> Option<[u8; 3]> {
    let hex = colour.strip_prefix('#')?;
    if !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let channel = |s: &str| u8::from_str_radix(s, 16).ok();
    match hex.len() {
        3 => {
            let c: Vec<u8> = hex
                .chars()
                .filter_map(|c| channel(&format!("{c}{c}")))
                .collect();
            Some([c[0], c[1], c[2]])
        }
        6 => Some([
            channel(&hex[0..2])?,
            channel(&hex[2..4])?,
            channel(&hex[4..6])?,
        ]),
        _ => None,
    }
}

/// WCAG's relative luminance.
fn luminance([r, g, b]: [u8; 3]) -> f64 {
    let linear = |c: u8| {
        let c = f64::from(c) / 255.0;
        if c <= 0.039_28 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
}

/// WCAG's contrast ratio of two colours (1 to 21).
pub fn contrast(a: &str, b: &str) -> Option<f64> {
    let (la, lb) = (luminance(rgb(a)?), luminance(rgb(b)?));
    let (hi, lo) = if la > lb { (la, lb) } else { (lb, la) };
    Some((hi + 0.05) / (lo + 0.05))
}

fn radius_ok(r: &str) -> bool {
    if r == "0" {
        return true;
    }
    let Some(n) = r.strip_suffix("rem") else {
        return false;
    };
    let (whole, frac) = n.split_once('.').unwrap_or((n, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let shape =
        whole.len() == 1 && digits(whole) && frac.len() <= 3 && digits(frac) && !(n.ends_with('.'));
    shape && n.parse::<f64>().is_ok_and(|v| v <= 2.0)
}

impl Theme {
    /// The parts as (custom property, value), in a fixed order.
    fn parts(&self) -> [(&'static str, Option<&String>); 6] {
        [
            ("--assent-fg", self.text.as_ref()),
            ("--assent-bg", self.background.as_ref()),
            ("--assent-btn-fg", self.button_text.as_ref()),
            ("--assent-btn-bg", self.button.as_ref()),
            ("--assent-link", self.link.as_ref()),
            ("--assent-radius", self.radius.as_ref()),
        ]
    }

    /// Checks every colour's form, the radius and the contrasts.
    pub fn validate(&self) -> Result<(), Error> {
        for (name, value) in self.parts().iter().take(5) {
            if let Some(v) = value {
                if rgb(v).is_none() {
                    return Err(invalid(format!("{name} is #rgb or #rrggbb, not {v:?}")));
                }
            }
        }
        if let Some(r) = &self.radius {
            if !radius_ok(r) {
                return Err(invalid(format!(
                    "the radius is 0 or up to 2rem (e.g. 0.75rem), not {r:?}"
                )));
            }
        }
        let or = |v: &Option<String>, i: usize| v.clone().unwrap_or_else(|| DEFAULTS[i].into());
        let pairs = [
            (
                "the text on the surface",
                or(&self.text, 0),
                or(&self.background, 1),
            ),
            (
                "the buttons' text on the buttons",
                or(&self.button_text, 2),
                or(&self.button, 3),
            ),
            (
                "links on the surface",
                or(&self.link, 3),
                or(&self.background, 1),
            ),
        ];
        for (what, fg, bg) in pairs {
            let ratio = contrast(&fg, &bg).unwrap_or(0.0);
            if ratio < MIN_CONTRAST {
                return Err(invalid(format!(
                    "{what} has a contrast of {ratio:.2}:1 ({fg} on {bg}); at least {MIN_CONTRAST}:1 keeps it readable"
                )));
            }
        }
        Ok(())
    }

    /// The declarations the widget's host takes, e.g.
    /// `--assent-btn-bg:#0b6e4f;--assent-radius:0.5rem` (checked parts only).
    pub fn css(&self) -> String {
        self.parts()
            .iter()
            .filter_map(|(name, value)| value.map(|v| format!("{name}:{v}")))
            .collect::<Vec<_>>()
            .join(";")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn theme(json: &str) -> Theme {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn contrast_is_wcag_s() {
        assert!((contrast("#000", "#fff").unwrap() - 21.0).abs() < 1e-9);
        assert!((contrast("#fff", "#fff").unwrap() - 1.0).abs() < 1e-9);
        // #767676 on white is the classic 4.54:1, just above AA.
        let grey = contrast("#767676", "#ffffff").unwrap();
        assert!((4.5..4.6).contains(&grey), "{grey}");
        assert!(theme(r##"{"text":"#767676"}"##).validate().is_ok());
        assert_eq!(
            theme(r##"{"text":"#777777"}"##)
                .validate()
                .unwrap_err()
                .code(),
            "theme_invalid"
        );
    }

    #[test]
    fn each_side_is_weighed_against_the_widget_s_own_other_side() {
        assert!(
            theme(r##"{"background":"#17181c"}"##).validate().is_err(),
            "dark on dark"
        );
        assert!(
            theme(r##"{"background":"#17181c","text":"#ffffff","link":"#93b4ff"}"##)
                .validate()
                .is_ok()
        );
        assert!(theme(r##"{"button_text":"#1d4ed8"}"##).validate().is_err());
        assert!(theme(r##"{"link":"#ffffff"}"##).validate().is_err());
    }

    #[test]
    fn only_colours_and_a_bounded_radius_pass() {
        for bad in [
            r##"{"button":"red"}"##,
            r##"{"button":"#12345"}"##,
            r##"{"button":"#1234567"}"##,
            r##"{"button":"#12g"}"##,
            r##"{"button":"#000;position:static"}"##,
            r##"{"radius":"3rem"}"##,
            r##"{"radius":"2.001rem"}"##,
            r##"{"radius":"1px"}"##,
            r##"{"radius":"1.rem"}"##,
            r##"{"radius":"10rem"}"##,
            r##"{"radius":"-1rem"}"##,
        ] {
            assert_eq!(
                theme(bad).validate().unwrap_err().code(),
                "theme_invalid",
                "{bad}"
            );
        }
        for good in [
            r##"{"radius":"0"}"##,
            r##"{"radius":"2rem"}"##,
            r##"{"radius":"0.375rem"}"##,
            r##"{"button":"#0B6E4F"}"##,
        ] {
            theme(good).validate().unwrap();
        }
        assert!(serde_json::from_str::<Theme>(r##"{"font":"x"}"##).is_err());
    }

    #[test]
    fn the_css_names_only_what_is_set_in_a_fixed_order() {
        assert_eq!(Theme::default().css(), "");
        let t = theme(
            r##"{"radius":"0","text":"#000000","background":"#ffffff","button":"#0b6e4f","button_text":"#ffffff","link":"#0b6e4f"}"##,
        );
        assert_eq!(
            t.css(),
            "--assent-fg:#000000;--assent-bg:#ffffff;--assent-btn-fg:#ffffff;--assent-btn-bg:#0b6e4f;--assent-link:#0b6e4f;--assent-radius:0"
        );
    }
}
