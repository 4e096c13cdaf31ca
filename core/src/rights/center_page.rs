//! The privacy center's page, section by section, in the visitor's words
//! and language: what they agreed to on the forms and in the banner, each
//! row by the text they were shown; what happened, one plain sentence per
//! record with its proof (notice version, hash, receipt) behind a
//! disclosure; their downloads and rights, erasure last, quiet and behind a
//! confirmation step; who answers for their data. No I/O: the edge hands it
//! the person's export and requests and serves the HTML it returns.
//!
//! Every text is escaped; every action is a small form that posts to the
//! center's act route with the session and the language.

use crate::config::{SiteConfig, Word};
use crate::form::state::OfferState;
use crate::html::escape;
use crate::rights::export::SubjectExport;
use crate::rights::requests::{RequestKind, RequestStatus, SubjectRequest};
use crate::rights::story;
use crate::utc::rfc3339;

/// The center for one session, in one language.
pub struct Center<'a> {
    /// The site.
    pub config: &'a SiteConfig,
    /// The language the page speaks (negotiated, one of the site's).
    pub lang: &'a str,
    /// The act route the forms post to.
    pub action: String,
    /// The session token the forms carry.
    pub session: &'a str,
}

impl Center<'_> {
    /// `word` in the page's language.
    pub fn word(&self, word: Word) -> &str {
        self.config.word(self.lang, word)
    }

    /// `word` with its placeholders filled.
    fn fill(&self, word: Word, values: &[(&str, &str)]) -> String {
        word.fill(self.word(word), values)
    }

    /// A small form posting `fields` (already HTML) to the act route.
    fn button(&self, fields: &str, label: Word, quiet: bool) -> String {
        format!(
            "<form class=\"inline\" method=\"post\" action=\"{}\"><input type=\"hidden\" name=\"session\" value=\"{}\">\
             <input type=\"hidden\" name=\"lang\" value=\"{}\">{fields}<button type=\"submit\"{}>{}</button></form>",
            escape(&self.action),
            escape(self.session),
            escape(self.lang),
            if quiet { " class=\"quiet\"" } else { "" },
            escape(self.word(label))
        )
    }

    /// The whole page's main part: `message` (announced), then each section.
    pub fn page(
        &self,
        export: &SubjectExport,
        requests: &[SubjectRequest],
        message: Option<&str>,
        session_expires_ms: u64,
        now_ms: u64,
    ) -> String {
        let mut main = String::new();
        if let Some(m) = message {
            main.push_str(&format!(
                "<p role=\"status\" data-message>{}</p>",
                escape(m)
            ));
        }
        if let Some(identity) = &export.identity {
            let time = &rfc3339(session_expires_ms)[11..16];
            let (before, after) = self
                .fill(Word::SignedIn, &[("time", time)])
                .split_once("{email}")
                .map(|(b, a)| (b.to_string(), a.to_string()))
                .unwrap_or_default();
            main.push_str(&format!(
                "<p>{}<strong data-email>{}</strong>{}</p>",
                escape(&before),
                escape(&identity.email),
                escape(&after)
            ));
        }
        main.push_str(&self.offers(export));
        main.push_str(&self.banner(export, now_ms));
        main.push_str(&self.history(export));
        main.push_str(&self.rights(requests));
        main.push_str(&self.who_answers());
        main
    }

    /// The form offers and their state, by the label the form showed.
    fn offers(&self, export: &SubjectExport) -> String {
        if export.state.is_empty() {
            return String::new();
        }
        let mut out = format!(
            "<section><h2>{}</h2><ul class=\"rows\">",
            escape(self.word(Word::Agreed))
        );
        for (offer, status) in &export.state {
            let action = if status.state.is_withdrawable() {
                let fields = format!(
                    "<input type=\"hidden\" name=\"action\" value=\"withdraw\"><input type=\"hidden\" name=\"offer\" value=\"{}\">",
                    escape(offer)
                );
                self.button(&fields, Word::Withdraw, true)
            } else {
                String::new()
            };
            out.push_str(&self.row(
                &format!("data-offer=\"{}\"", escape(offer)),
                &story::offer_label(self.config, self.lang, None, offer),
                &state_name(status.state),
                state_word(status.state),
                status.since_ms,
                &action,
            ));
        }
        out.push_str("</ul></section>");
        out
    }

    /// One row: what, its state, since when, and its button.
    fn row(
        &self,
        attr: &str,
        label: &str,
        state: &str,
        word: Word,
        since_ms: u64,
        action: &str,
    ) -> String {
        format!(
            "<li {attr} data-state=\"{state}\"><span class=\"what\">{}</span> <span class=\"state\">{}</span> \
             <span class=\"since\">{}</span>{action}</li>",
            escape(label),
            escape(self.word(word)),
            escape(&self.fill(Word::Since, &[("date", &rfc3339(since_ms)[..10])])),
        )
    }

    /// The banner choice in force, per purpose, and per service where the
    /// person chose service by service.
    fn banner(&self, export: &SubjectExport, now_ms: u64) -> String {
        let records = export.records.iter().map(|r| &r.record);
        let Some(choice) = super::banner::in_force(self.config, records, now_ms) else {
            return String::new();
        };
        let mut out = format!(
            "<section><h2>{}</h2><p>{}</p><ul class=\"rows\">",
            escape(self.word(Word::Cookies)),
            escape(&self.fill(
                Word::CookiesText,
                &[("controller", &self.config.controller.name)]
            )),
        );
        let since = choice.event.client_time_ms;
        for p in &self.config.purposes {
            let granted = choice.event.decisions.get(&p.id) == Some(&true);
            let (state, word) = match (p.required, granted) {
                (true, _) => ("required", Word::StateRequired),
                (false, true) => ("granted", Word::StateGranted),
                (false, false) => ("refused", Word::StateRefused),
            };
            let action = if granted && !p.required {
                let fields = format!(
                    "<input type=\"hidden\" name=\"action\" value=\"withdraw\"><input type=\"hidden\" name=\"purpose\" value=\"{}\">",
                    escape(&p.id)
                );
                self.button(&fields, Word::Withdraw, true)
            } else {
                String::new()
            };
            let attr = format!("data-purpose=\"{}\"", escape(&p.id));
            let name = story::purpose_name(self.config, self.lang, &p.id);
            out.push_str(&self.row(&attr, &name, state, word, since, &action));
            for s in p
                .services
                .iter()
                .filter(|s| choice.event.services.contains_key(&s.id))
            {
                let on = granted && choice.event.services.get(&s.id) == Some(&true);
                let (state, word) = if on {
                    ("granted", Word::StateGranted)
                } else {
                    ("refused", Word::StateRefused)
                };
                let attr = format!("class=\"service\" data-service=\"{}\"", escape(&s.id));
                let name = story::service_name(self.config, self.lang, &s.id);
                out.push_str(&self.row(&attr, &name, state, word, since, ""));
            }
        }
        out.push_str("</ul></section>");
        out
    }

    /// What happened, one sentence per record, its proof behind a disclosure;
    /// then the notes the site keeps about the person (theirs to read, Art. 15).
    fn history(&self, export: &SubjectExport) -> String {
        let mut out = format!(
            "<section><h2>{}</h2><ol class=\"history\">",
            escape(self.word(Word::History))
        );
        for r in &export.records {
            let record = &r.record;
            let choices: Vec<String> = story::choices(self.config, self.lang, record)
                .into_iter()
                .map(|(label, yes)| {
                    let word = if yes {
                        Word::StateGranted
                    } else {
                        Word::StateRefused
                    };
                    format!(
                        "<li data-granted=\"{yes}\">{}: {}</li>",
                        escape(&label),
                        escape(self.word(word))
                    )
                })
                .collect();
            let choices = if choices.is_empty() {
                String::new()
            } else {
                format!("<ul>{}</ul>", choices.concat())
            };
            // The owner's word is never shown as the person's own choice.
            let owner = record
                .form
                .as_ref()
                .and_then(|f| f.attested.as_ref())
                .map(|a| format!(" <em data-attested>{}</em>", escape(&a.describe())))
                .unwrap_or_default();
            let t = &r.ts27560;
            let proof = self.fill(
                Word::ProofText,
                &[
                    ("version", &t.notice_version),
                    ("language", &t.notice_language),
                    ("hash", &t.notice_hash),
                ],
            );
            out.push_str(&format!(
                "<li data-record=\"{}\" data-event=\"{}\"><time datetime=\"{}\">{}</time> <span data-said>{}</span>{owner}{choices}\
                 <details><summary>{}</summary><p data-proof>{}</p><p>{}</p><code data-receipt>{}</code></details></li>",
                escape(&t.record_id),
                escape(&t.event_type),
                escape(&t.event_time),
                escape(&t.event_time[..16].replace('T', " ")),
                escape(&story::sentence(self.config, self.lang, record)),
                escape(self.word(Word::Proof)),
                escape(&proof),
                escape(self.word(Word::Receipt)),
                escape(&r.receipt),
            ));
        }
        out.push_str("</ol></section>");
        if !export.notes.is_empty() {
            out.push_str(&format!(
                "<section><h2>{}</h2><ul>",
                escape(self.word(Word::Notes))
            ));
            for n in &export.notes {
                out.push_str(&format!(
                    "<li data-note>{}: {}</li>",
                    escape(&n.at[..10]),
                    escape(&n.text)
                ));
            }
            out.push_str("</ul></section>");
        }
        out
    }

    /// The downloads and the rights, asked and answered. Erasure comes last
    /// and quiet: the drastic action is never the most prominent.
    fn rights(&self, requests: &[SubjectRequest]) -> String {
        let hidden = |name: &str, value: &str| {
            format!("<input type=\"hidden\" name=\"{name}\" value=\"{value}\">")
        };
        let download = |format: &str| {
            format!(
                "{}{}",
                hidden("action", "download"),
                hidden("format", format)
            )
        };
        let request =
            |kind: &str| format!("{}{}", hidden("action", "request"), hidden("kind", kind));
        let mut out = format!(
            "<section><h2>{}</h2><p>{}</p><p class=\"actions\">{} {}</p></section>",
            escape(self.word(Word::Download)),
            escape(self.word(Word::DownloadText)),
            self.button(&download("json"), Word::DownloadJson, true),
            self.button(&download("csv"), Word::DownloadCsv, true),
        );
        let channels: String = [
            ("email", Word::ChannelEmail),
            ("sms", Word::ChannelSms),
            ("phone", Word::ChannelPhone),
            ("post", Word::ChannelPost),
        ]
        .iter()
        .map(|(v, w)| format!("<option value=\"{v}\">{}</option>", escape(self.word(*w))))
        .collect();
        out.push_str(&format!(
            "<section><h2>{}</h2><p class=\"actions\">{} {}</p><p>{}</p><p>{}</p><p>{}</p><ul class=\"requests\">",
            escape(self.word(Word::Rights)),
            self.button(&request("access"), Word::AskAccess, true),
            self.button(&request("restriction"), Word::AskRestriction, true),
            self.button(
                &format!(
                    "{}<label for=\"objection-channel\">{}</label> <select id=\"objection-channel\" name=\"channel\">{channels}</select> ",
                    request("objection"),
                    escape(self.word(Word::ObjectLabel))
                ),
                Word::Object,
                true
            ),
            self.button(
                &format!(
                    "{}<label for=\"rectification-detail\">{}</label> <textarea id=\"rectification-detail\" name=\"detail\" maxlength=\"1000\" rows=\"2\" required></textarea> ",
                    request("rectification"),
                    escape(self.word(Word::RectifyLabel))
                ),
                Word::Rectify,
                true
            ),
            self.button(&request("erasure"), Word::AskErasure, true),
        ));
        for r in requests {
            out.push_str(&self.request_line(r));
        }
        out.push_str("</ul></section>");
        out
    }

    /// A request in a sentence; a refusal says why (Art. 12(4)).
    fn request_line(&self, r: &SubjectRequest) -> String {
        let kind = match r.kind {
            RequestKind::Access => Word::KindAccess,
            RequestKind::Erasure => Word::KindErasure,
            RequestKind::Rectification => Word::KindRectification,
            RequestKind::Restriction => Word::KindRestriction,
            RequestKind::Objection => Word::KindObjection,
        };
        let (status, word) = match r.status {
            RequestStatus::Open => ("open", Word::StatusOpen),
            RequestStatus::Fulfilled => ("fulfilled", Word::StatusFulfilled),
            RequestStatus::Refused => ("refused", Word::StatusRefused),
            RequestStatus::Closed => ("closed", Word::StatusClosed),
        };
        let why = r
            .reason
            .as_deref()
            .map(|reason| format!(": <q data-reason>{}</q>", escape(reason)))
            .unwrap_or_default();
        let line = self.fill(
            Word::RequestLine,
            &[
                ("kind", self.word(kind)),
                ("date", &rfc3339(r.received_ms)[..10]),
                ("status", self.word(word)),
                ("due", &rfc3339(r.due_ms)[..10]),
            ],
        );
        format!(
            "<li data-request=\"{}\" data-status=\"{status}\">{}{why}</li>",
            escape(r.id.as_str()),
            escape(&line)
        )
    }

    /// The step before an erasure: what it ends, "No" the prominent answer.
    pub fn erasure_check(&self) -> String {
        let yes = "<input type=\"hidden\" name=\"action\" value=\"request\"><input type=\"hidden\" name=\"kind\" value=\"erasure\">\
                   <input type=\"hidden\" name=\"confirm\" value=\"yes\">";
        let no = "<input type=\"hidden\" name=\"action\" value=\"show\">";
        format!(
            "<section data-erasure-check><p role=\"alert\">{}</p><p class=\"actions\">{} {}</p></section>",
            escape(self.word(Word::ErasureCheck)),
            self.button(no, Word::ErasureNo, false),
            self.button(yes, Word::ErasureYes, true),
        )
    }

    /// Who answers for the data (GDPR Art. 13(1)(a) and (b)): the
    /// controller, its data protection officer and its representative in
    /// the Union, where the configuration names them, with the policy.
    pub fn who_answers(&self) -> String {
        let c = &self.config.controller;
        let mut out = format!(
            "<section data-who-answers><h2>{}</h2><dl><dt>{}</dt><dd>{} ({})</dd>",
            escape(self.word(Word::Who)),
            escape(self.word(Word::Controller)),
            escape(&c.name),
            escape(&c.contact)
        );
        if let Some(dpo) = &c.dpo {
            out.push_str(&format!(
                "<dt>{}</dt><dd data-dpo>{}</dd>",
                escape(self.word(Word::Dpo)),
                escape(&dpo.line())
            ));
        }
        if let Some(rep) = &c.eu_representative {
            out.push_str(&format!(
                "<dt>{}</dt><dd data-eu-representative>{}</dd>",
                escape(self.word(Word::EuRepresentative)),
                escape(&rep.line())
            ));
        }
        out.push_str(&format!(
            "</dl><p><a href=\"{}\">{}</a></p></section>",
            escape(&c.privacy_policy),
            escape(self.word(Word::PrivacyPolicy))
        ));
        out
    }
}

/// An offer state's wire name (`data-state`), as the export writes it.
fn state_name(state: OfferState) -> String {
    serde_json::to_value(state)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// An offer state in the person's words.
fn state_word(state: OfferState) -> Word {
    match state {
        OfferState::Granted => Word::StateGranted,
        OfferState::Refused => Word::StateRefused,
        OfferState::Pending => Word::StatePending,
        OfferState::ParentalConsentRequired => Word::StateParental,
        OfferState::Unverified => Word::StateUnverified,
        OfferState::Expired => Word::StateExpired,
        OfferState::Withdrawn => Word::StateWithdrawn,
        OfferState::Erased => Word::StateErased,
        OfferState::LegitimateInterests => Word::StateLegitimateInterests,
        OfferState::Contract => Word::StateContract,
        OfferState::Objected => Word::StateObjected,
    }
}
