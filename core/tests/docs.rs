//! The error codes' page (`docs/errors.md`) against core's enums: the same
//! codes, each with the class and status `ErrorClass` gives its variant, so
//! the reference cannot drift from the code.

use std::collections::{BTreeMap, BTreeSet};

use assent_core::error::ErrorClass;

/// Every category's enum with its `code()` (one file each).
const MOD: &[&str] = &[
    include_str!("../src/error/config.rs"),
    include_str!("../src/error/syntax.rs"),
    include_str!("../src/error/event.rs"),
    include_str!("../src/error/form.rs"),
    include_str!("../src/error/log.rs"),
    include_str!("../src/error/key.rs"),
    include_str!("../src/error/storage.rs"),
    include_str!("../src/error/access.rs"),
    include_str!("../src/error/rights.rs"),
    include_str!("../src/error/request.rs"),
];
const CLASS: &str = include_str!("../src/error/class.rs");
const DOC: &str = include_str!("../../docs/errors.md");

/// `XError::Variant` tokens of a text, in order.
fn variants(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("Error::") {
        let start = text[..i]
            .rfind(|c: char| !c.is_ascii_alphanumeric())
            .map_or(0, |p| p + 1);
        let rest = &text[i + "Error::".len()..];
        let end = rest
            .find(|c: char| !c.is_ascii_alphanumeric())
            .unwrap_or(rest.len());
        out.push(format!("{}::{}", &text[start..i + 5], &rest[..end]));
    }
    out
}

/// Variant -> code, from the `code()` matches (`XError::V { .. } => "code",`).
fn codes() -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for line in MOD.iter().flat_map(|m| m.lines()) {
        let Some((lhs, rhs)) = line.split_once("=> \"") else {
            continue;
        };
        let code = rhs.split('"').next().unwrap().to_string();
        for v in variants(lhs) {
            out.insert(v, code.clone());
        }
    }
    out
}

/// Variant -> class name, from `class()`'s arms (variants up to `=> Class`).
fn classes() -> BTreeMap<String, String> {
    let body = &CLASS[CLASS.find("pub fn class").unwrap()..];
    let mut out = BTreeMap::new();
    let mut pending = Vec::new();
    for line in body.lines() {
        let (lhs, class) = match line.split_once("=> ") {
            Some((l, r)) => (l, Some(r.trim_end_matches(',').trim())),
            None => (line, None),
        };
        pending.extend(variants(lhs));
        if let Some(class) = class.filter(|c| c.chars().all(|c| c.is_ascii_alphabetic())) {
            for v in pending.drain(..) {
                out.insert(v, class.to_string());
            }
        } else if class.is_some() {
            pending.clear();
        }
    }
    out
}

fn status(class: &str) -> u16 {
    let c = match class {
        "Invalid" => ErrorClass::Invalid,
        "Unauthorized" => ErrorClass::Unauthorized,
        "Forbidden" => ErrorClass::Forbidden,
        "NotFound" => ErrorClass::NotFound,
        "Conflict" => ErrorClass::Conflict,
        "Gone" => ErrorClass::Gone,
        "Fault" => ErrorClass::Fault,
        "MethodNotAllowed" => ErrorClass::MethodNotAllowed,
        "TooLarge" => ErrorClass::TooLarge,
        "TooMany" => ErrorClass::TooMany,
        other => panic!("no class {other}"),
    };
    c.status()
}

#[test]
fn every_variant_has_a_code_and_a_class() {
    let (codes, classes) = (codes(), classes());
    assert!(codes.len() > 80, "{} variants", codes.len());
    let with_code: BTreeSet<&String> = codes.keys().collect();
    let with_class: BTreeSet<&String> = classes.keys().collect();
    assert_eq!(with_code, with_class);
}

#[test]
fn the_error_page_lists_every_code_with_its_class_and_status() {
    let (codes, classes) = (codes(), classes());
    let mut rows = BTreeMap::new();
    for line in DOC.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line
            .split(" | ")
            .map(|c| c.trim_matches(['|', ' ', '`']))
            .collect();
        rows.insert(
            format!("{}::{}", cells[0], cells[1]),
            (cells[2].to_string(), cells[3].to_string()),
        );
    }
    let mut expected = BTreeMap::new();
    for (variant, code) in &codes {
        let enum_name = variant.split("::").next().unwrap();
        let class = &classes[variant];
        expected
            .entry(format!("{enum_name}::{code}"))
            .or_insert((class.clone(), status(class).to_string()));
    }
    assert_eq!(rows, expected, "docs/errors.md against core");
}

const API: &str = include_str!("../../docs/api.md");

