//! `assent verify tc-string`: a record's IAB TC string checked again by the
//! auditor, not taken on the edge's word.

use assent_core::api;
use assent_core::canonical::to_canonical_bytes;
use assent_core::ids::NoticeHash;
use assent_core::log::archive;

use crate::verify::{fetch_notice, invalid, record_of, url};
use crate::CliError;

/// `assent verify tc-string`: a record's IAB TC string is the string of its
/// choice, by core's one rule (`tcf::choice`), over the notice and the
/// vendor disclosure the edge's archive keeps (each checked against the hash
/// that names it). It does not take the edge's word that it checked the
/// string when it stored it: the rule runs here again.
pub fn verify(edge: &str, jwks: Option<&str>, file: &str) -> Result<(), CliError> {
    use assent_core::notice::Notice;
    use assent_core::tcf::choice::{self, Choice};
    use assent_core::tcf::gvl::Disclosure;
    use assent_core::tcf::TcString;

    let (record, signed) = record_of(file, jwks, edge)?;
    let event = &record.event;
    let Some(text) = &event.tc_string else {
        return Err(invalid(format!(
            "event {} carries no TC string",
            event.event_id
        )));
    };
    let made = TcString::decode(text)
        .map_err(|why| invalid(format!("the TC string does not decode: {why}")))?;
    let hash = NoticeHash::new(&event.notice.hash)?;
    let bytes = fetch_notice(&url(edge, &api::notice(&event.site, &hash)))?;
    archive::check(&event.site, &event.notice, &bytes)?;
    let notice: Notice = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(format!("the notice {hash} is not a banner notice: {e}")))?;
    let Some(tcf) = &notice.tcf else {
        return Err(invalid(format!(
            "the notice {hash} has no TCF settings: no string can be its choice's"
        )));
    };
    let named = NoticeHash::new(&tcf.disclosure)?;
    let bytes = fetch_notice(&url(edge, &api::notice(&event.site, &named)))?;
    let disclosure: Disclosure = serde_json::from_slice(&bytes)
        .map_err(|e| invalid(format!("the disclosure {named} is not one: {e}")))?;
    let exact = to_canonical_bytes(&disclosure).map_err(|e| CliError::Io(e.to_string()))?;
    if exact != bytes || disclosure.hash() != tcf.disclosure {
        return Err(invalid(format!(
            "the archive's disclosure is not the bytes of {named}"
        )));
    }
    let site = choice::Site::of_notice(&notice).ok_or_else(|| invalid("no TCF settings"))?;
    let choice = Choice {
        decisions: &event.decisions,
        services: &event.services,
        language: &event.notice.language,
        at_ms: event.client_time_ms,
    };
    if choice::tc_string(&site, &disclosure, &choice) != made {
        return Err(invalid(format!(
            "the TC string of event {} is not the string of its choice",
            event.event_id
        )));
    }
    let list = |ids: &mut dyn Iterator<Item = String>| {
        let all: Vec<String> = ids.collect();
        if all.is_empty() {
            "none".to_string()
        } else {
            all.join(",")
        }
    };
    println!(
        "VALID TC string: event {} of site {}: the string of its choice under notice {hash} \
         and vendor list {} (disclosure {named}); purposes consented {}, vendors consented {}, \
         vendors disclosed {}{}",
        event.event_id,
        event.site,
        made.vendor_list_version,
        list(&mut made.purpose_consents.iter().map(|p| p.to_string())),
        list(&mut made.vendor_consents.0.iter().map(|v| v.to_string())),
        list(
            &mut made
                .disclosed_vendors
                .iter()
                .flat_map(|d| d.0.iter())
                .map(|v| v.to_string())
        ),
        if signed {
            " (receipt signature verified)"
        } else {
            ""
        },
    );
    Ok(())
}
