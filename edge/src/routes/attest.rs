//! `POST /v1/admin/sites/{site}/attestations`: the owner's record of consent
//! given offline, or of another lawful basis (`assent_core::form::attest`),
//! one object or a batch (a JSON array of up to `MAX_BATCH`, a legacy
//! CRM's file a batch at a time). Each is checked here (the key's id as who
//! recorded it, the address's lookup key under the form secret) and
//! recorded in the contacts' home shard; in a batch, one refused changes
//! none of the others, and each row's answer says what became of it.

use assent_core::admin::Principal;
use assent_core::config::SiteConfig;
use assent_core::form::attest::{Attest, MAX_BATCH};
use assent_core::form::identity::lookup_key;
use worker::{Env, Response};

use super::admin::{appended, json_value};
use crate::error::ApiError;
use crate::messages::{self, AttestOutcome, AttestRequest};
use crate::routes::{edge_context, fresh_event_id};

/// Answers one attestation as its record (`201`, or `200` for a repeat),
/// a batch as `200 {"results": [...]}` in order: `{"event_id", "status":
/// "new"|"repeat", "receipt"}` or `{"error": {"code", "message"}}`.
pub(super) async fn post(
    body: &[u8],
    env: &Env,
    site: &'static SiteConfig,
    principal: &Principal,
) -> Result<Response, ApiError> {
    let batch = body.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b'[');
    let items = if batch {
        Attest::batch_from_json(body)?
    } else {
        vec![Attest::from_json(body)?]
    };
    debug_assert!(items.len() <= MAX_BATCH);
    let secret = crate::routes::forms::form_secret(env)?;
    let by = match principal {
        Principal::Operator => principal.name().to_owned(),
        Principal::Key { id, .. } => id.to_string(),
    };
    let ctx = edge_context(env, &site.site)?;
    // Checked here; what failed keeps its place in the answer.
    let mut checked = Vec::with_capacity(items.len());
    let mut slots = Vec::with_capacity(items.len());
    for item in items {
        let id = fresh_event_id()?;
        let one = item.check(site, &by, ctx.now_ms, id, |email| {
            lookup_key(secret.lookup(), &site.site, email)
        });
        slots.push(match one {
            Ok(a) => {
                checked.push(a);
                None
            }
            Err(e) => Some(AttestOutcome::Refused(ApiError::from(e).to_wire())),
        });
    }
    let ids: Vec<_> = checked.iter().map(|a| a.event_id.clone()).collect();
    let mut stored = if checked.is_empty() {
        Vec::new()
    } else {
        let request = AttestRequest {
            attested: checked,
            ctx,
        };
        messages::call(env, &site.site, &messages::ATTEST, &request).await?
    }
    .into_iter()
    .zip(ids);
    let mut results = Vec::with_capacity(slots.len());
    for slot in slots {
        let (outcome, id) = match slot {
            Some(refused) => (refused, None),
            None => {
                let (o, id) = stored.next().ok_or_else(|| {
                    ApiError::Internal("an attestation without its outcome".into())
                })?;
                (o, Some(id))
            }
        };
        results.push((outcome, id));
    }
    if !batch {
        return match results.pop() {
            Some((AttestOutcome::Recorded(a), _)) => appended(a),
            Some((AttestOutcome::Refused(e), _)) => Err(ApiError::Relayed(e)),
            None => Err(ApiError::Internal("no outcome".into())),
        };
    }
    let rows: Vec<serde_json::Value> = results
        .into_iter()
        .map(|(outcome, id)| match outcome {
            AttestOutcome::Recorded(a) => serde_json::json!({
                "event_id": id,
                "status": if a.status == assent_core::log::sequencer::AppendStatus::New { "new" } else { "repeat" },
                "receipt": a.receipt,
            }),
            AttestOutcome::Refused(e) => {
                serde_json::json!({ "error": { "code": e.code, "message": e.message } })
            }
        })
        .collect();
    json_value(&serde_json::json!({ "results": rows }), 200)
}
