//! What the page's CMP API (`__tcfapi`) answers about a TC string: the
//! decoded half of the `TCData` object of the IAB's "CMP API v2", and the
//! Google Consent Mode signals Google's tags read from the same string.
//!
//! The page's half (`eventStatus`, `cmpStatus`, `listenerId`, `gdprApplies`)
//! is the loader's to add: it knows the moment, not the string. Everything
//! read from the string is decided here, so the widget's answers and a test
//! of them rest on one reading.
//!
//! Maps list what is true: the API says `false | undefined` both mean no.
//! Vendors are the exception: every disclosed vendor is listed in
//! `vendor.consents` and `vendor.legitimateInterests`, `false` where refused,
//! so a vendor reading its own id finds an answer rather than a gap.

#[allow(unused_imports)]
use crate::prelude::*;

use alloc::collections::BTreeMap;

use serde::Serialize;

use super::restrictions::RestrictionType;
use super::{Ids, TcString, VendorSet};

/// Google's id in the Global Vendor List.
pub const GOOGLE: u16 = 755;

/// `id → true` for each id of a set.
pub type Flags = BTreeMap<u16, bool>;

/// The decoded fields of `TCData`, named as the CMP API names them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TcData {
    /// The string itself.
    pub tc_string: String,
    /// The TCF policy version of its vendor list.
    pub tcf_policy_version: u8,
    /// The CMP's id.
    pub cmp_id: u16,
    /// The CMP's version.
    pub cmp_version: u16,
    /// Always true for a publisher's CMP.
    pub is_service_specific: bool,
    /// Whether the IAB's standard texts were changed.
    pub use_non_standard_texts: bool,
    /// The publisher's country.
    #[serde(rename = "publisherCC")]
    pub publisher_cc: String,
    /// Purpose 1 was not disclosed.
    pub purpose_one_treatment: bool,
    /// Purposes consented to, and under legitimate interest.
    pub purpose: Signals,
    /// Vendors consented to, under legitimate interest, and disclosed.
    pub vendor: VendorSignals,
    /// Special features opted in.
    pub special_feature_optins: Flags,
    /// The publisher's own purposes and restrictions.
    pub publisher: PublisherSignals,
}

/// Consents and legitimate interests by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Signals {
    /// `id → true` where consented to.
    pub consents: Flags,
    /// `id → true` where a legitimate interest is established.
    pub legitimate_interests: Flags,
}

/// What the string says of vendors.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VendorSignals {
    /// Each disclosed vendor (and any consented to): consented or not.
    pub consents: Flags,
    /// Each disclosed vendor (and any so marked): legitimate interest or not.
    pub legitimate_interests: Flags,
    /// `id → true` for each vendor shown to the person.
    pub disclosed_vendors: Flags,
}

/// What the string says of the publisher.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PublisherSignals {
    /// IAB purposes consented to for the publisher.
    pub consents: Flags,
    /// IAB purposes under the publisher's legitimate interest.
    pub legitimate_interests: Flags,
    /// The publisher's custom purposes.
    pub custom_purpose: Signals,
    /// Purpose → vendor → restriction type (0 not allowed, 1 consent
    /// required, 2 legitimate interest required).
    pub restrictions: BTreeMap<u8, BTreeMap<u16, u8>>,
}

fn flags(ids: &Ids) -> Flags {
    ids.iter().map(|&id| (u16::from(id), true)).collect()
}

fn vendor_flags(set: &VendorSet) -> Flags {
    set.0.iter().map(|&id| (id, true)).collect()
}

/// Each vendor of `listed` (and of `set`): whether `set` has it.
fn answered(set: &VendorSet, listed: Option<&VendorSet>) -> Flags {
    let mut all = vendor_flags(set);
    for &id in listed.map(|l| &l.0).into_iter().flatten() {
        all.entry(id).or_insert(false);
    }
    all
}

impl TcData {
    /// The `TCData` fields of `tc`, whose text is `text`.
    pub fn of(text: &str, tc: &TcString) -> Self {
        let publisher = tc.publisher.clone().unwrap_or_default();
        let mut restrictions: BTreeMap<u8, BTreeMap<u16, u8>> = BTreeMap::new();
        for r in &tc.publisher_restrictions {
            let kind = match r.restriction {
                RestrictionType::NotAllowed => 0,
                RestrictionType::RequireConsent => 1,
                RestrictionType::RequireLegitimateInterest => 2,
            };
            let of_purpose = restrictions.entry(r.purpose).or_default();
            of_purpose.extend(r.vendors.0.iter().map(|&v| (v, kind)));
        }
        let disclosed = tc.disclosed_vendors.as_ref();
        TcData {
            tc_string: text.into(),
            tcf_policy_version: tc.policy_version,
            cmp_id: tc.cmp_id,
            cmp_version: tc.cmp_version,
            is_service_specific: tc.is_service_specific,
            use_non_standard_texts: tc.use_non_standard_texts,
            publisher_cc: tc.publisher_cc.clone(),
            purpose_one_treatment: tc.purpose_one_treatment,
            purpose: Signals {
                consents: flags(&tc.purpose_consents),
                legitimate_interests: flags(&tc.purpose_legitimate_interests),
            },
            vendor: VendorSignals {
                consents: answered(&tc.vendor_consents, disclosed),
                legitimate_interests: answered(&tc.vendor_legitimate_interests, disclosed),
                disclosed_vendors: disclosed.map(vendor_flags).unwrap_or_default(),
            },
            special_feature_optins: flags(&tc.special_feature_opt_ins),
            publisher: PublisherSignals {
                consents: flags(&publisher.consents),
                legitimate_interests: flags(&publisher.legitimate_interests),
                custom_purpose: Signals {
                    consents: flags(&publisher.custom_consents),
                    legitimate_interests: flags(&publisher.custom_legitimate_interests),
                },
                restrictions,
            },
        }
    }
}

/// The Google Consent Mode signals Google's tags infer from `tc` when they
/// read TCF: each needs Google's vendor consent and the purposes Google
/// names for it (`ad_storage`: 1; `ad_user_data`: 1 and 7;
/// `ad_personalization`: 3 and 4). Where the loader pushes Consent Mode
/// itself on a TCF site, these three follow the string, so a tag reading
/// either finds the same answer. `analytics_storage` and the others have no
/// TCF purpose: they stay the site's own mapping.
pub fn google_signals(tc: &TcString) -> [(&'static str, bool); 3] {
    let google = tc.vendor_consents.contains(GOOGLE);
    let all = |purposes: &[u8]| google && purposes.iter().all(|p| tc.purpose_consents.contains(p));
    [
        ("ad_storage", all(&[1])),
        ("ad_user_data", all(&[1, 7])),
        ("ad_personalization", all(&[3, 4])),
    ]
}
