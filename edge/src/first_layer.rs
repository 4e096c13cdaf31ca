//! The first layer's line of who else receives data and how long a choice
//! is kept, worded in the notice's language by the platform's `Intl`
//! (workerd's V8 and ICU, as in a browser). It is made here, into the
//! config answer (`meta`), so that a first visit's page runs no `Intl`
//! before its banner shows: the first `Intl.ListFormat` of a page costs it
//! tens of milliseconds, four times that on a slow phone (BENCHMARKS.md,
//! "Time to banner"). Core says what the line holds
//! ([`Notice::third_parties`], [`shown`]); its texts are the notice's, which
//! the notice hash covers.

use assent_core::lifetime::shown;
use assent_core::notice::Notice;
use worker::js_sys::{Array, Function, Intl, Object, Reflect};
use worker::wasm_bindgen::{JsCast, JsValue};

use crate::error::ApiError;

/// The line: the notice's `third_parties` text with its `{providers}`, then
/// its `lifetime` text with its `{duration}`, each where the notice has it.
pub fn line(notice: &Notice) -> Result<String, ApiError> {
    let intl = |e: JsValue| ApiError::Internal(format!("Intl: {e:?}"));
    let mut parts = Vec::new();
    if let Some(text) = &notice.texts.third_parties {
        let providers = list(&notice.language, &notice.third_parties()).map_err(intl)?;
        parts.push(text.replacen("{providers}", &providers, 1));
    }
    if let Some(text) = &notice.texts.lifetime {
        let (n, unit) = shown(notice.consent_lifetime_days);
        let duration = amount(&notice.language, n, unit).map_err(intl)?;
        parts.push(text.replacen("{duration}", &duration, 1));
    }
    Ok(parts.join(" "))
}

/// `new Intl.ListFormat(language).format(items)`: "A, B and C".
fn list(language: &str, items: &[&str]) -> Result<String, JsValue> {
    let intl = Reflect::get(&worker::js_sys::global(), &"Intl".into())?;
    let class: Function = Reflect::get(&intl, &"ListFormat".into())?.dyn_into()?;
    let formatter = Reflect::construct(&class, &Array::of1(&language.into()))?;
    let format: Function = Reflect::get(&formatter, &"format".into())?.dyn_into()?;
    let items: Array = items.iter().map(|s| JsValue::from_str(s)).collect();
    text(format.call1(&formatter, &items)?)
}

/// `n.toLocaleString(language, {style: "unit", unit, unitDisplay: "long"})`:
/// "6 months", "6 Monate".
fn amount(language: &str, n: u32, unit: &str) -> Result<String, JsValue> {
    let options = Object::new();
    for (k, v) in [("style", "unit"), ("unit", unit), ("unitDisplay", "long")] {
        Reflect::set(&options, &k.into(), &v.into())?;
    }
    let format = Intl::NumberFormat::new(&Array::of1(&language.into()), &options).format();
    text(format.call1(&JsValue::UNDEFINED, &n.into())?)
}

fn text(v: JsValue) -> Result<String, JsValue> {
    v.as_string()
        .ok_or_else(|| JsValue::from_str("not a string"))
}
