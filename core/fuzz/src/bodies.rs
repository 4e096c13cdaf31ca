//! What each fuzz target does with its input: parse it with core's own
//! parser and, where it parses, check what must then hold. No input may
//! panic. The fuzz targets (`core/fuzz/fuzz_targets/<name>.rs`) call these
//! under libFuzzer; `core/tests/fuzz_regressions.rs` replays every input
//! saved in `core/tests/vectors/fuzz/<name>/` through the same function, so
//! a crash the fuzzer finds becomes a test for good.

use std::str::FromStr;
use std::sync::OnceLock;

use assent_core::admin::{AdminToken, KeyId, KeyName, Scopes};
use assent_core::config::SiteConfig;
use assent_core::event::{ConsentEvent, Context};
use assent_core::form::submission::FormSubmission;
use assent_core::ids::{EventId, SiteId, SubjectId};
use assent_core::keys::{Jwks, SigningKey};
use assent_core::log::{ConsistencyProof, InclusionProof, LogOrigin};
use assent_core::merkle;
use assent_core::note::{Checkpoint, SignedNote};
use assent_core::rights::import::{check_batch, check_row, header, Entry};

/// The server's clock in every target: a fixed day, so a run is repeatable.
const NOW_MS: u64 = 1_795_564_800_000;
/// The key tokens are checked under.
const TOKEN_KEY: [u8; 32] = [42; 32];

/// The vectors' site, whose rules events and submissions are checked by.
fn site() -> &'static SiteConfig {
    static SITE: OnceLock<SiteConfig> = OnceLock::new();
    SITE.get_or_init(|| {
        SiteConfig::from_json(include_str!("../../tests/vectors/site.json"))
            .expect("the vectors' site")
    })
}

/// The key receipts and checkpoints are verified against.
fn key() -> &'static SigningKey {
    static KEY: OnceLock<SigningKey> = OnceLock::new();
    KEY.get_or_init(|| SigningKey::from_seed([7; 32]))
}

fn ctx() -> Context<'static> {
    Context {
        now_ms: NOW_MS,
        self_origin: None,
    }
}

fn text(data: &[u8]) -> Option<&str> {
    std::str::from_utf8(data).ok()
}

/// A consent event: read, checked against the site; one that reads writes
/// back to itself.
pub fn event(data: &[u8]) {
    let Ok(event) = ConsentEvent::from_json(data) else {
        return;
    };
    let _ = event.validate(site(), &ctx());
    let again = serde_json::to_vec(&event).expect("an event serializes");
    assert_eq!(
        ConsentEvent::from_json(&again).expect("an event's own JSON reads"),
        event
    );
}

/// A site configuration, and the notice of each of its languages.
pub fn site_config(data: &[u8]) {
    let Some(json) = text(data) else { return };
    if let Ok(config) = SiteConfig::from_json(json) {
        for language in config.languages.keys() {
            let _ = config.notice(language);
        }
    }
}

/// A form submission, checked for the site's newsletter form.
pub fn form_submission(data: &[u8]) {
    if let Ok(submission) = FormSubmission::from_json(data) {
        let _ = submission.check(site(), "newsletter", &ctx(), Some("DE"));
    }
}

/// A signed note and a checkpoint, parsed and verified; a checkpoint that
/// reads writes back to the same text.
pub fn note(data: &[u8]) {
    let Some(note) = text(data) else { return };
    let _ = SignedNote::parse(note);
    let _ = Checkpoint::verify_any_origin(note, &[key().public()]);
    if let Ok(cp) = Checkpoint::parse_text(note) {
        assert_eq!(Checkpoint::parse_text(&cp.to_text()).ok(), Some(cp));
    }
}

/// A receipt (a JWS), verified against the key's JWKS.
pub fn receipt(data: &[u8]) {
    static JWKS: OnceLock<Jwks> = OnceLock::new();
    let jwks = JWKS.get_or_init(|| Jwks::new([key().public().to_jwk(None)]));
    if let Some(jws) = text(data) {
        let _ = assent_core::receipt::verify(jws, jwks);
    }
}

/// An inclusion or a consistency proof as the edge answers it, checked
/// against roots made of the input's first bytes.
pub fn proofs(data: &[u8]) {
    let mut root = [0u8; 32];
    let n = data.len().min(32);
    root[..n].copy_from_slice(&data[..n]);
    if let Ok(p) = serde_json::from_slice::<InclusionProof>(data) {
        let _ = merkle::verify_inclusion(&root, p.index, p.size, &p.hashes, &root);
    }
    if let Ok(p) = serde_json::from_slice::<ConsistencyProof>(data) {
        let _ = merkle::verify_consistency(p.from, p.to, &p.hashes, &root, &root);
    }
}

/// A batch of an imported list, and each of its rows alone.
pub fn import(data: &[u8]) {
    let batch = check_batch(data, 1);
    assert!(batch.report.rows <= data.split(|b| *b == b'\n').count() as u64);
    for line in data.split(|b| *b == b'\n') {
        let _ = check_row(line);
        let _ = header(line);
    }
}

/// A confirmation token, a privacy center token and a subject key.
pub fn tokens(data: &[u8]) {
    let Some(token) = text(data) else { return };
    let site = &site().site;
    let _ = assent_core::form::token::verify(&TOKEN_KEY, token, site, NOW_MS);
    for kind in [
        assent_core::rights::center::Kind::Link,
        assent_core::rights::center::Kind::Session,
    ] {
        let _ = assent_core::rights::center::verify(&TOKEN_KEY, token, site, kind, NOW_MS);
    }
    let _ = assent_core::subject_key::SubjectKey::parse(token);
    // An unsubscribe link's token: one that verifies says what it was issued for.
    if let Ok(claims) = assent_core::form::unsubscribe::verify(&TOKEN_KEY, token, site) {
        assert_eq!(&claims.site, site);
    }
}

/// An owner's key and everything else read from a string: scopes, key ids
/// and names, a JWKS, a signing key, the form and webhook secrets, a log's
/// origin, a verifier key, a date, the ids.
pub fn keys(data: &[u8]) {
    let _ = Jwks::from_json(data);
    let Some(s) = text(data) else { return };
    if let Ok(token) = AdminToken::from_str(s) {
        // A token that reads writes back to the same text.
        assert_eq!(token.to_string(), s);
    }
    let _ = Scopes::parse(s);
    let _ = KeyId::new(s);
    let _ = KeyName::new(s);
    let _ = SigningKey::from_secret(s);
    let _ = assent_core::form::secret::FormSecret::from_secret(s);
    let _ = assent_core::form::webhook::Secret::parse(s);
    let _ = LogOrigin::parse(s);
    let _ = assent_core::note::parse_verifier_key(s);
    let _ = assent_core::utc::parse_date(s);
    let _ = (SiteId::new(s), SubjectId::new(s), EventId::new(s));
}

/// The planted bug that shows the setup finds one (`make fuzz-planted`):
/// a "crash" on an imported row that core reads as the address
/// `bug@<anything>`. The fuzzer must build a row that passes core's whole
/// address check to reach it, so finding it in seconds shows the
/// instrumentation guides it through the real parser.
pub fn planted(data: &[u8]) {
    if let Ok(Entry::Email(email)) = check_row(data) {
        assert!(!email.starts_with("bug@"), "planted bug reached: {email}");
    }
}
