//! The mails (and texts) Assent sends: sealed under the contact's key the
//! moment they are queued, counted against the address they go to, opened
//! only when the outbox sends them, and unreadable once the contact is
//! erased.

use serde::{Deserialize, Serialize};

use crate::config::{SiteConfig, Word};
use crate::error::Error;
use crate::form::store::{Contact, Contacts, Mailbox, Outbox, Sealed};
use crate::form::token::Claims;
use crate::form::webhook::{self, Delivery};
use crate::ids::{EventId, SiteId, SubjectId};
use crate::log::store::StoreError;

/// The most mails Assent sends to one address in [`MAIL_WINDOW_MS`]
/// (confirmations, a parent's consent requests, privacy center links),
/// counted by the address they go to: a submission beyond them is recorded
/// and waits without a mail, a link beyond them is not sent.
pub const MAX_MAILS_PER_DAY: u64 = 3;

/// The window [`MAX_MAILS_PER_DAY`] counts in: 24 hours.
pub const MAIL_WINDOW_MS: u64 = 24 * 3_600_000;

/// A message to send, as sealed in the mailbox.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mail {
    /// The recipient (the person, or their parent).
    pub to: String,
    /// Subject line.
    pub subject: String,
    /// Body text; the link follows it.
    pub text: String,
    /// The confirmation link.
    pub link: String,
    /// The one-click unsubscribe link of the person's email channel
    /// ([`crate::form::unsubscribe`]), for the `List-Unsubscribe` and
    /// `List-Unsubscribe-Post` headers (RFC 8058): a mail to the person
    /// whose consent it asks for has one; a parent's has none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_unsubscribe: Option<String>,
    /// What follows the link: where the person signed up, and where they
    /// manage their choices.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub footer: Option<String>,
}

impl Mail {
    /// The plain-text body as sent: the text, the link, then the footer.
    pub fn body(&self) -> String {
        match &self.footer {
            Some(footer) => format!("{}\n\n{}\n\n{footer}\n", self.text, self.link),
            None => format!("{}\n\n{}\n", self.text, self.link),
        }
    }
}

/// Where a mail is kept and how it is listed.
pub(crate) struct SealedMail {
    /// What it is about (its key in the mailbox, its delivery's event).
    pub id: EventId,
    /// The seal's nonce.
    pub nonce: [u8; 24],
    /// The delivery's kind (`mail.confirmation`, `mail.privacy`).
    pub kind: &'static str,
}

/// Seals `mail` under the contact's key and queues it for the mailer
/// (retried and listed like a webhook), if the address it goes to
/// (`recipient`, its lookup key) has had fewer than [`MAX_MAILS_PER_DAY`]
/// in [`MAIL_WINDOW_MS`]: `false` if not, and nothing is queued.
pub(crate) fn queue_mail<F: Mailbox + Outbox + ?Sized>(
    forms: &mut F,
    site: &SiteId,
    contact: &Contact,
    recipient: &str,
    mail: &Mail,
    sealed: SealedMail,
    now_ms: u64,
) -> Result<bool, Error> {
    let window_start = now_ms.saturating_sub(MAIL_WINDOW_MS);
    if forms.mails_to(recipient, window_start)? >= MAX_MAILS_PER_DAY {
        return Ok(false);
    }
    forms.count_mail(recipient, now_ms)?;
    queue_owed(forms, site, contact, mail, sealed, now_ms)
}

/// Queues a mail the site owes the person (the answer to their request,
/// Art. 12): not counted against the address's limit, which bounds what
/// anyone can make the edge send, while this only the owner's decision
/// sends, once per request.
pub(crate) fn queue_owed<F: Mailbox + Outbox + ?Sized>(
    forms: &mut F,
    site: &SiteId,
    contact: &Contact,
    mail: &Mail,
    sealed: SealedMail,
    now_ms: u64,
) -> Result<bool, Error> {
    let text = serde_json::to_vec(mail).expect("a mail serializes");
    let mut delivery = webhook::mail_delivery(&sealed.id, &contact.subject, now_ms);
    delivery.kind = sealed.kind.into();
    forms.put_delivery(&delivery)?;
    forms.put_mail(&Sealed {
        event_id: sealed.id,
        subject: contact.subject.clone(),
        nonce: sealed.nonce,
        bytes: seal_bytes(&contact.key, &sealed.nonce, site, &contact.subject, &text),
        created_ms: now_ms,
    })?;
    Ok(true)
}

