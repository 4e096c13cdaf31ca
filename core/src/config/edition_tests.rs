use super::*;
use serde_json::{json, Value};

const SITE: &str = include_str!("../../tests/vectors/site.json");
/// 2026-12-07, noon UTC.
const NOW: u64 = 20_794 * 86_400_000 + 43_200_000;

fn seed() -> SiteConfig {
    SiteConfig::from_json(SITE).unwrap()
}

fn draft() -> Value {
    serde_json::from_str(SITE).unwrap()
}

fn base(store: &MemoryEditions) -> String {
    in_force(&seed(), store.latest().unwrap().as_ref()).hash
}

/// Saves `draft` made from what is in force, then publishes it.
fn save_and_publish(store: &mut MemoryEditions, draft: &Value) -> Result<Edition, Error> {
    let b = base(store);
    save_draft(store, &seed(), &draft.to_string(), &b, "operator", NOW)?;
    publish(store, &seed(), "key 0123456789abcdef", NOW)
}

fn titled(title: &str) -> Value {
    let mut d = draft();
    d["languages"]["en"]["ui"]["title"] = title.into();
    d
}

#[test]
fn a_published_text_is_in_force_under_a_new_notice_version() {
    let mut store = MemoryEditions::default();
    assert_eq!(in_force(&seed(), None).edition, None);
    let e = save_and_publish(&mut store, &titled("Your choice")).unwrap();
    assert_eq!(
        (e.number, e.notice_version.as_str(), e.by.as_str()),
        (1, "2026-12-07", "key 0123456789abcdef")
    );
    assert_eq!(store.draft().unwrap(), None, "publishing spends the draft");
    let now = in_force(&seed(), Some(&e));
    assert_eq!(now.edition, Some(1));
    assert_eq!(now.config.notice("en").unwrap().texts.title, "Your choice");
    assert_eq!(now.config.notice_version, "2026-12-07");
    assert_eq!(now.hash, e.hash);
    // The second publish of the day, of a draft made from the first,
    // counts on.
    let mut d: Value = serde_json::from_str(&e.config).unwrap();
    d["languages"]["en"]["ui"]["title"] = "Your choices".into();
    let e2 = save_and_publish(&mut store, &d).unwrap();
    assert_eq!((e2.number, e2.notice_version.as_str()), (2, "2026-12-07.2"));
    let list = store.editions().unwrap();
    assert_eq!(list.iter().map(|e| e.number).collect::<Vec<_>>(), [2, 1]);
    assert_eq!(store.edition(1).unwrap().unwrap(), e);
}

#[test]
fn a_change_nobody_sees_keeps_the_notice_version_and_an_authors_own_is_kept() {
    let mut store = MemoryEditions::default();
    let mut d = draft();
    d["rights"] = json!({ "recycle_bin_days": 30 });
    let e = save_and_publish(&mut store, &d).unwrap();
    assert_eq!(e.notice_version, seed().notice_version);
    let mut d = titled("New");
    d["rights"] = json!({ "recycle_bin_days": 30 });
    d["notice_version"] = "spring-campaign".into();
    let e = save_and_publish(&mut store, &d).unwrap();
    assert_eq!(e.notice_version, "spring-campaign");
}

#[test]
fn every_field_only_a_deploy_changes_is_refused_in_a_draft() {
    let tcf = json!({
        "cmp_id": 300, "cmp_version": 1, "publisher_cc": "DE", "vendor_list_version": 7,
        "purposes": { "marketing": [1, 2] }, "vendors": { "ads": [755] }, "disclosure": "0".repeat(64),
    });
    let changes: [(&str, Value); 6] = [
        ("site", "other".into()),
        ("allowed_origins", json!(["https://elsewhere.example"])),
        ("webhooks", json!([])),
        ("log", json!({ "shards": 2 })),
        ("data_location", "eu".into()),
        ("tcf", tcf),
    ];
    for (field, value) in changes {
        let mut d = draft();
        d[field] = value;
        let e = check(&seed(), &d.to_string()).unwrap_err();
        assert_eq!(
            (e.code(), e.to_string().starts_with(field)),
            ("fixed_at_deploy", true),
            "{field}"
        );
    }
    assert_eq!(FIXED_AT_DEPLOY.len(), 6);
    check(&seed(), SITE).unwrap();
}

