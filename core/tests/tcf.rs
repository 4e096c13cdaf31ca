//! Known answers for the TC string codec (`core/tests/vectors/tcf.json`):
//! strings from the specification and from the IAB's library's tests, with
//! the fields the IAB's library reads in them (`scripts/tcf-vectors.mjs`).
//! Core reads the same fields, and what core writes from them it reads back
//! the same. The cross-check against the library itself is `tests/tcf/`.

use assent_core::tcf::{Invalid, TcString, VendorSet};
use serde::Deserialize;

#[derive(Deserialize)]
struct Vector {
    name: String,
    string: String,
    fields: TcString,
}

fn vectors() -> Vec<Vector> {
    serde_json::from_str(include_str!("vectors/tcf.json")).unwrap()
}

/// Restrictions ordered as the vectors list them (by purpose, then type).
fn sorted(mut tc: TcString) -> TcString {
    tc.publisher_restrictions
        .sort_by_key(|r| (r.purpose, r.restriction));
    tc
}

#[test]
fn every_known_string_reads_as_the_iab_library_reads_it() {
    let vectors = vectors();
    assert!(vectors.len() >= 4);
    for v in &vectors {
        let tc = TcString::decode(&v.string).unwrap_or_else(|e| panic!("{}: {e}", v.name));
        assert_eq!(sorted(tc), v.fields, "{}", v.name);
    }
}

#[test]
fn what_core_writes_from_the_known_fields_it_reads_back_the_same() {
    for v in vectors() {
        let text = v.fields.encode().unwrap();
        assert_eq!(
            sorted(TcString::decode(&text).unwrap()),
            v.fields,
            "{}",
            v.name
        );
    }
}

#[test]
fn the_specifications_example_is_written_back_character_for_character() {
    // Its vendor sections are bit fields core would choose too, so the text
    // is the same: a check on field order and widths no round trip makes.
    for v in vectors()
        .iter()
        .filter(|v| v.name.starts_with("the specification"))
    {
        assert_eq!(v.fields.encode().unwrap(), v.string, "{}", v.name);
    }
}

#[test]
fn the_specifications_example_says_what_its_text_says() {
    let v = &vectors()[0];
    let tc = &v.fields;
    assert_eq!(
        (
            tc.cmp_id,
            tc.vendor_list_version,
            tc.consent_language.as_str()
        ),
        (880, 48, "EN")
    );
    assert_eq!(tc.created_ms, 1_748_908_800_000, "2025-06-03, the day");
    assert!(tc.is_service_specific);
    assert_eq!(tc.vendor_consents, VendorSet::of([1, 2, 3, 4]));
    assert_eq!(
        tc.disclosed_vendors,
        Some(VendorSet::of([1, 2, 3, 4, 5, 100, 404]))
    );
    assert!(tc.publisher.is_some());
}

#[test]
fn a_string_cut_anywhere_in_its_core_is_refused_never_read_short() {
    let v = &vectors()[0];
    let core = v.string.split('.').next().unwrap();
    // Its core segment's fields end 263 bits in (213 bits of fixed fields,
    // two vendor sections, no restrictions): the 44th character. A cut
    // anywhere before is truncated.
    assert_eq!(core.len(), 44);
    for cut in 1..44 {
        assert_eq!(
            TcString::decode(&core[..cut]),
            Err(Invalid::Truncated),
            "cut at {cut}"
        );
    }
    assert!(TcString::decode(core).is_ok());
}

