//! The record rendered for people: CSV for a spreadsheet
//! ([`ProcessingRecord::to_csv`]) and a printable HTML page
//! ([`ProcessingRecord::to_html`]), with the words and tables they share.

use super::{
    Category, ControllerEntry, FormEntry, ProcessingRecord, PurposeEntry, Recipient, Retention,
    ServiceEntry, CSV_HEADER,
};
use crate::config::{Contact, LegalBasis, StorageItem, StorageKind};
use crate::form::config::Channel;
use crate::html::escape;
use crate::rights::export::csv_rows;

/// `yes` or `no`.
fn yes(b: bool) -> &'static str {
    if b {
        "yes"
    } else {
        "no"
    }
}

/// The wire name of a legal basis (`legitimate_interests`).
fn basis(b: LegalBasis) -> &'static str {
    match b {
        LegalBasis::Consent => "consent",
        LegalBasis::Contract => "contract",
        LegalBasis::LegalObligation => "legal_obligation",
        LegalBasis::VitalInterests => "vital_interests",
        LegalBasis::PublicTask => "public_task",
        LegalBasis::LegitimateInterests => "legitimate_interests",
    }
}
/// The wire name of a storage kind (`local_storage`).
fn kind(k: StorageKind) -> &'static str {
    match k {
        StorageKind::Cookie => "cookie",
        StorageKind::LocalStorage => "local_storage",
        StorageKind::SessionStorage => "session_storage",
    }
}

/// How long a storage item lives, in words.
fn lifetime(item: &StorageItem) -> String {
    match (item.duration_days, item.kind) {
        (Some(1), _) => "1 day".into(),
        (Some(d), _) => format!("{d} days"),
        (None, StorageKind::LocalStorage) => "no expiry".into(),
        (None, _) => "session".into(),
    }
}

/// Channels as `email; sms`.
fn channels(c: &[Channel]) -> String {
    c.iter().map(|c| c.as_str()).collect::<Vec<_>>().join("; ")
}

/// A link when `url` is http(s), plain text otherwise (a record may be made
/// from an unvalidated configuration).
pub(super) fn link(url: &str) -> String {
    if url.starts_with("https://") || url.starts_with("http://") {
        format!("<a href=\"{0}\">{0}</a>", escape(url))
    } else {
        escape(url)
    }
}

/// The page's inline style, with its print rules.
const STYLE: &str = "body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;color:#1a1a1a;max-width:60rem;margin:2rem auto;padding:0 1rem}\
h1{font-size:1.6rem;margin:0 0 .3rem}h2{font-size:1.2rem;margin:2rem 0 .5rem;border-bottom:1px solid #bbb;padding-bottom:.2rem}\
h3{font-size:1rem;margin:1.2rem 0 .4rem}p.meta{color:#555;margin:0 0 1rem}\
table{border-collapse:collapse;width:100%;margin:.4rem 0 1rem}th,td{border:1px solid #bbb;padding:.3rem .5rem;text-align:left;vertical-align:top}\
th{background:#f0f0f0}dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}dt{font-weight:600}dd{margin:0}\
a{color:#1f4fd1}code{font-family:ui-monospace,monospace}\
@page{size:A4;margin:1.5cm}\
@media print{body{margin:0;max-width:none;font-size:10pt}a{color:inherit;text-decoration:none}\
h2,h3{break-after:avoid}tr,li{break-inside:avoid}thead{display:table-header-group}th{background:#eee;-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

