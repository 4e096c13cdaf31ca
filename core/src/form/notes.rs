//! Notes about a contact, without I/O: the free text a support or sales
//! team keeps about a person ("prefers calls after 10", "asked for the
//! catalogue in large print"). A note may name people and say anything, so
//! it is kept as the identity is: sealed with XChaCha20-Poly1305 under the
//! contact's key, bound to the site, subject and note (so a sealed note
//! cannot be moved), never in the log, and erased with the identity (the
//! store's `shred`). Adding one is an owner's act, audited like every
//! other; it changes no consent and makes no record. The person's access
//! export carries their notes (Art. 15: everything held about them).

use serde::{Deserialize, Serialize};

use crate::error::{Error, RightsError};
use crate::form::store::{Contacts, Sealed};
use crate::ids::{EventId, SiteId, SubjectId};
use crate::site::Site;

/// Longest note kept, in characters.
pub const MAX_NOTE: usize = 2000;

/// The body of `POST .../subjects/{subject}/notes`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NoteInput {
    /// The note.
    pub text: String,
}

/// A note, opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Note {
    /// Its id.
    pub id: EventId,
    /// Who wrote it: the key's name as the audit trail shows it.
    pub by: String,
    /// When (RFC 3339).
    pub at: String,
    /// The text.
    pub text: String,
}

/// What is sealed: who wrote it, and what.
#[derive(Serialize, Deserialize)]
struct Sealable {
    by: String,
    text: String,
}

impl NoteInput {
    /// Parses a body and checks its text: trimmed, 1 to [`MAX_NOTE`]
    /// characters, no control characters but line breaks and tabs.
    pub fn check(json: &[u8]) -> Result<String, Error> {
        let invalid = |reason: &str| -> Error {
            RightsError::NoteInvalid {
                reason: reason.into(),
            }
            .into()
        };
        let input: NoteInput = serde_json::from_slice(json).map_err(|e| invalid(&e.to_string()))?;
        match free_text(&input.text, MAX_NOTE) {
            Ok(text) => Ok(text.to_owned()),
            Err(FreeTextFault::Length) => Err(invalid("1 to 2000 characters")),
            Err(FreeTextFault::Control) => {
                Err(invalid("no control characters but line breaks and tabs"))
            }
        }
    }
}

/// Why a free text an owner wrote is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FreeTextFault {
    /// Empty once trimmed, or longer than allowed.
    Length,
    /// A control character other than a line break or a tab.
    Control,
}

/// An owner's free text (a note, a breach's facts): trimmed, 1 to `max`
/// characters, no control characters but line breaks and tabs.
pub(crate) fn free_text(value: &str, max: usize) -> Result<&str, FreeTextFault> {
    let text = value.trim();
    if text.is_empty() || text.chars().count() > max {
        return Err(FreeTextFault::Length);
    }
    if text
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(FreeTextFault::Control);
    }
    Ok(text)
}

fn aad(site: &SiteId, subject: &SubjectId, id: &EventId) -> String {
    alloc::format!("assent/note/v1\0{site}\0{subject}\0{id}")
}

/// Opens a contact's sealed note; `None` if it does not open (a key that is
/// not the contact's: never shown as text).
pub fn open(sealed: &Sealed, key: &[u8; 32], site: &SiteId) -> Option<Note> {
    use chacha20poly1305::aead::{Aead, KeyInit, Payload};
    let cipher = chacha20poly1305::XChaCha20Poly1305::new(&(*key).into());
    let aad = aad(site, &sealed.subject, &sealed.event_id);
    let plain = cipher
        .decrypt(
            &sealed.nonce.into(),
            Payload {
                msg: &sealed.bytes,
                aad: aad.as_bytes(),
            },
        )
        .ok()?;
    let s: Sealable = serde_json::from_slice(&plain).ok()?;
    Some(Note {
        id: sealed.event_id.clone(),
        by: s.by,
        at: crate::utc::rfc3339(sealed.created_ms),
        text: s.text,
    })
}

/// A contact's notes, opened, oldest first (none once erased).
pub fn notes_of<F: Contacts + ?Sized>(
    forms: &F,
    site: &SiteId,
    subject: &SubjectId,
) -> Result<Vec<Note>, Error> {
    let Some(contact) = forms.contact_of(subject)? else {
        return Ok(alloc::vec::Vec::new());
    };
    Ok(forms
        .notes(subject)?
        .iter()
        .filter_map(|s| open(s, &contact.key, site))
        .collect())
}

impl<L: crate::log::store::LogStore + ?Sized, F: crate::form::store::FormStore + ?Sized>
    Site<'_, L, F>
{
    /// Adds a note (checked by [`NoteInput::check`]) about `subject`'s
    /// contact, written by `by`, sealed with `nonce`. A subject with no
    /// contact (a banner visitor, or erased) is [`RightsError::SubjectUnknown`];
    /// one in the recycle bin [`RightsError::SubjectInRecycleBin`].
    pub fn add_note(
        &mut self,
        subject: &SubjectId,
        by: &str,
        text: &str,
        id: EventId,
        nonce: [u8; 24],
    ) -> Result<Note, Error> {
        let contact = self
            .forms
            .contact_of(subject)?
            .ok_or(RightsError::SubjectUnknown)?;
        if self.forms.binned(subject)?.is_some() {
            return Err(RightsError::SubjectInRecycleBin.into());
        }
        use chacha20poly1305::aead::{Aead, KeyInit, Payload};
        let plain = serde_json::to_vec(&Sealable {
            by: by.into(),
            text: text.into(),
        })
        .map_err(|e| crate::log::store::StoreError::Fault(e.to_string()))?;
        let cipher = chacha20poly1305::XChaCha20Poly1305::new(&contact.key.into());
        let aad = aad(&self.config.site, subject, &id);
        let bytes = cipher
            .encrypt(
                &nonce.into(),
                Payload {
                    msg: &plain,
                    aad: aad.as_bytes(),
                },
            )
            .expect("XChaCha20-Poly1305 seals any message under 256 GiB");
        let sealed = Sealed {
            event_id: id,
            subject: subject.clone(),
            nonce,
            bytes,
            created_ms: self.ctx.now_ms,
        };
        self.forms.put_note(&sealed)?;
        open(&sealed, &contact.key, &self.config.site).ok_or_else(|| {
            crate::log::store::StoreError::Fault("a note that does not open".into()).into()
        })
    }
}