#[test]
fn unknown_and_repeated_segments_and_overlong_strings_are_refused() {
    let v = &vectors()[0];
    let mut parts = v.string.split('.');
    let (core, disclosed) = (parts.next().unwrap(), parts.next().unwrap());
    assert_eq!(
        TcString::decode(&format!("{core}.{disclosed}.{disclosed}")),
        Err(Invalid::SegmentTwice)
    );
    // Segment type 2 (AllowedVendors) left the format in TCF 2.2.
    assert_eq!(
        TcString::decode(&format!("{core}.QAAA")),
        Err(Invalid::SegmentUnknown)
    );
    assert_eq!(
        TcString::decode(&format!("{core}..{disclosed}")),
        Err(Invalid::Empty)
    );
    let long = format!(
        "{core}{}",
        "A".repeat(assent_core::tcf::MAX_TC_STRING - core.len())
    );
    assert!(TcString::decode(&long).is_ok(), "the longest string read");
    assert_eq!(TcString::decode(&format!("{long}A")), Err(Invalid::TooLong));
}

// ---- The Global Vendor List and a site's TCF settings ----------------------

use assent_core::config::SiteConfig;
use assent_core::tcf::gvl::Gvl;

/// The list the edge is built with (edge/gvl/, `scripts/gvl.mjs`).
fn gvl() -> Gvl {
    Gvl::from_json(include_str!("../../edge/gvl/vendor-list.json")).unwrap()
}

#[test]
fn a_disclosure_holds_the_sites_vendors_in_id_order_and_the_texts_they_name() {
    let list = gvl();
    let d = list.disclose([755, 21, 755]).unwrap();
    assert_eq!(
        d.vendors.iter().map(|v| v.id).collect::<Vec<_>>(),
        [21, 755]
    );
    assert_eq!(d.vendors[1].name, "Google Advertising Products");
    assert_eq!((d.vendor_list_version, d.policy_version), (7, 4));
    // Every purpose and special feature (the panel shows each); only the
    // special purposes, features and data categories a vendor declares.
    assert_eq!(d.purposes.len(), 11);
    assert_eq!(d.special_features.len(), 2);
    let declared = |f: fn(&assent_core::tcf::gvl::Vendor) -> &Vec<u8>| {
        let mut ids: Vec<u8> = d
            .vendors
            .iter()
            .flat_map(|v| f(v).iter().copied())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    };
    let ids = |m: &std::collections::BTreeMap<u8, assent_core::tcf::gvl::Declared>| {
        m.keys().copied().collect::<Vec<_>>()
    };
    assert_eq!(ids(&d.special_purposes), declared(|v| &v.special_purposes));
    assert_eq!(ids(&d.features), declared(|v| &v.features));
    assert_eq!(ids(&d.data_categories), declared(|v| &v.data_declaration));
    // A vendor the list does not have is named.
    assert_eq!(list.disclose([755, 3]).unwrap_err(), 3);
}

#[test]
fn a_deleted_vendor_cannot_be_disclosed() {
    let mut list = gvl();
    list.vendors.get_mut(&21).unwrap().deleted_date = Some("2023-07-01T00:00:00Z".into());
    assert_eq!(list.disclose([21]).unwrap_err(), 21);
}

/// core's site vector with TCF settings for its marketing service.
fn site_with(tcf: serde_json::Value) -> Result<SiteConfig, assent_core::error::Error> {
    let mut site: serde_json::Value =
        serde_json::from_str(include_str!("vectors/site.json")).unwrap();
    site["tcf"] = tcf;
    SiteConfig::from_json(&site.to_string())
}

fn settings(disclosure: &str) -> serde_json::Value {
    serde_json::json!({
        "cmp_id": 300, "cmp_version": 1, "publisher_cc": "DE", "vendor_list_version": 7,
        "purposes": { "marketing": [1, 2, 3, 4, 7], "analytics": [1, 8] },
        "special_features": { "marketing": [1] },
        "vendors": { "ads": [755, 21] },
        "disclosure": disclosure,
    })
}