/// What a submission asked for, as its confirmation mail repeats it: the
/// offers ticked and the page the form was on.
pub(crate) struct Asked {
    chosen: Vec<String>,
    page: crate::event::PageRef,
}

impl Asked {
    pub(crate) fn of(event: &crate::event::ConsentEvent) -> Self {
        let offers = event.form.iter().flat_map(|f| f.offers.iter());
        Asked {
            chosen: offers
                .filter(|(_, on)| **on)
                .map(|(k, _)| k.clone())
                .collect(),
            page: event.page.clone(),
        }
    }
}

/// The confirmation mail of a submission that waits (for the person, or a
/// parent when `claims.parent`): the form's texts in the language the form
/// was shown in, what was ticked (by the labels the form showed),
/// and the link to the edge's confirm page (`base`, its public origin) with
/// a token for `claims` signed under `token_key`; after it, the page the
/// form was on (both `asked`) and (for the person, not a parent) where to manage their
/// choices. The pending entry expires with the token: both come from one
/// `claims`.
pub(crate) fn confirmation(
    config: &SiteConfig,
    claims: &Claims,
    token_key: &[u8; 32],
    base: &str,
    to: String,
    asked: &Asked,
) -> Result<Mail, Error> {
    let texts = config
        .languages
        .get(&claims.language)
        .and_then(|t| t.forms.get(claims.form.as_str()))
        .ok_or_else(|| {
            Error::from(StoreError::Fault(
                "a waiting submission in a language its form has no texts in".into(),
            ))
        })?;
    let (subject, text) = if claims.parent {
        (&texts.parent_mail_subject, &texts.parent_mail_text)
    } else {
        (&texts.mail_subject, &texts.mail_text)
    };
    let lang = claims.language.as_str();
    let list: Vec<String> = asked
        .chosen
        .iter()
        .map(|offer| {
            let label =
                crate::rights::story::offer_label(config, lang, Some(claims.form.as_str()), offer);
            format!("- {label}")
        })
        .collect();
    let text = format!(
        "{text}\n\n{}\n{}",
        config.word(lang, Word::MailChosen),
        list.join("\n")
    );
    let mut footer = vec![Word::MailSite.fill(
        config.word(lang, Word::MailSite),
        &[("page", &format!("{}{}", asked.page.origin, asked.page.path))],
    )];
    if !claims.parent {
        let center = format!("{base}{}", crate::api::privacy(&config.site));
        footer
            .push(Word::MailManage.fill(config.word(lang, Word::MailManage), &[("link", &center)]));
    }
    Ok(Mail {
        to,
        subject: subject.clone(),
        text,
        link: format!(
            "{base}{}?token={}",
            crate::api::confirm(&config.site),
            crate::form::token::issue(token_key, claims)
        ),
        list_unsubscribe: None,
        footer: Some(footer.join("\n")),
    })
}

pub(crate) fn seal_bytes(
    key: &[u8; 32],
    nonce: &[u8; 24],
    site: &SiteId,
    subject: &SubjectId,
    text: &[u8],
) -> Vec<u8> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let cipher = chacha20poly1305::XChaCha20Poly1305::new(&(*key).into());
    let aad = format!("assent/mail/v1\0{site}\0{subject}");
    cipher
        .encrypt(
            &(*nonce).into(),
            Payload {
                msg: text,
                aad: aad.as_bytes(),
            },
        )
        .expect("XChaCha20-Poly1305 seals any message under 256 GiB")
}

/// The mail a delivery of [`webhook::MAIL`] sends, opened; `None` once the
/// contact is erased.
pub fn mail_for<F: Mailbox + Contacts + ?Sized>(
    forms: &F,
    site: &SiteId,
    delivery: &Delivery,
) -> Result<Option<Mail>, Error> {
    let Some(sealed) = forms.mail_of(&delivery.event_id)? else {
        return Ok(None);
    };
    let contact = forms.contact_of(&sealed.subject)?;
    Ok(contact.and_then(|c| open_mail(&sealed, &c, site)))
}

/// Opens a sealed mail with its contact's key; `None` once the contact is
/// erased or the bytes changed.
pub fn open_mail(mail: &Sealed, contact: &Contact, site: &SiteId) -> Option<Mail> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let cipher = chacha20poly1305::XChaCha20Poly1305::new(&contact.key.into());
    let aad = format!("assent/mail/v1\0{site}\0{}", mail.subject);
    let plain = cipher
        .decrypt(
            &mail.nonce.into(),
            Payload {
                msg: &mail.bytes,
                aad: aad.as_bytes(),
            },
        )
        .ok()?;
    serde_json::from_slice(&plain).ok()
}
