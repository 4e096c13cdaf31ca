//! The notice as the widget reads it from the edge's config answer.
//!
//! The edge builds the notice with `assent-core` and hashes it; the widget
//! reads only the fields it renders and echoes the version, language and hash
//! back in each event. The wasm tests check that a notice serialized by core
//! reads back here field for field.

#[allow(unused_imports)]
use alloc::{borrow::ToOwned, string::String, vec::Vec};

use wasm_bindgen::JsValue;

use crate::js;

/// One purpose, as rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct Purpose {
    /// Purpose id.
    pub id: String,
    /// Required purposes are on and locked.
    pub required: bool,
    /// Name in the notice's language.
    pub name: String,
    /// Description in the notice's language.
    pub description: String,
    /// Global Privacy Control opts out of this purpose.
    pub sale_or_sharing: bool,
    /// The services that run under it.
    pub services: Vec<ServiceView>,
}

/// One service, as rendered.
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceView {
    /// Service id.
    pub id: String,
    /// "Service (Provider)".
    pub label: String,
}

/// What the widget shows and what it echoes back.
#[derive(Debug, Clone)]
pub struct NoticeView {
    /// Current notice version.
    pub version: String,
    /// Language of the texts.
    pub language: String,
    /// Notice hash, computed by the edge with core.
    pub hash: String,
    /// Days a choice lasts.
    pub lifetime_days: f64,
    /// Privacy policy URL.
    pub policy_url: String,
    /// The purposes, in order.
    pub purposes: Vec<Purpose>,
    texts: JsValue,
}

impl NoticeView {
    /// Reads the edge's `GET /v1/sites/{site}/config` answer.
    pub fn from_config(config: &JsValue) -> Result<Self, JsValue> {
        let notice = js::get(config, "notice");
        let purposes = js::array(&notice, "purposes")
            .iter()
            .map(|p| Purpose {
                id: js::string(&p, "id"),
                required: js::flag(&p, "required"),
                name: js::string(&p, "name"),
                description: js::string(&p, "description"),
                sale_or_sharing: js::flag(&p, "sale_or_sharing"),
                services: js::array(&p, "services")
                    .iter()
                    .map(|s| {
                        let mut label = js::string(&s, "name");
                        label.push_str(" (");
                        label.push_str(&js::string(&s, "provider"));
                        label.push(')');
                        ServiceView {
                            id: js::string(&s, "id"),
                            label,
                        }
                    })
                    .collect(),
            })
            .collect::<Vec<_>>();
        let view = NoticeView {
            version: js::string(config, "notice_version"),
            language: js::string(config, "language"),
            hash: js::string(config, "notice_hash"),
            lifetime_days: js::number(&notice, "consent_lifetime_days"),
            policy_url: js::string(&js::get(&notice, "controller"), "privacy_policy"),
            purposes,
            texts: js::get(&notice, "texts"),
        };
        if view.version.is_empty() || view.hash.is_empty() || view.purposes.is_empty() {
            return Err(JsValue::from_str("no notice"));
        }
        Ok(view)
    }

    /// A text of the notice by key (`title`, `accept_all`, ...).
    pub fn text(&self, key: &str) -> String {
        js::string(&self.texts, key)
    }

    /// Whether Global Privacy Control changes anything on this notice.
    pub fn has_sale_or_sharing(&self) -> bool {
        self.purposes.iter().any(|p| p.sale_or_sharing)
    }

    /// Ids of the purposes that need consent.
    pub fn optional_purposes(&self) -> impl Iterator<Item = &str> + Clone {
        self.purposes
            .iter()
            .filter(|p| !p.required)
            .map(|p| p.id.as_str())
    }
}