#[test]
fn tcf_settings_are_checked_against_the_site_and_then_against_the_list() {
    let hash = gvl().disclose([21, 755]).unwrap().hash();
    let site = site_with(settings(&hash)).unwrap();
    let tcf = site.tcf.as_ref().unwrap();
    tcf.check_against(&gvl()).unwrap();

    // The site's own rules, no list needed.
    let broken = |edit: &dyn Fn(&mut serde_json::Value)| {
        let mut s = settings(&hash);
        edit(&mut s);
        site_with(s).unwrap_err().code()
    };
    assert_eq!(
        broken(&|s| s["purposes"]["necessary"] = serde_json::json!([1])),
        "tcf_invalid",
        "a required purpose"
    );
    assert_eq!(
        broken(&|s| s["purposes"]["marketing"] = serde_json::json!([12])),
        "tcf_invalid",
        "purpose 12"
    );
    assert_eq!(
        broken(&|s| s["purposes"]["marketing"] = serde_json::json!([])),
        "tcf_invalid"
    );
    assert_eq!(
        broken(&|s| s["special_features"]["marketing"] = serde_json::json!([3])),
        "tcf_invalid"
    );
    assert_eq!(
        broken(&|s| s["vendors"] = serde_json::json!({ "nope": [755] })),
        "tcf_invalid",
        "a service it lacks"
    );
    assert_eq!(
        broken(&|s| {
            s["purposes"] = serde_json::json!({ "marketing": [1, 2] });
            s["vendors"] = serde_json::json!({ "matomo": [755] });
        }),
        "tcf_invalid",
        "a vendor under a purpose that stands for no IAB purpose"
    );
    assert_eq!(
        broken(&|s| s["publisher_cc"] = serde_json::json!("de")),
        "tcf_invalid"
    );
    assert_eq!(
        broken(&|s| s["cmp_id"] = serde_json::json!(0)),
        "tcf_invalid"
    );
    assert_eq!(
        broken(&|s| s["cmp_id"] = serde_json::json!(4096)),
        "tcf_invalid"
    );
    // Each number at its field's edge (12 bits; a CMP id and a list version from 1).
    for (field, bad) in [
        ("cmp_version", 4096),
        ("vendor_list_version", 0),
        ("vendor_list_version", 4096),
    ] {
        assert_eq!(
            broken(&|s| s[field] = serde_json::json!(bad)),
            "tcf_invalid",
            "{field} {bad}"
        );
    }
    for (field, good) in [
        ("vendor_list_version", 4095),
        ("cmp_id", 4095),
        ("cmp_version", 4095),
        ("cmp_version", 0),
        ("cmp_id", 1),
    ] {
        let mut s = settings(&hash);
        s[field] = serde_json::json!(good);
        assert!(site_with(s).is_ok(), "{field} {good}");
    }
    assert_eq!(
        broken(&|s| s["disclosure"] = serde_json::json!("ABC")),
        "tcf_invalid"
    );
    assert_eq!(
        broken(&|s| s["colour"] = serde_json::json!("red")),
        "config_malformed"
    );

    // Against the list: its version, its vendors, the hash of what it shows.
    let checked = |s: serde_json::Value| {
        site_with(s)
            .unwrap()
            .tcf
            .unwrap()
            .check_against(&gvl())
            .map_err(|e| e.code())
    };
    let mut s = settings(&hash);
    s["vendor_list_version"] = serde_json::json!(8);
    assert_eq!(checked(s), Err("tcf_invalid"));
    let mut s = settings(&hash);
    s["vendors"]["ads"] = serde_json::json!([755, 3]);
    assert_eq!(checked(s), Err("tcf_vendor_unknown"));
    let stale = site_with(settings(&"0".repeat(64)))
        .unwrap()
        .tcf
        .unwrap()
        .check_against(&gvl())
        .unwrap_err();
    assert_eq!(stale.code(), "tcf_disclosure_stale");
    assert!(
        stale.to_string().contains(&hash),
        "the error gives the hash to write: {stale}"
    );
}

