//! The visitor's privacy center, without I/O: who may open it and how.
//!
//! A person who gave their email through a form proves it is theirs by a
//! link sent to it: they type the address, and *if* the site knows it, a
//! mail with a [`Kind::Link`] token goes out (the page answers the same
//! either way, so it tells nobody whether an address is known; the mail
//! flood limit of the forms applies). The link is single-use: opening it
//! (a `POST`, so a mail scanner's `GET` does nothing) spends its nonce and
//! gives a [`Kind::Session`] token for [`SESSION_MS`], which the center's
//! own forms carry. Tokens are HMAC-SHA256 under a key derived from the
//! site's form secret, scoped to one site and one subject, and expire.
//!
//! ```
//! use assent_core::rights::center::{issue, verify, Kind, Token};
//! use assent_core::ids::{EventId, SiteId, SubjectId};
//!
//! let key = [9u8; 32];
//! let site = SiteId::new("demo").unwrap();
//! let t = Token {
//!     site: site.clone(),
//!     subject: SubjectId::from_random_bytes([1; 16]),
//!     kind: Kind::Link,
//!     nonce: EventId::from_random_bytes([2; 16]),
//!     expires_ms: 10,
//! };
//! let s = issue(&key, &t);
//! assert_eq!(verify(&key, &s, &site, Kind::Link, 5).unwrap(), t);
//! assert_eq!(verify(&key, &s, &site, Kind::Session, 5).unwrap_err().code(), "token_scope");
//! assert_eq!(verify(&key, &s, &site, Kind::Link, 10).unwrap_err().code(), "token_expired");
//! ```

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::error::{Error, FormError};
use crate::form::mail::{queue_mail, queue_owed, Mail, SealedMail};
use crate::form::store::FormStore;
use crate::ids::{EventId, SiteId, SubjectId};

/// How long a mailed link may be opened.
pub const LINK_MS: u64 = 60 * 60 * 1000;
/// How long the link in the answer to a request may be opened: a week, so
/// the mail can be read a day later and the copy still downloaded.
pub const ANSWER_LINK_MS: u64 = 7 * 24 * 60 * 60 * 1000;
/// How long a session in the center lasts.
pub const SESSION_MS: u64 = 30 * 60 * 1000;
/// The longest token read.
pub const MAX_TOKEN_LEN: usize = 512;

/// What a token lets its holder do.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Open the center once (the mailed link).
    Link,
    /// Act in the center until it expires.
    Session,
}

/// A privacy center token's claims.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Token {
    /// The site.
    #[serde(rename = "s")]
    pub site: SiteId,
    /// The subject whose center it opens.
    #[serde(rename = "u")]
    pub subject: SubjectId,
    /// Link or session.
    #[serde(rename = "k")]
    pub kind: Kind,
    /// A random id: a link's is spent when it is opened.
    #[serde(rename = "n")]
    pub nonce: EventId,
    /// Expiry, ms since the Unix epoch.
    #[serde(rename = "x")]
    pub expires_ms: u64,
}

fn mac(key: &[u8; 32], payload: &str) -> Hmac<Sha256> {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(b"assent/privacy/v1\0");
    mac.update(payload.as_bytes());
    mac
}

/// Issues a token.
pub fn issue(key: &[u8; 32], token: &Token) -> String {
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(token).expect("claims serialize"));
    let sig = URL_SAFE_NO_PAD.encode(mac(key, &payload).finalize().into_bytes());
    format!("{payload}.{sig}")
}

