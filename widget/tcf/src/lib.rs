//! # assent-tcf
//!
//! The IAB TCF part of Assent's widget, loaded only on sites with TCF
//! settings and off the banner path: it makes the visitor's TC string and
//! reads it for the page's `__tcfapi`, each by core's rules
//! ([`assent_core::tcf::choice`], [`assent_core::tcf::api`]), so the string
//! the widget sends is the one the edge checks it against.
//!
//! Like the banner's engine it is sans-IO: JSON and strings in, strings out.
//! `assent-tcf.js` (`widget/tcf/tcf.js`) is its platform layer: the CMP API,
//! the vendor list in the panel, Google Consent Mode.
//!
//! ```
//! let notice = assent_core::config::SiteConfig::from_json(include_str!("../../../edge/sites/demo.json"))
//!     .unwrap()
//!     .notice("en")
//!     .unwrap();
//! let gvl = assent_core::tcf::gvl::Gvl::from_json(include_str!("../../../edge/gvl/vendor-list.json")).unwrap();
//! let disclosure = gvl.disclose(notice.tcf.as_ref().unwrap().vendor_ids()).unwrap();
//! // The disclosure as the notice archive serves it: its RFC 8785 bytes,
//! // whose SHA-256 the notice names.
//! let served = assent_core::canonical::to_canonical_bytes(&disclosure).unwrap();
//! let site = assent_tcf::Site::new(
//!     &serde_json::to_string(&notice).unwrap(),
//!     std::str::from_utf8(&served).unwrap(),
//! )
//! .unwrap();
//! // Marketing granted: Google (vendor 755) has its consent bit.
//! let text = site.tc_string(r#"{"marketing": true}"#, "{}", "en", 1.7966448e12).unwrap();
//! let data: serde_json::Value = serde_json::from_str(&assent_tcf::tc_data(&text).unwrap()).unwrap();
//! assert_eq!(data["vendor"]["consents"]["755"], true);
//! ```

use std::collections::BTreeMap;

use assent_core::config::tcf::TcfConfig;
use assent_core::tcf::api::{google_signals, TcData};
use assent_core::tcf::choice::{self, Choice};
use assent_core::tcf::gvl::Disclosure;
use assent_core::tcf::TcString;
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;

/// What of the notice the string depends on: its purposes' services and its
/// TCF settings (the rest, texts above all, is not read: a smaller wasm).
#[derive(serde::Deserialize)]
struct Shown {
    purposes: Vec<ShownPurpose>,
    tcf: Option<TcfConfig>,
}

#[derive(serde::Deserialize)]
struct ShownPurpose {
    id: String,
    services: Vec<ShownService>,
}

#[derive(serde::Deserialize)]
struct ShownService {
    id: String,
}

/// A TCF site as its notice shows it, with the vendors it disclosed.
#[wasm_bindgen]
pub struct Site {
    purpose_of: BTreeMap<String, String>,
    tcf: TcfConfig,
    disclosure: Disclosure,
}

fn refused(why: impl core::fmt::Display) -> JsError {
    JsError::new(&why.to_string())
}

#[wasm_bindgen]
impl Site {
    /// The site of `notice` (the config answer's notice, JSON), whose
    /// vendors are `disclosure` (the archive's answer for the notice's
    /// disclosure hash). Refused when the notice has no TCF settings or the
    /// disclosure is not the one its hash names: the widget never makes a
    /// string over vendors the notice does not prove it showed.
    #[wasm_bindgen(constructor)]
    pub fn new(notice: &str, disclosure: &str) -> Result<Site, JsError> {
        let notice: Shown = serde_json::from_str(notice).map_err(refused)?;
        let disclosure_text = disclosure;
        let disclosure: Disclosure = serde_json::from_str(disclosure_text).map_err(refused)?;
        let Some(tcf) = notice.tcf else {
            return Err(refused("the notice has no TCF settings"));
        };
        // The archive answers a hash with the exact bytes that hash to it
        // (RFC 8785 text): their SHA-256 is the check, with no need to
        // canonicalize again here (which would link serde_jcs, its number
        // formatting and serde_json's Value into this wasm).
        if hex::encode(Sha256::digest(disclosure_text.as_bytes())) != tcf.disclosure {
            return Err(refused("the disclosure is not the notice's"));
        }
        let purpose_of = notice
            .purposes
            .into_iter()
            .flat_map(|p| p.services.into_iter().map(move |s| (s.id, p.id.clone())))
            .collect();
        Ok(Site {
            purpose_of,
            tcf,
            disclosure,
        })
    }

    /// The TC string of a choice: `decisions` and `services` (JSON objects
    /// of id → granted), the language shown, the moment (ms since the
    /// epoch; the string keeps its day).
    pub fn tc_string(
        &self,
        decisions: &str,
        services: &str,
        language: &str,
        at_ms: f64,
    ) -> Result<String, JsError> {
        let decisions: BTreeMap<String, bool> = serde_json::from_str(decisions).map_err(refused)?;
        let services: BTreeMap<String, bool> = serde_json::from_str(services).map_err(refused)?;
        // The same site `choice::Site::of_notice` reads from a whole notice.
        let site = choice::Site {
            tcf: &self.tcf,
            purpose_of: self
                .purpose_of
                .iter()
                .map(|(s, p)| (s.as_str(), p.as_str()))
                .collect(),
        };
        let choice = Choice {
            decisions: &decisions,
            services: &services,
            language,
            at_ms: at_ms as u64,
        };
        choice::tc_string(&site, &self.disclosure, &choice)
            .encode()
            .map_err(refused)
    }
}

/// `TCData`'s decoded fields of `text` (JSON), for `getTCData` and event
/// listeners ([`assent_core::tcf::api::TcData`]).
#[wasm_bindgen]
pub fn tc_data(text: &str) -> Result<String, JsError> {
    let tc = TcString::decode(text).map_err(refused)?;
    serde_json::to_string(&TcData::of(text, &tc)).map_err(refused)
}

/// The Google Consent Mode signals Google's tags read from `text`, as a
/// JSON object of signal → "granted" or "denied".
#[wasm_bindgen]
pub fn google(text: &str) -> Result<String, JsError> {
    let tc = TcString::decode(text).map_err(refused)?;
    let signals: BTreeMap<&str, &str> = google_signals(&tc)
        .into_iter()
        .map(|(k, on)| (k, if on { "granted" } else { "denied" }))
        .collect();
    serde_json::to_string(&signals).map_err(refused)
}