#[test]
fn the_notice_carries_the_tcf_settings_so_its_hash_covers_the_vendors_as_disclosed() {
    let hash = gvl().disclose([21, 755]).unwrap().hash();
    let a = site_with(settings(&hash)).unwrap().notice("en").unwrap();
    assert_eq!(a.tcf.as_ref().unwrap().disclosure, hash);
    // Another vendor, another disclosure: another notice hash.
    let other = gvl().disclose([755]).unwrap().hash();
    let mut s = settings(&other);
    s["vendors"]["ads"] = serde_json::json!([755]);
    let b = site_with(s).unwrap().notice("en").unwrap();
    assert_ne!(a.hash(), b.hash());
    // A site without TCF keeps its notice (and hash) as before: no settings,
    // no vendor-list labels.
    let plain = SiteConfig::from_json(include_str!("vectors/site.json"))
        .unwrap()
        .notice("en")
        .unwrap();
    assert!(plain.tcf.is_none());
    assert!(plain.tcf_words.is_empty());
    assert!(!serde_json::to_string(&plain).unwrap().contains("tcf"));
}

#[test]
fn the_notice_carries_the_vendor_lists_labels_in_its_language_so_its_hash_covers_them() {
    use assent_core::config::Word;
    let hash = gvl().disclose([21, 755]).unwrap().hash();
    let site = site_with(settings(&hash)).unwrap();
    let (en, de) = (site.notice("en").unwrap(), site.notice("de").unwrap());
    assert_eq!(en.tcf_words["tcf_consent_for"], "Consent for");
    // The vector's German falls back to English words where it has none of
    // its own; Assent carries German, so its labels are German.
    assert_eq!(de.tcf_words["tcf_consent_for"], "Einwilligung für");
    assert_eq!(en.tcf_words.len(), 14, "every label of the list");
    assert_eq!(en.tcf_words["tcf_object"], site.word("en", Word::TcfObject));
    // A site's own word for a label is what its notice shows and hashes.
    let mut raw: serde_json::Value =
        serde_json::from_str(include_str!("vectors/site.json")).unwrap();
    raw["tcf"] = settings(&hash);
    raw["languages"]["en"]["words"] = serde_json::json!({ "tcf_consent_for": "Asks consent for" });
    let reworded = SiteConfig::from_json(&raw.to_string())
        .unwrap()
        .notice("en")
        .unwrap();
    assert_eq!(reworded.tcf_words["tcf_consent_for"], "Asks consent for");
    assert_ne!(reworded.hash(), en.hash());
}

#[test]
fn the_archive_keeps_the_disclosure_under_the_hash_the_notice_names_and_only_then() {
    use assent_core::log::archive;
    let hash = gvl().disclose([21, 755]).unwrap().hash();
    let site = site_with(settings(&hash)).unwrap();
    let kept = archive::disclosure(&site, &gvl()).unwrap();
    assert_eq!(kept.hash.as_str(), hash);
    assert_eq!(
        (kept.version.as_str(), kept.language.as_str(), kept.first_ms),
        ("2026-11-01", "en", 0)
    );
    assert!(kept.canonical.contains("Google Advertising Products"));
    // A list that does not bear the settings out discloses nothing.
    let mut other = gvl();
    other.vendors.get_mut(&755).unwrap().name = "Renamed".into();
    assert!(archive::disclosure(&site, &other).is_none());
    let plain = SiteConfig::from_json(include_str!("vectors/site.json")).unwrap();
    assert!(archive::disclosure(&plain, &gvl()).is_none());
}

// ---- A visitor's choice as a TC string ---------------------------------------

use assent_core::tcf::choice::{self, Choice};
use std::collections::BTreeMap;

const NOON_2026_12_07: u64 = 1_796_644_800_000;