/// Verifies a token of `kind` for `site` at `now_ms`: the tag (constant
/// time), the scope (site and kind), then the time.
pub fn verify(
    key: &[u8; 32],
    token: &str,
    site: &SiteId,
    kind: Kind,
    now_ms: u64,
) -> Result<Token, Error> {
    let invalid = || Error::Form(FormError::TokenInvalid);
    if token.len() > MAX_TOKEN_LEN {
        return Err(invalid());
    }
    let (payload, sig) = token.split_once('.').ok_or_else(invalid)?;
    let sig = URL_SAFE_NO_PAD.decode(sig).map_err(|_| invalid())?;
    mac(key, payload)
        .verify_slice(&sig)
        .map_err(|_| invalid())?;
    let claims: Token = URL_SAFE_NO_PAD
        .decode(payload)
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or_else(invalid)?;
    if claims.site != *site || claims.kind != kind {
        return Err(Error::Form(FormError::TokenScope));
    }
    if now_ms >= claims.expires_ms {
        return Err(Error::Form(FormError::TokenExpired));
    }
    Ok(claims)
}

/// Randomness for one mailed link, drawn by the caller.
#[derive(Debug, Clone)]
pub struct LinkFresh {
    /// The link's id (its token's nonce, and its mail's key).
    pub id: EventId,
    /// The sealed mail's nonce.
    pub mail_nonce: [u8; 24],
}

/// Who a privacy center link goes to, and what its mail says.
#[derive(Debug, Clone, Copy)]
pub struct Recipient<'a> {
    /// The lookup key of their address.
    pub lookup: &'a str,
    /// The address as typed (normalised).
    pub to: &'a str,
    /// What the mail says.
    pub letter: Letter<'a>,
}

/// What a mail with a link to the center says.
#[derive(Debug, Clone, Copy)]
pub enum Letter<'a> {
    /// The link the person asked for (valid [`LINK_MS`]), in the
    /// center's language: the site's words
    /// ([`Word::CenterMailSubject`](crate::config::Word::CenterMailSubject)
    /// and [`Word::CenterMailText`](crate::config::Word::CenterMailText)).
    SignIn {
        /// The subject line.
        subject: &'a str,
        /// The text above the link.
        text: &'a str,
    },
    /// The owner's answer to their request (valid [`ANSWER_LINK_MS`]):
    /// what was asked and decided, a refusal's reason and the right to
    /// complain (Art. 12(4)), and for a copy, that it is ready.
    Answer {
        /// The decided request.
        request: &'a crate::rights::requests::SubjectRequest,
        /// Who answers: the controller's name.
        controller: &'a str,
    },
}

impl Letter<'_> {
    /// How long its link may be opened.
    pub fn lasts_ms(&self) -> u64 {
        match self {
            Letter::SignIn { .. } => LINK_MS,
            Letter::Answer { .. } => ANSWER_LINK_MS,
        }
    }

    /// Its subject line and text.
    pub fn words(&self) -> (String, String) {
        use crate::rights::requests::{RequestKind, RequestStatus};
        match self {
            Letter::SignIn { subject, text } => ((*subject).into(), (*text).into()),
            Letter::Answer {
                request,
                controller,
            } => {
                let asked = alloc::format!(
                    "On {} you asked {controller} for {}.",
                    &crate::utc::rfc3339(request.received_ms)[..10],
                    request.kind.words()
                );
                let link = "The link below opens your privacy center for the next 7 days (once); there you see your history and what was decided.";
                match (request.status, request.kind) {
                    (RequestStatus::Refused, _) => (
                        alloc::format!("Your request was refused: {}", request.kind.words()),
                        alloc::format!(
                            "{asked} They refused it, for this reason:\n\n{}\n\nYou may lodge a complaint with a data protection supervisory authority, and seek a judicial remedy. {link}",
                            request.reason.as_deref().unwrap_or("")
                        ),
                    ),
                    (_, RequestKind::Access) => (
                        "Your copy of your data is ready".into(),
                        alloc::format!(
                            "{asked} It is ready: open the link below within 7 days to download everything they hold about you and what you agreed to, with receipts anyone can verify (JSON or CSV). The link works once."
                        ),
                    ),
                    _ => (
                        alloc::format!("Your request was done: {}", request.kind.words()),
                        alloc::format!("{asked} They did it. {link}"),
                    ),
                }
            }
        }
    }
}