#[test]
fn a_key_given_twice_anywhere_is_refused() {
    let inner = SITE.replacen("\"title\":", "\"title\": \"x\", \"title\":", 1);
    assert_ne!(inner, SITE);
    let e = check(&seed(), &inner).unwrap_err();
    assert_eq!(e.code(), "config_malformed");
    assert!(e.to_string().contains("duplicate key \"title\""), "{e}");
    let top = SITE.replacen('{', "{\"site\": \"x\",", 1);
    assert_eq!(check(&seed(), &top).unwrap_err().code(), "config_malformed");
    // Equal keys in different objects are fine.
    assert!(unique_keys(r#"{"a":{"b":1},"c":{"b":[{"b":2}]}}"#).is_ok());
    assert!(unique_keys(r#"{"a":1} x"#).is_err(), "trailing text");
}

#[test]
fn a_draft_is_at_most_256_kib() {
    let padded = |n: usize| format!("{SITE}{}", " ".repeat(n - SITE.len()));
    assert_eq!(MAX_CONFIG_BYTES, 256 * 1024);
    check(&seed(), &padded(MAX_CONFIG_BYTES)).unwrap();
    let e = check(&seed(), &padded(MAX_CONFIG_BYTES + 1)).unwrap_err();
    assert_eq!(e.code(), "body_too_large");
}

#[test]
fn a_draft_checks_as_the_build_does() {
    let mut d = draft();
    d["consent_lifetime_days"] = 400.into();
    let mut store = MemoryEditions::default();
    let b = base(&store);
    let e = save_draft(&mut store, &seed(), &d.to_string(), &b, "operator", NOW).unwrap_err();
    assert_eq!(e.code(), "lifetime_out_of_range");
    assert_eq!(store.draft().unwrap(), None, "a refused draft is not saved");
}

#[test]
fn a_draft_made_before_another_publish_is_stale() {
    let mut store = MemoryEditions::default();
    let before = base(&store);
    save_and_publish(&mut store, &titled("First")).unwrap();
    let e = save_draft(
        &mut store,
        &seed(),
        &titled("Second").to_string(),
        &before,
        "operator",
        NOW,
    )
    .unwrap_err();
    assert_eq!(e.code(), "draft_stale");
    assert!(e.to_string().contains("edition 1"), "{e}");
    assert_eq!(store.draft().unwrap(), None);
}

#[test]
fn a_deploy_between_save_and_publish_makes_the_draft_stale() {
    let mut store = MemoryEditions::default();
    let b = base(&store);
    save_draft(
        &mut store,
        &seed(),
        &titled("Mine").to_string(),
        &b,
        "operator",
        NOW,
    )
    .unwrap();
    let mut deployed = seed();
    deployed.consent_lifetime_days = 100;
    let e = publish(&mut store, &deployed, "operator", NOW).unwrap_err();
    // The draft keeps the old seed's lifetime... and its allowed fields
    // differ only there, so it is checked first as stale.
    assert_eq!(e.code(), "draft_stale");
    assert!(e.to_string().contains("the deployed file"), "{e}");
}

#[test]
fn publishing_nothing_new_or_nothing_at_all_is_refused() {
    let mut store = MemoryEditions::default();
    assert_eq!(
        publish(&mut store, &seed(), "operator", NOW)
            .unwrap_err()
            .code(),
        "draft_none"
    );
    assert_eq!(
        draft_config(&store, &seed()).unwrap_err().code(),
        "draft_none"
    );
    let e = save_and_publish(&mut store, &draft()).unwrap_err();
    assert_eq!(e.code(), "draft_unchanged");
    assert!(store.editions().unwrap().is_empty());
}

#[test]
fn a_storage_fault_publishes_nothing_and_keeps_the_draft() {
    let mut store = MemoryEditions::default();
    let b = base(&store);
    save_draft(
        &mut store,
        &seed(),
        &titled("Kept").to_string(),
        &b,
        "operator",
        NOW,
    )
    .unwrap();
    store.fail = true;
    let e = publish(&mut store, &seed(), "operator", NOW).unwrap_err();
    assert_eq!(e.code(), "storage_fault");
    store.fail = false;
    assert!(store.editions().unwrap().is_empty());
    assert!(store.draft().unwrap().is_some());
    assert_eq!(
        publish(&mut store, &seed(), "operator", NOW)
            .unwrap()
            .number,
        1
    );
}

#[test]
fn a_number_taken_twice_is_a_conflict() {
    let mut store = MemoryEditions::default();
    let e = save_and_publish(&mut store, &titled("One")).unwrap();
    assert_eq!(store.publish(&e), Err(StoreError::Conflict));
}

#[test]
fn a_new_deploy_is_in_force_over_an_older_edition() {
    let mut store = MemoryEditions::default();
    let e = save_and_publish(&mut store, &titled("Published")).unwrap();
    let mut deployed = seed();
    deployed.notice_version = "2027-01-01".into();
    let now = in_force(&deployed, Some(&e));
    assert_eq!((now.edition, now.config), (None, deployed.clone()));
    assert_eq!(now.hash, hash(&deployed));
}

#[test]
fn an_edition_in_force_takes_the_fixed_fields_from_the_deploy() {
    let mut config = SiteConfig::from_json(&titled("Edited").to_string()).unwrap();
    config.allowed_origins = vec!["https://old.example".into()];
    let edition = Edition {
        number: 4,
        notice_version: config.notice_version.clone(),
        hash: hash(&config),
        seed: hash(&seed()),
        published_ms: NOW,
        by: "operator".into(),
        config: serde_json::to_string(&config).unwrap(),
    };
    let now = in_force(&seed(), Some(&edition));
    assert_eq!(now.edition, Some(4));
    assert_eq!(now.config.allowed_origins, seed().allowed_origins);
    assert_eq!(now.config.notice("en").unwrap().texts.title, "Edited");
    // An edition that fails the checks leaves the deploy in force.
    let broken = Edition {
        config: "{}".into(),
        ..edition
    };
    assert_eq!(in_force(&seed(), Some(&broken)).edition, None);
}

#[test]
fn the_notice_version_counts_on_within_a_day_only() {
    assert_eq!(next_notice_version("2026-11-25", NOW), "2026-12-07");
    assert_eq!(next_notice_version("2026-12-07", NOW), "2026-12-07.2");
    assert_eq!(next_notice_version("2026-12-07.2", NOW), "2026-12-07.3");
    assert_eq!(next_notice_version("2026-12-07.x", NOW), "2026-12-07");
    assert_eq!(next_notice_version("2026-12-077", NOW), "2026-12-07");
    assert_eq!(next_notice_version("2026-12-06.4", NOW), "2026-12-07");
}