fn choice_on(decisions: &[(&str, bool)], services: &[(&str, bool)], language: &str) -> TcString {
    let hash = gvl().disclose([21, 755]).unwrap().hash();
    let site = site_with(settings(&hash)).unwrap();
    let decisions: BTreeMap<String, bool> =
        decisions.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let services: BTreeMap<String, bool> =
        services.iter().map(|(k, v)| (k.to_string(), *v)).collect();
    let at = Choice {
        decisions: &decisions,
        services: &services,
        language,
        at_ms: NOON_2026_12_07,
    };
    let of_config = choice::tc_string(
        &choice::Site::of_config(&site).unwrap(),
        &gvl().disclose([21, 755]).unwrap(),
        &at,
    );
    // The widget makes the string from the notice it showed: the same bits.
    let notice = site.notice("en").unwrap();
    let of_notice = choice::tc_string(
        &choice::Site::of_notice(&notice).unwrap(),
        &gvl().disclose([21, 755]).unwrap(),
        &at,
    );
    assert_eq!(
        of_config, of_notice,
        "the notice and the site's file make one string"
    );
    of_config
}

fn ids(v: &[u8]) -> assent_core::tcf::Ids {
    v.iter().copied().collect()
}

#[test]
fn a_choice_sets_the_purposes_and_vendors_its_granted_purposes_stand_for_and_nothing_on_legitimate_interest(
) {
    let all = choice_on(
        &[
            ("necessary", true),
            ("analytics", true),
            ("marketing", true),
        ],
        &[],
        "en",
    );
    assert_eq!(all.purpose_consents, ids(&[1, 2, 3, 4, 7, 8]));
    assert_eq!(all.special_feature_opt_ins, ids(&[1]));
    assert_eq!(all.vendor_consents, VendorSet::of([21, 755]));
    assert!(all.purpose_legitimate_interests.is_empty());
    assert!(
        all.vendor_legitimate_interests.0.is_empty(),
        "both vendors declare purposes"
    );
    assert_eq!(all.disclosed_vendors, Some(VendorSet::of([21, 755])));
    assert_eq!(
        (all.cmp_id, all.cmp_version, all.publisher_cc.as_str()),
        (300, 1, "DE")
    );
    assert_eq!((all.vendor_list_version, all.policy_version), (7, 4));
    assert!(all.is_service_specific);
    // The day, at midnight UTC: the string does not time the visit.
    assert_eq!(all.created_ms, 1_796_601_600_000);
    assert_eq!(all.last_updated_ms, all.created_ms);
    // It is a string that reads back as it was made.
    assert_eq!(TcString::decode(&all.encode().unwrap()).unwrap(), all);

    let analytics = choice_on(
        &[
            ("necessary", true),
            ("analytics", true),
            ("marketing", false),
        ],
        &[],
        "en",
    );
    assert_eq!(analytics.purpose_consents, ids(&[1, 8]));
    assert!(analytics.special_feature_opt_ins.is_empty());
    assert!(
        analytics.vendor_consents.0.is_empty(),
        "the vendors' service is under marketing"
    );

    let none = choice_on(
        &[
            ("necessary", true),
            ("analytics", false),
            ("marketing", false),
        ],
        &[],
        "en",
    );
    assert!(none.purpose_consents.is_empty() && none.vendor_consents.0.is_empty());
    assert_eq!(
        none.disclosed_vendors,
        Some(VendorSet::of([21, 755])),
        "disclosed all the same"
    );
}

#[test]
fn a_service_refused_inside_a_granted_purpose_takes_its_vendors_with_it() {
    let t = choice_on(
        &[
            ("necessary", true),
            ("analytics", false),
            ("marketing", true),
        ],
        &[("ads", false)],
        "en",
    );
    assert_eq!(t.purpose_consents, ids(&[1, 2, 3, 4, 7]));
    assert!(t.vendor_consents.0.is_empty());
    let t = choice_on(
        &[
            ("necessary", true),
            ("analytics", false),
            ("marketing", true),
        ],
        &[("ads", true)],
        "pt-BR",
    );
    assert_eq!(t.vendor_consents, VendorSet::of([21, 755]));
    assert_eq!(t.consent_language, "PT");
}

