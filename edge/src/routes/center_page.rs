//! The privacy center's page, section by section: what the person agreed
//! to on the forms and in the banner, their history with its receipts, and
//! their downloads and requests. Every text is escaped; every action is a
//! small form that posts to the center's act route with the session.

use assent_core::config::SiteConfig;
use assent_core::rights::banner;
use assent_core::rights::export::SubjectExport;
use assent_core::rights::requests::{RequestKind, SubjectRequest};
use assent_core::utc::rfc3339;

use crate::routes::page::escape;

/// The center's action buttons: each a small form posting to the act
/// route with the session.
pub(crate) struct Buttons {
    pub(crate) action: String,
    pub(crate) hidden: String,
}

impl Buttons {
    fn button(&self, fields: &str, label: &str, quiet: bool) -> String {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"{}\">{}{fields}<button type=\"submit\"{}>{}</button></form>",
            escape(&self.action),
            self.hidden,
            if quiet { " class=\"quiet\"" } else { "" },
            escape(label)
        )
    }
}

/// The form offers and their state, each one core lets the person withdraw
/// with its button.
pub(crate) fn offers_section(export: &SubjectExport, buttons: &Buttons) -> String {
    if export.state.is_empty() {
        return String::new();
    }
    let mut main = String::from("<section><h2>What you agreed to</h2><table><thead><tr><th>Channel and purpose</th><th>State</th><th>Since</th><th></th></tr></thead><tbody>");
    for (offer, status) in &export.state {
        let state = serde_json::to_value(status.state)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let action = if status.state.is_withdrawable() {
            buttons.button(
                &format!("<input type=\"hidden\" name=\"action\" value=\"withdraw\"><input type=\"hidden\" name=\"offer\" value=\"{}\">", escape(offer)),
                "Withdraw",
                true,
            )
        } else {
            String::new()
        };
        main.push_str(&format!(
            "<tr data-offer=\"{o}\" data-state=\"{s}\"><td>{o}</td><td>{s}</td><td>{}</td><td>{action}</td></tr>",
            &rfc3339(status.since_ms)[..10],
            o = escape(offer),
            s = escape(&state),
        ));
    }
    main.push_str("</tbody></table></section>");
    main
}

/// The banner choice in force, per purpose.
pub(crate) fn banner_section(
    site: &SiteConfig,
    export: &SubjectExport,
    buttons: &Buttons,
) -> String {
    let records: Vec<&assent_core::record::StoredRecord> =
        export.records.iter().map(|r| &r.record).collect();
    let now_ms = worker::Date::now().as_millis();
    let Some(choice) = banner::in_force(site, records.iter().copied(), now_ms) else {
        return String::new();
    };
    let mut main = format!(
        "<section><h2>Cookies and similar technologies</h2><p>Your choice in the banner of {}, as the site's pages apply it.</p>\
         <table><thead><tr><th>Purpose</th><th>State</th><th>Since</th><th></th></tr></thead><tbody>",
        escape(&site.controller.name)
    );
    let since = &rfc3339(choice.event.client_time_ms)[..10];
    for p in site.purposes.iter() {
        let granted = choice.event.decisions.get(&p.id) == Some(&true);
        let state = if p.required {
            "required"
        } else if granted {
            "granted"
        } else {
            "refused"
        };
        let action = if granted && !p.required {
            buttons.button(
                &format!("<input type=\"hidden\" name=\"action\" value=\"withdraw\"><input type=\"hidden\" name=\"purpose\" value=\"{}\">", escape(&p.id)),
                "Withdraw",
                true,
            )
        } else {
            String::new()
        };
        main.push_str(&format!(
            "<tr data-purpose=\"{id}\" data-state=\"{state}\"><td>{id}</td><td>{state}</td><td>{since}</td><td>{action}</td></tr>",
            id = escape(&p.id),
        ));
    }
    main.push_str("</tbody></table></section>");
    main
}

/// The subject's records with their receipts.
pub(crate) fn history_section(export: &SubjectExport) -> String {
    let mut main = String::new();
    main.push_str("<section><h2>History</h2><ol>");
    for r in &export.records {
        let t = &r.ts27560;
        let channels: Vec<String> = t
            .channels
            .iter()
            .map(|c| {
                format!(
                    "{}:{} {}",
                    c.channel,
                    c.purpose,
                    if c.granted { "yes" } else { "no" }
                )
            })
            .collect();
        // The owner's word is never shown as the person's own choice.
        let owner = r
            .record
            .form
            .as_ref()
            .and_then(|f| f.attested.as_ref())
            .map(|a| format!(" <em data-attested>{}</em>", escape(&a.describe())))
            .unwrap_or_default();
        main.push_str(&format!(
            "<li data-record=\"{}\"><strong>{}</strong> {} by {}; shown notice {} ({}), hash <code>{}</code>. {}{owner}\
             <details><summary>Receipt</summary><code data-receipt>{}</code></details></li>",
            escape(&t.record_id),
            escape(&t.event_type),
            escape(&t.event_time[..16].replace('T', " ")),
            escape(&t.collection_method),
            escape(&t.notice_version),
            escape(&t.notice_language),
            escape(&t.notice_hash),
            escape(&channels.join(", ")),
            escape(&r.receipt),
        ));
    }
    main.push_str("</ol></section>");
    // Notes the site keeps about the person are theirs to read (Art. 15).
    if !export.notes.is_empty() {
        main.push_str("<section><h2>Notes the site keeps about you</h2><ul>");
        for n in &export.notes {
            main.push_str(&format!(
                "<li data-note>{}: {}</li>",
                escape(&n.at[..10]),
                escape(&n.text)
            ));
        }
        main.push_str("</ul></section>");
    }
    main
}

