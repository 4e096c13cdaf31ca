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