#[test]
fn a_shown_vendor_of_special_purposes_only_has_its_legitimate_interest_bit() {
    let hash = gvl().disclose([21, 755]).unwrap().hash();
    let site = site_with(settings(&hash)).unwrap();
    let mut disclosure = gvl().disclose([21, 755]).unwrap();
    let v21 = disclosure.vendors.iter_mut().find(|v| v.id == 21).unwrap();
    (v21.purposes, v21.leg_int_purposes, v21.special_purposes) = (vec![], vec![], vec![1]);
    // 755 declares no consent purpose but legitimate interests: not "special purposes only".
    let v755 = disclosure.vendors.iter_mut().find(|v| v.id == 755).unwrap();
    v755.purposes = vec![];
    assert!(!v755.leg_int_purposes.is_empty() && !v755.special_purposes.is_empty());
    let decisions = BTreeMap::from([
        ("necessary".to_string(), true),
        ("analytics".into(), false),
        ("marketing".into(), false),
    ]);
    let at = Choice {
        decisions: &decisions,
        services: &BTreeMap::new(),
        language: "de",
        at_ms: NOON_2026_12_07,
    };
    let t = choice::tc_string(&choice::Site::of_config(&site).unwrap(), &disclosure, &at);
    assert_eq!(t.vendor_legitimate_interests, VendorSet::of([21]));
    let plain = SiteConfig::from_json(include_str!("vectors/site.json")).unwrap();
    assert!(
        choice::Site::of_config(&plain).is_none(),
        "no TCF settings, no string"
    );
    assert!(choice::Site::of_notice(&plain.notice("en").unwrap()).is_none());
}

/// A banner event of the vector site: marketing given, analytics refused, at noon.
fn marketing_given() -> assent_core::event::ConsentEvent {
    serde_json::from_value(serde_json::json!({
        "event_id": "5f0c6a8e-8a4b-4c8e-9d0a-3b2f1e6d7c5a", "site": "vectors",
        "subject": "0b1f3c8e-2a4d-4e6f-8a0b-1c2d3e4f5a6b", "action": "give",
        "decisions": { "necessary": true, "analytics": false, "marketing": true },
        "notice": { "version": "2026-11-01", "language": "en", "hash": "0".repeat(64) },
        "ui": { "surface": "preferences", "control": "save" },
        "client_time_ms": NOON_2026_12_07, "gpc": false,
        "page": { "origin": "https://vectors.example", "path": "/" }, "widget_version": "0.1.0",
    }))
    .unwrap()
}

#[test]
fn an_events_tc_string_is_held_to_its_choice() {
    use assent_core::event::ConsentEvent;
    let hash = gvl().disclose([21, 755]).unwrap().hash();
    let site = site_with(settings(&hash)).unwrap();
    let mut event = marketing_given();
    let check = |e: &ConsentEvent| choice::check(&site, &gvl(), e).map_err(|e| e.to_string());
    assert_eq!(check(&event), Ok(()), "no string, nothing to hold");
    let right = choice_on(
        &[
            ("necessary", true),
            ("analytics", false),
            ("marketing", true),
        ],
        &[],
        "en",
    );
    event.tc_string = Some(right.encode().unwrap());
    assert_eq!(check(&event), Ok(()));
    // The same string with the analytics purpose's bit: not this choice.
    let mut wrong = right.clone();
    wrong.purpose_consents.insert(8);
    event.tc_string = Some(wrong.encode().unwrap());
    assert_eq!(
        check(&event),
        Err("TC string is invalid: it says other than the choice".into())
    );
    // Another day than the client's clock says.
    let mut other_day = right.clone();
    other_day.created_ms -= 86_400_000;
    event.tc_string = Some(other_day.encode().unwrap());
    assert!(check(&event).is_err());
    event.tc_string = Some("not a string".into());
    let e = choice::check(&site, &gvl(), &event).unwrap_err();
    assert_eq!(
        (e.code(), e.to_string().as_str()),
        ("tc_string_invalid", "TC string is invalid: not base64url")
    );
    // A site without TCF settings takes no string.
    let plain = SiteConfig::from_json(include_str!("vectors/site.json")).unwrap();
    event.tc_string = Some(right.encode().unwrap());
    assert_eq!(
        choice::check(&plain, &gvl(), &event)
            .unwrap_err()
            .to_string(),
        "TC string is invalid: the site has no TCF settings"
    );
}