#[test]
fn the_api_page_documents_every_route_of_core_s_table() {
    let undocumented: Vec<String> = assent_core::api::ROUTES
        .iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .filter(|r| !API.contains(r.as_str()))
        .collect();
    assert_eq!(
        undocumented,
        Vec::<String>::new(),
        "routes docs/api.md does not name"
    );
    let mut seen = BTreeSet::new();
    for r in assent_core::api::ROUTES {
        assert!(
            seen.insert((r.method, r.path)),
            "{} {} twice",
            r.method,
            r.path
        );
    }
}

#[test]
fn the_route_index_is_core_s_table_in_order() {
    let listed: Vec<&str> = API
        .lines()
        .skip_while(|l| *l != "## Route index")
        .skip_while(|l| !l.starts_with("- `"))
        .take_while(|l| l.starts_with("- `"))
        .collect();
    let table: Vec<String> = assent_core::api::ROUTES
        .iter()
        .map(|r| format!("- `{} {}`: {}", r.method, r.path, r.what))
        .collect();
    assert_eq!(listed, table);
}

/// Whether `path` (its query aside) is an instance of the route pattern
/// `pattern`: `{name}` matches one non-empty segment.
fn instance_of(path: &str, pattern: &str) -> bool {
    let path = path.split('?').next().unwrap();
    let (a, b): (Vec<&str>, Vec<&str>) = (path.split('/').collect(), pattern.split('/').collect());
    a.len() == b.len()
        && a.iter().zip(&b).all(|(seg, pat)| {
            (pat.starts_with('{') && pat.ends_with('}') && !seg.is_empty()) || seg == pat
        })
}

#[test]
fn every_path_core_builds_is_a_route_of_the_table() {
    use assent_core::api::{self, ROUTES};
    use assent_core::ids::{FormId, NoticeHash, SiteId, SubjectId};
    use assent_core::shards::ShardIndex;
    let site = SiteId::new("demo").unwrap();
    let form = FormId::new("newsletter").unwrap();
    let subject = SubjectId::new("9f0c2a6e-4f8b-4c1d-9a3e-2b7d5c8e1f40").unwrap();
    let hash = NoticeHash::new(&"a".repeat(64)).unwrap();
    let shard = ShardIndex::new(2).unwrap();
    let built = [
        api::JWKS.to_string(),
        api::config(&site),
        api::events(&site),
        api::checkpoint(&site),
        api::checkpoints(&site),
        api::checkpoint_of(&site, shard),
        api::inclusion(&site, 3, 8),
        api::inclusion_in(&site, shard, 3, 8),
        api::consistency(&site, 3, 8),
        api::consistency_in(&site, shard, 3, 8),
        api::notice(&site, &hash),
        api::admin_events(&site),
        api::admin_export(&site),
        api::form(&site, &form),
        api::submissions(&site, &form),
        api::confirm(&site),
        api::confirm_phone(&site),
        api::my_state(&site),
        api::admin_state(&site, &subject),
        api::admin_mail(&site),
        api::admin_key_erase_name(&site, "0123456789abcdef"),
        api::admin_breaches(&site),
        api::admin_backup(&site),
        api::admin_restore_step(&site, "check"),
        api::admin_restore_step(&site, "pages"),
        api::admin_restore_step(&site, "end"),
        api::admin_breach(&site, "b0123456789abcdef"),
        api::my_withdraw(&site),
        api::admin_subjects(&site),
        api::admin_subject_export(&site, &subject),
        api::admin_erasure(&site, &subject),
        api::admin_keys(&site),
        api::admin_key_revoke(&site, "0123456789abcdef"),
        api::admin_audit(&site),
        api::admin_processing_record(&site),
        api::admin_config(&site),
        api::admin_config_part(&site, "draft"),
        api::admin_config_part(&site, "draft/preview"),
        api::admin_config_part(&site, "publish"),
        api::admin_config_part(&site, "editions"),
        api::admin_config_part(&site, "editions/3"),
        api::admin_suppressions_import(&site),
        api::privacy(&site),
        api::privacy_open(&site),
        api::admin_requests(&site),
        api::admin_restriction(&site, &subject),
        api::admin_restore(&site, &subject),
        api::admin_recycle_bin(&site),
        api::admin_recycle_bin_purge(&site),
        api::admin_rectification(&site, &subject),
        api::admin_objection(&site, &subject),
    ];
    let strays: Vec<&String> = built
        .iter()
        .filter(|p| !ROUTES.iter().any(|r| instance_of(p, r.path)))
        .collect();
    assert_eq!(
        strays,
        Vec::<&String>::new(),
        "paths no route of the table takes"
    );
    assert!(!instance_of(
        "/v1/sites/demo/nothing",
        "/v1/sites/{site}/config"
    ));
}