/// An HTML table of `rows` under `header`; the cells must arrive escaped.
fn table(out: &mut String, header: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    out.push_str("<table><thead><tr>");
    for h in header {
        out.push_str(&format!("<th scope=\"col\">{}</th>", escape(h)));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        // Cells arrive escaped (some hold markup of their own).
        for cell in row {
            out.push_str(&format!("<td>{cell}</td>"));
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table>");
}

/// The table of a list of categories (of data subjects or of personal data).
fn categories_table(out: &mut String, list: &[Category]) {
    table(
        out,
        &["Category", "Description", "Source"],
        list.iter().map(|c| {
            let source = if c.forms.is_empty() {
                "every consent record".to_string()
            } else {
                format!("form {}", c.forms.join(", "))
            };
            vec![
                format!("<code>{}</code>", escape(&c.id)),
                escape(&c.description),
                escape(&source),
            ]
        }),
    );
}

impl ProcessingRecord {
    /// The record as CSV: one row per purpose and service (a purpose without
    /// services, and each form purpose, gets one row), the columns of
    /// [`CSV_HEADER`]; every cell a spreadsheet would run as a formula is
    /// neutralised ([`csv_rows`]).
    pub fn to_csv(&self) -> String {
        let c = &self.controller;
        let lifetime_days = self
            .retention
            .iter()
            .find(|r| r.data == "consent_choice")
            .and_then(|r| r.days);
        let banner_retention = |required: bool| match (required, lifetime_days) {
            (true, _) => {
                "always on (not a choice); records kept as proof in the append-only log".to_string()
            }
            (false, Some(d)) => format!(
                "choice asked again after {d} days; records kept as proof in the append-only log"
            ),
            (false, None) => "records kept as proof in the append-only log".to_string(),
        };
        let mut rows: Vec<Vec<String>> = Vec::new();
        for p in &self.purposes {
            let base = |service: Option<&ServiceEntry>| {
                vec![
                    c.name.clone(),
                    c.contact.clone(),
                    "banner".to_string(),
                    p.id.clone(),
                    p.name.clone(),
                    p.description.clone(),
                    basis(p.legal_basis).to_string(),
                    yes(p.required).to_string(),
                    yes(p.sale_or_sharing).to_string(),
                    String::new(),
                    service.map(|s| s.id.clone()).unwrap_or_default(),
                    service.map(|s| s.name.clone()).unwrap_or_default(),
                    service.map(|s| s.provider.clone()).unwrap_or_default(),
                    service
                        .map(|s| {
                            s.storage
                                .iter()
                                .map(|i| format!("{} {} ({})", kind(i.kind), i.name, lifetime(i)))
                                .collect::<Vec<_>>()
                                .join("; ")
                        })
                        .unwrap_or_default(),
                    banner_retention(p.required),
                ]
            };
            if p.services.is_empty() {
                rows.push(base(None));
            }
            for s in &p.services {
                rows.push(base(Some(s)));
            }
        }
        for f in &self.forms {
            for p in &f.purposes {
                rows.push(vec![
                    c.name.clone(),
                    c.contact.clone(),
                    format!("form {}", f.id),
                    p.id.clone(),
                    p.name.clone(),
                    p.description.clone(),
                    basis(p.legal_basis).to_string(),
                    "no".into(),
                    "no".into(),
                    channels(&p.channels),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    format!(
                        "waiting for confirmation: expires after {} hours; records kept as proof in the append-only log; identity until erasure",
                        f.confirm_within_hours
                    ),
                ]);
            }
        }
        // The controller's DPO and representative close every row, so a row
        // read alone still says whom to ask.
        let accountable = [c.dpo.as_ref(), c.eu_representative.as_ref()]
            .map(|who| who.map(Contact::line).unwrap_or_default());
        for row in &mut rows {
            row.extend(accountable.iter().cloned());
        }
        csv_rows(&CSV_HEADER, rows)
    }

    /// The Content-Security-Policy [`Self::to_html`]'s page is served with:
    /// its one stylesheet allowed by hash, nothing else
    /// ([`crate::html::page_policy`]).
    pub fn html_policy() -> String {
        crate::html::page_policy(STYLE)
    }

    /// The record as a printable, self-contained HTML page: no script, no
    /// outside resource, a small inline style with print rules, a heading
    /// per Art. 30(1) item; every text from the configuration is escaped.
    pub fn to_html(&self) -> String {
        let mut o = String::new();
        head(&mut o, self);
        controller_section(&mut o, &self.controller);
        purposes_section(&mut o, &self.purposes, &self.forms);
        categories_section(
            &mut o,
            "3. Categories of data subjects",
            &self.data_subjects,
        );
        categories_section(
            &mut o,
            "4. Categories of personal data",
            &self.personal_data,
        );
        recipients_section(&mut o, &self.recipients);
        transfers_section(&mut o, &self.international_transfers);
        retention_section(&mut o, &self.retention);
        security_section(&mut o, &self.security_measures);
        o.push_str("</main></body></html>\n");
        o
    }
}

/// The page's head (title, inline style) and its heading with the site,
/// notice version and language.
fn head(o: &mut String, r: &ProcessingRecord) {
    let title = format!("Record of processing activities: {}", r.site);
    o.push_str(&format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width\"><meta name=\"referrer\" content=\"no-referrer\">\
<title>{}</title><style>{STYLE}</style></head><body><main>",
        escape(&title)
    ));
    o.push_str(&format!(
        "<h1>{}</h1><p class=\"meta\">GDPR Art. 30(1), generated by Assent from the site configuration \
(site <code>{}</code>, notice version <code>{}</code>; purposes in language <code>{}</code>).</p>",
        escape(&title),
        escape(&r.site),
        escape(&r.notice_version),
        escape(&r.language),
    ));
}

/// Section 1: the controller, its contact and its privacy policy.
fn controller_section(o: &mut String, c: &ControllerEntry) {
    o.push_str("<section><h2>1. Controller</h2><dl>");
    o.push_str(&format!(
        "<dt>Name</dt><dd>{}</dd><dt>Contact</dt><dd>{}</dd><dt>Privacy policy</dt><dd>{}</dd>",
        escape(&c.name),
        escape(&c.contact),
        link(&c.privacy_policy)
    ));
    for (title, who) in [
        ("Data protection officer", &c.dpo),
        ("Representative in the Union", &c.eu_representative),
    ] {
        let shown = who.as_ref().map_or_else(
            || "none stated in the configuration".to_string(),
            |w| escape(&w.line()),
        );
        o.push_str(&format!("<dt>{title}</dt><dd>{shown}</dd>"));
    }
    o.push_str("</dl></section>");
}

/// Section 2: the banner's purposes, each one's services, then the forms.
fn purposes_section(o: &mut String, purposes: &[PurposeEntry], forms: &[FormEntry]) {
    o.push_str("<section><h2>2. Purposes of processing</h2>");
    table(
        o,
        &[
            "Purpose",
            "Description",
            "Legal basis",
            "Required",
            "Sale or sharing",
            "Services",
        ],
        purposes.iter().map(|p| {
            vec![
                format!("{} <code>{}</code>", escape(&p.name), escape(&p.id)),
                escape(&p.description),
                escape(basis(p.legal_basis)),
                yes(p.required).into(),
                yes(p.sale_or_sharing).into(),
                p.services.len().to_string(),
            ]
        }),
    );
    for p in purposes {
        purpose_services(o, p);
    }
    for f in forms {
        form_details(o, f);
    }
    o.push_str("</section>");
}

/// A purpose's services: a row per storage item each sets (one row for a
/// service that sets none).
fn purpose_services(o: &mut String, p: &PurposeEntry) {
    o.push_str(&format!(
        "<h3>Services for {} <code>{}</code></h3>",
        escape(&p.name),
        escape(&p.id)
    ));
    if p.services.is_empty() {
        o.push_str("<p>No services are configured for this purpose.</p>");
        return;
    }
    table(
        o,
        &["Service", "Provider", "Stores", "Kind", "Duration"],
        p.services.iter().flat_map(|s| {
            let service = format!("{} <code>{}</code>", escape(&s.name), escape(&s.id));
            if s.storage.is_empty() {
                return vec![vec![
                    service,
                    escape(&s.provider),
                    "nothing configured".into(),
                    String::new(),
                    String::new(),
                ]];
            }
            s.storage
                .iter()
                .map(|i| {
                    vec![
                        service.clone(),
                        escape(&s.provider),
                        format!("<code>{}</code>", escape(&i.name)),
                        escape(kind(i.kind)),
                        escape(&lifetime(i)),
                    ]
                })
                .collect()
        }),
    );
}

/// An opt-in form: its double opt-in and privacy information, its purposes
/// with their channels, the identity fields it asks and its age rule.
fn form_details(o: &mut String, f: &FormEntry) {
    o.push_str(&format!(
        "<h3>Opt-in form <code>{}</code></h3><p>Double opt-in: {}; confirmation within {} hours. Privacy information: {}.</p>",
        escape(&f.id),
        yes(f.double_opt_in),
        f.confirm_within_hours,
        link(&f.privacy_policy)
    ));
    table(
        o,
        &["Purpose", "Description", "Legal basis", "Channels"],
        f.purposes.iter().map(|p| {
            vec![
                format!("{} <code>{}</code>", escape(&p.name), escape(&p.id)),
                escape(&p.description),
                escape(basis(p.legal_basis)),
                escape(&channels(&p.channels)),
            ]
        }),
    );
    let fields: Vec<String> = f
        .identity_fields
        .iter()
        .map(|i| {
            format!(
                "{} ({})",
                escape(&i.field),
                if i.required { "required" } else { "optional" }
            )
        })
        .collect();
    o.push_str(&format!("<p>Identity fields asked: {}.", fields.join(", ")));
    if let Some(age) = &f.age {
        o.push_str(&format!(
            " Age of digital consent: {} by default, {} country rules.",
            age.default,
            age.countries.len()
        ));
    }
    o.push_str("</p>");
}

/// Sections 3 and 4: a list of categories (of data subjects or of personal
/// data) under its numbered `heading`.
fn categories_section(o: &mut String, heading: &str, list: &[Category]) {
    o.push_str(&format!("<section><h2>{heading}</h2>"));
    categories_table(o, list);
    o.push_str("</section>");
}

/// Section 5: the recipients, what they receive and for which purposes.
fn recipients_section(o: &mut String, recipients: &[Recipient]) {
    o.push_str("<section><h2>5. Recipients</h2>");
    table(
        o,
        &["Recipient", "Kind", "Purposes", "Services", "Receives"],
        recipients.iter().map(|r| {
            let name = if r.controller_itself {
                format!("{} (the controller itself)", escape(&r.name))
            } else {
                escape(&r.name)
            };
            vec![
                name,
                escape(&r.kind),
                escape(&r.purposes.join(", ")),
                escape(&r.services.join(", ")),
                escape(&r.receives),
            ]
        }),
    );
    o.push_str("</section>");
}

/// Section 6: the transfers to third countries.
fn transfers_section(o: &mut String, transfers: &str) {
    o.push_str(&format!(
        "<section><h2>6. Transfers to third countries</h2><p>{} \
The controller adds any transfer a provider makes.</p></section>",
        escape(transfers)
    ));
}

/// Section 7: the time limits for erasure, per kind of data.
fn retention_section(o: &mut String, retention: &[Retention]) {
    o.push_str("<section><h2>7. Time limits for erasure</h2>");
    table(
        o,
        &["Data", "Form", "Period"],
        retention.iter().map(|r| {
            vec![
                format!("<code>{}</code>", escape(&r.data)),
                escape(r.form.as_deref().unwrap_or("")),
                escape(&r.period),
            ]
        }),
    );
    o.push_str("</section>");
}

/// Section 8: the security measures, as a list.
fn security_section(o: &mut String, measures: &[String]) {
    o.push_str("<section><h2>8. Technical and organisational security measures</h2><ul>");
    for m in measures {
        o.push_str(&format!("<li>{}</li>", escape(m)));
    }
    o.push_str("</ul></section>");
}