#[test]
fn the_edge_completes_a_banner_event_without_a_string_and_holds_one_with_a_string() {
    let hash = gvl().disclose([21, 755]).unwrap().hash();
    let site = site_with(settings(&hash)).unwrap();
    let event = marketing_given();
    let right = choice_on(
        &[
            ("necessary", true),
            ("analytics", false),
            ("marketing", true),
        ],
        &[],
        "en",
    )
    .encode()
    .unwrap();
    // Without a string (the page's CMP had not loaded): the string of its choice.
    let mut bare = event.clone();
    choice::complete(&site, &gvl(), &mut bare).unwrap();
    assert_eq!(bare.tc_string.as_deref(), Some(right.as_str()));
    // Completed again (a retry of the same event): the same, so the repeat matches.
    let mut again = event.clone();
    choice::complete(&site, &gvl(), &mut again).unwrap();
    assert_eq!(again, bare);
    // With a string: held to its choice, never replaced.
    let mut wrong = event.clone();
    wrong.tc_string = Some(
        choice_on(&[("necessary", true)], &[], "en")
            .encode()
            .unwrap(),
    );
    assert_eq!(
        choice::complete(&site, &gvl(), &mut wrong)
            .unwrap_err()
            .code(),
        "tc_string_invalid"
    );
    // A site without TCF settings: nothing added.
    let plain = SiteConfig::from_json(include_str!("vectors/site.json")).unwrap();
    let mut none = event.clone();
    choice::complete(&plain, &gvl(), &mut none).unwrap();
    assert_eq!(none.tc_string, None);
}

// ---- the CMP API's reading ---------------------------------------------------

use assent_core::tcf::api::{google_signals, TcData};

/// The specification's example as `__tcfapi` answers it: the maps say what
/// is true, and every disclosed vendor has an answer.
#[test]
fn tc_data_of_the_specifications_example() {
    let text = "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA";
    let data = TcData::of(text, &TcString::decode(text).unwrap());
    let json = serde_json::to_value(&data).unwrap();
    assert_eq!(json["tcString"], text);
    assert_eq!(json["cmpId"], 880);
    assert_eq!(json["publisherCC"], "DE");
    assert_eq!(json["tcfPolicyVersion"], data.tcf_policy_version);
    assert_eq!(json["isServiceSpecific"], true);
    assert_eq!(
        json["vendor"]["consents"],
        serde_json::json!({"1": true, "2": true, "3": true, "4": true, "5": false, "100": false, "404": false}),
        "each disclosed vendor answered, refused ones false"
    );
    assert_eq!(
        json["vendor"]["disclosedVendors"],
        serde_json::json!({"1": true, "2": true, "3": true, "4": true, "5": true, "100": true, "404": true})
    );
    let purposes = json["purpose"]["consents"].as_object().unwrap();
    assert!(purposes.values().all(|v| v == true), "true entries only");
    assert_eq!(
        purposes.len(),
        TcString::decode(text).unwrap().purpose_consents.len()
    );
    assert!(json["publisher"]["customPurpose"]["consents"].is_object());
}