/// Mails the person whose lookup key is `lookup` a link to their center,
/// if the site knows them (and they are not in the recycle bin) and the
/// limit of mails to one address ([`crate::form::mail::MAX_MAILS_PER_DAY`]) allows: `true` if a mail
/// was queued. The caller answers the same either way. `to` is the
/// address as typed (normalised); `base` the edge's public origin.
pub fn mail_link<F: FormStore + ?Sized>(
    forms: &mut F,
    site: &SiteId,
    key: &[u8; 32],
    Recipient { lookup, to, letter }: Recipient<'_>,
    base: &str,
    fresh: LinkFresh,
    now_ms: u64,
) -> Result<bool, Error> {
    let Some(contact) = forms.contact(lookup).map_err(Error::from)? else {
        return Ok(false);
    };
    // In the recycle bin nothing goes out to them, as for an erased address.
    if forms
        .binned(&contact.subject)
        .map_err(Error::from)?
        .is_some()
    {
        return Ok(false);
    }
    let token = issue(
        key,
        &Token {
            site: site.clone(),
            subject: contact.subject.clone(),
            kind: Kind::Link,
            nonce: fresh.id.clone(),
            expires_ms: now_ms + letter.lasts_ms(),
        },
    );
    let (subject, text) = letter.words();
    let mail = Mail {
        to: to.to_string(),
        subject,
        text,
        link: format!("{base}{}?token={token}", crate::api::privacy_open(site)),
        // A link the person asked for, not marketing: nothing to unsubscribe from.
        list_unsubscribe: None,
        footer: None,
    };
    let sealed = SealedMail {
        id: fresh.id,
        nonce: fresh.mail_nonce,
        kind: "mail.privacy",
    };
    match letter {
        // Counted against the address: anyone may ask for a link.
        Letter::SignIn { .. } => queue_mail(forms, site, &contact, lookup, &mail, sealed, now_ms),
        // Owed: only the owner's decision sends it, once per request.
        Letter::Answer { .. } => queue_owed(forms, site, &contact, &mail, sealed, now_ms),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_byte_or_another_key_is_invalid() {
        let key = [1u8; 32];
        let site = SiteId::new("demo").unwrap();
        let t = Token {
            site: site.clone(),
            subject: SubjectId::from_random_bytes([3; 16]),
            kind: Kind::Session,
            nonce: EventId::from_random_bytes([4; 16]),
            expires_ms: 100,
        };
        let s = issue(&key, &t);
        let mut forged = s.clone().into_bytes();
        forged[3] ^= 1;
        let forged = String::from_utf8(forged).unwrap();
        for bad in [forged.as_str(), "", "x.y", &"a".repeat(600)] {
            assert_eq!(
                verify(&key, bad, &site, Kind::Session, 1)
                    .unwrap_err()
                    .code(),
                "token_invalid"
            );
        }
        assert_eq!(
            verify(&[2; 32], &s, &site, Kind::Session, 1)
                .unwrap_err()
                .code(),
            "token_invalid"
        );
        // A confirmation token's key and domain never open the center.
        let other = SiteId::new("example").unwrap();
        assert_eq!(
            verify(&key, &s, &other, Kind::Session, 1)
                .unwrap_err()
                .code(),
            "token_scope"
        );
    }

    fn token(kind: Kind, expires_ms: u64) -> Token {
        Token {
            site: SiteId::new("demo").unwrap(),
            subject: SubjectId::from_random_bytes([3; 16]),
            kind,
            nonce: EventId::from_random_bytes([4; 16]),
            expires_ms,
        }
    }

    #[test]
    fn the_limits_are_an_hour_and_half_an_hour() {
        assert_eq!(LINK_MS, 3_600_000);
        assert_eq!(SESSION_MS, 1_800_000);
        assert_eq!(MAX_TOKEN_LEN, 512);
    }

    /// Kills `now_ms >= expires_ms` made `>` (or `<`, `==`): a token holds
    /// up to the millisecond before its expiry, not at it; a session issued
    /// at `t` lasts exactly [`SESSION_MS`], a link exactly [`LINK_MS`].
    #[test]
    fn a_token_expires_at_its_millisecond() {
        let key = [1u8; 32];
        let site = SiteId::new("demo").unwrap();
        let t0 = 1_795_000_000_000;
        for (kind, life) in [(Kind::Session, SESSION_MS), (Kind::Link, LINK_MS)] {
            let t = token(kind, t0 + life);
            let s = issue(&key, &t);
            assert_eq!(verify(&key, &s, &site, kind, t0).unwrap(), t);
            assert_eq!(verify(&key, &s, &site, kind, t0 + life - 1).unwrap(), t);
            for late in [t0 + life, t0 + life + 1, u64::MAX] {
                assert_eq!(
                    verify(&key, &s, &site, kind, late).unwrap_err().code(),
                    "token_expired",
                    "{kind:?} at +{}",
                    late - t0
                );
            }
        }
        // Expiry 0 has always passed.
        let s = issue(&key, &token(Kind::Link, 0));
        assert_eq!(
            verify(&key, &s, &site, Kind::Link, 0).unwrap_err().code(),
            "token_expired"
        );
    }

    /// Kills either half of `site != *site || kind != kind` made `false`
    /// (or `||` made `&&`): a link is not a session, a session is not a
    /// link, another site's token opens nothing here, even unexpired.
    #[test]
    fn a_token_is_scoped_to_its_site_and_kind() {
        let key = [1u8; 32];
        let site = SiteId::new("demo").unwrap();
        let other = SiteId::new("example").unwrap();
        for kind in [Kind::Link, Kind::Session] {
            let s = issue(&key, &token(kind, 100));
            let wrong = if kind == Kind::Link {
                Kind::Session
            } else {
                Kind::Link
            };
            assert_eq!(
                verify(&key, &s, &site, wrong, 1).unwrap_err().code(),
                "token_scope"
            );
            assert_eq!(
                verify(&key, &s, &other, kind, 1).unwrap_err().code(),
                "token_scope"
            );
            assert_eq!(
                verify(&key, &s, &other, wrong, 1).unwrap_err().code(),
                "token_scope"
            );
            assert!(verify(&key, &s, &site, kind, 1).is_ok());
        }
        // The scope is checked before the time: an expired token of another
        // kind says scope.
        let s = issue(&key, &token(Kind::Link, 1));
        assert_eq!(
            verify(&key, &s, &site, Kind::Session, 5)
                .unwrap_err()
                .code(),
            "token_scope"
        );
    }

    /// A token of exactly [`MAX_TOKEN_LEN`] is read; one more character is not.
    #[test]
    fn the_longest_token_is_read() {
        let key = [1u8; 32];
        let site = SiteId::new("demo").unwrap();
        let s = issue(&key, &token(Kind::Link, 100));
        assert!(s.len() < MAX_TOKEN_LEN);
        // Base64url ignores nothing, so pad the payload with JSON white space
        // inside a token signed as it is.
        let json = serde_json::to_string(&token(Kind::Link, 100)).unwrap();
        let make = |pad: usize| {
            let padded = format!("{}{}}}", &json[..json.len() - 1], " ".repeat(pad));
            let payload = URL_SAFE_NO_PAD.encode(padded.as_bytes());
            let sig = URL_SAFE_NO_PAD.encode(mac(&key, &payload).finalize().into_bytes());
            format!("{payload}.{sig}")
        };
        let mut pad = 0;
        while make(pad).len() < MAX_TOKEN_LEN {
            pad += 1;
        }
        let exact = make(pad);
        assert_eq!(exact.len(), MAX_TOKEN_LEN);
        assert!(verify(&key, &exact, &site, Kind::Link, 1).is_ok());
        let mut over = pad;
        while make(over).len() <= MAX_TOKEN_LEN {
            over += 1;
        }
        assert_eq!(
            verify(&key, &make(over), &site, Kind::Link, 1)
                .unwrap_err()
                .code(),
            "token_invalid"
        );
    }
}