/// Who answers for the data (GDPR Art. 13(1)(a) and (b)): the controller,
/// its data protection officer and its representative in the Union, where
/// the configuration names them, with the privacy policy.
pub(crate) fn who_answers(c: &assent_core::config::Controller) -> String {
    let mut out = format!(
        "<section data-who-answers><h2>Who answers for your data</h2><dl><dt>Controller</dt><dd>{} ({})</dd>",
        escape(&c.name),
        escape(&c.contact)
    );
    if let Some(dpo) = &c.dpo {
        out.push_str(&format!(
            "<dt>Data protection officer</dt><dd data-dpo>{}</dd>",
            escape(&dpo.line())
        ));
    }
    if let Some(rep) = &c.eu_representative {
        out.push_str(&format!(
            "<dt>Representative in the EU</dt><dd data-eu-representative>{}</dd>",
            escape(&rep.line())
        ));
    }
    out.push_str(&format!(
        "</dl><p><a href=\"{}\">Privacy policy</a></p></section>",
        escape(&c.privacy_policy)
    ));
    out
}

/// The downloads and the rights requests, asked and answered.
pub(crate) fn rights_section(requests: &[SubjectRequest], buttons: &Buttons) -> String {
    let mut main = String::new();
    main.push_str(
        "<section><h2>Download</h2><p>Everything above, with receipts anyone can verify.</p>",
    );
    main.push_str(&buttons.button(
        "<input type=\"hidden\" name=\"action\" value=\"download\"><input type=\"hidden\" name=\"format\" value=\"json\">",
        "Download JSON",
        true,
    ));
    main.push(' ');
    main.push_str(&buttons.button(
        "<input type=\"hidden\" name=\"action\" value=\"download\"><input type=\"hidden\" name=\"format\" value=\"csv\">",
        "Download CSV",
        true,
    ));
    main.push_str("</section><section><h2>Your rights</h2><p>");
    main.push_str(&buttons.button(
        "<input type=\"hidden\" name=\"action\" value=\"request\"><input type=\"hidden\" name=\"kind\" value=\"access\">",
        "Ask for a copy of all your data",
        true,
    ));
    main.push(' ');
    main.push(' ');
    main.push_str(&buttons.button(
        "<input type=\"hidden\" name=\"action\" value=\"request\"><input type=\"hidden\" name=\"kind\" value=\"restriction\">",
        "Ask to restrict the use of your data",
        true,
    ));
    main.push_str("</p><p>");
    main.push_str(&buttons.button(
        "<input type=\"hidden\" name=\"action\" value=\"request\"><input type=\"hidden\" name=\"kind\" value=\"objection\">\
         <label for=\"objection-channel\">Never contact me by</label> <select id=\"objection-channel\" name=\"channel\">\
         <option value=\"email\">email</option><option value=\"sms\">text message</option><option value=\"phone\">phone</option><option value=\"post\">post</option></select> ",
        "Object",
        true,
    ));
    main.push_str("</p><p>");
    main.push_str(&buttons.button(
        "<input type=\"hidden\" name=\"action\" value=\"request\"><input type=\"hidden\" name=\"kind\" value=\"rectification\">\
         <label for=\"rectification-detail\">What is wrong in your data, and what is right</label> \
         <textarea id=\"rectification-detail\" name=\"detail\" maxlength=\"1000\" rows=\"2\" required></textarea> ",
        "Ask for a correction",
        true,
    ));
    // Erasure last and plain: the drastic action is never the most prominent.
    main.push_str("</p><p>");
    main.push_str(&buttons.button(
        "<input type=\"hidden\" name=\"action\" value=\"request\"><input type=\"hidden\" name=\"kind\" value=\"erasure\">",
        "Ask for erasure",
        false,
    ));
    main.push_str("</p><ul>");
    for r in requests {
        let kind = match r.kind {
            RequestKind::Access => "Copy",
            RequestKind::Erasure => "Erasure",
            RequestKind::Rectification => "Correction",
            RequestKind::Restriction => "Restriction",
            RequestKind::Objection => "Objection",
        };
        // A refusal says why (Art. 12(4)).
        let why = r
            .reason
            .as_deref()
            .map(|reason| format!(": <q data-reason>{}</q>", escape(reason)))
            .unwrap_or_default();
        let status = serde_json::to_value(r.status)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        main.push_str(&format!(
            "<li data-request=\"{}\" data-status=\"{}\">{kind}: asked {}, {}{why} (answer due by {})</li>",
            escape(r.id.as_str()),
            escape(&status),
            &rfc3339(r.received_ms)[..10],
            escape(&status),
            &rfc3339(r.due_ms)[..10],
        ));
    }
    main.push_str("</ul></section>");
    main
}