#[test]
fn each_map_of_tc_data_says_exactly_its_fields_set() {
    use assent_core::tcf::{PublisherPurposes, PublisherRestriction, RestrictionType};
    let text = "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA";
    let mut tc = TcString::decode(text).unwrap();
    tc.purpose_consents = ids(&[1, 3]);
    tc.purpose_legitimate_interests = ids(&[2, 7]);
    tc.special_feature_opt_ins = ids(&[2]);
    tc.vendor_consents = VendorSet::of([4]);
    tc.vendor_legitimate_interests = VendorSet::of([5]);
    tc.publisher = Some(PublisherPurposes {
        consents: ids(&[1]),
        legitimate_interests: ids(&[10]),
        custom_purposes: 2,
        custom_consents: ids(&[1]),
        custom_legitimate_interests: ids(&[2]),
    });
    tc.publisher_restrictions = vec![
        PublisherRestriction {
            purpose: 2,
            restriction: RestrictionType::NotAllowed,
            vendors: VendorSet::of([1]),
        },
        PublisherRestriction {
            purpose: 3,
            restriction: RestrictionType::RequireConsent,
            vendors: VendorSet::of([2]),
        },
        PublisherRestriction {
            purpose: 4,
            restriction: RestrictionType::RequireLegitimateInterest,
            vendors: VendorSet::of([3, 4]),
        },
    ];
    let json = serde_json::to_value(TcData::of(text, &tc)).unwrap();
    let on = |ids: &[u16]| {
        serde_json::Value::Object(ids.iter().map(|i| (i.to_string(), true.into())).collect())
    };
    assert_eq!(json["purpose"]["consents"], on(&[1, 3]));
    assert_eq!(json["purpose"]["legitimateInterests"], on(&[2, 7]));
    assert_eq!(json["specialFeatureOptins"], on(&[2]));
    assert_eq!(json["vendor"]["consents"]["4"], true);
    assert_eq!(json["vendor"]["consents"]["5"], false);
    assert_eq!(json["vendor"]["legitimateInterests"]["5"], true);
    assert_eq!(json["vendor"]["legitimateInterests"]["4"], false);
    assert_eq!(json["publisher"]["consents"], on(&[1]));
    assert_eq!(json["publisher"]["legitimateInterests"], on(&[10]));
    assert_eq!(json["publisher"]["customPurpose"]["consents"], on(&[1]));
    assert_eq!(
        json["publisher"]["customPurpose"]["legitimateInterests"],
        on(&[2])
    );
    assert_eq!(
        json["publisher"]["restrictions"],
        serde_json::json!({"2": {"1": 0}, "3": {"2": 1}, "4": {"3": 2, "4": 2}}),
        "purpose -> vendor -> 0 not allowed, 1 consent, 2 legitimate interest"
    );
}

fn with_google(purposes: &[u8], google: bool) -> TcString {
    let text = "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA";
    let mut tc = TcString::decode(text).unwrap();
    tc.purpose_consents = ids(purposes);
    tc.vendor_consents = if google {
        VendorSet::of([755])
    } else {
        VendorSet::of([1])
    };
    tc
}

/// Google's reading: each signal needs Google's consent and every purpose
/// Google names for it; one missing purpose or Google refused denies it.
#[test]
fn google_signals_need_google_and_every_named_purpose() {
    let read = |purposes: &[u8], google| google_signals(&with_google(purposes, google));
    assert_eq!(
        read(&[1, 3, 4, 7], true),
        [
            ("ad_storage", true),
            ("ad_user_data", true),
            ("ad_personalization", true)
        ]
    );
    assert_eq!(
        read(&[1, 3, 4, 7], false),
        [
            ("ad_storage", false),
            ("ad_user_data", false),
            ("ad_personalization", false)
        ]
    );
    assert_eq!(
        read(&[1, 3], true),
        [
            ("ad_storage", true),
            ("ad_user_data", false),
            ("ad_personalization", false)
        ]
    );
    assert_eq!(
        read(&[4, 7], true),
        [
            ("ad_storage", false),
            ("ad_user_data", false),
            ("ad_personalization", false)
        ]
    );
}
