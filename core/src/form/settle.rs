//! What settles a form's submission after it was stored: the confirmation
//! by the mailed link ([`Site::confirm`]), the phone code that proves the
//! number ([`Site::verify_phone`]), the person's withdrawal
//! ([`Site::withdraw_offers`]) and the expiry of links nobody clicked
//! ([`Site::expire_due`]). Each settling event's id is derived from the
//! pending one ([`settling_id`]), so a second click, a code typed again or
//! a retried expiry is the same event: the first answer again.

use serde::{Deserialize, Serialize};

use crate::config::SiteConfig;
use crate::error::{Error, FormError};
use crate::event::{Action, ConsentEvent, Control, PageRef, Surface, UiRef};
use crate::form::intake::{enqueue, open_identity};
use crate::form::mail::{queue_mail, Mail, SealedMail};
use crate::form::state::settling_id;
use crate::form::store::{Confirmations, FormStore, Mailbox, Pending};
use crate::form::submission::Outcome;
use crate::ids::{EventId, FormId, SubjectId};
use crate::keys::SigningKey;
use crate::log::sequencer::{self, AppendStatus, Appended};
use crate::log::store::{LogStore, StoreError};
use crate::record::{records_of, FormFacts, StoredRecord};
use crate::site::{EdgeContext, Site};

/// What a confirmation did.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Confirmed {
    /// The append's answer (a repeat on a second click).
    pub appended: Appended,
    /// The form, for the page's texts.
    pub form: FormId,
    /// The language the person saw the form in.
    pub language: String,
    /// A code was texted to the submission's phone number and is still to be
    /// typed (the page then asks for it); on a repeat, as long as the number
    /// is not proven yet.
    #[serde(default)]
    pub code_sent: bool,
    /// The offers the submission ticked (`channel:purpose`): what the
    /// confirmation page says was confirmed.
    #[serde(default)]
    pub offers: Vec<String>,
}

/// The offers a form record ticked.
fn ticked(record: &StoredRecord) -> Vec<String> {
    let form = record.event.form.iter();
    form.flat_map(|f| {
        f.offers
            .iter()
            .filter(|(_, on)| **on)
            .map(|(k, _)| k.clone())
    })
    .collect()
}

/// What a confirmation needs to text a phone its code: the site's form
/// secret (the codes' key, and the lookup key the SMS is counted under) and
/// the sealed SMS's nonce, drawn by the caller.
#[derive(Clone, Copy)]
pub struct Texting<'a> {
    /// The site's form secret.
    pub secret: &'a crate::form::secret::FormSecret,
    /// The sealed SMS's nonce.
    pub nonce: [u8; 24],
}

fn settle_event(
    pending: &StoredRecord,
    id: EventId,
    ctx: &EdgeContext,
    ui: UiRef,
    action: Action,
) -> ConsentEvent {
    // The form's decisions stay the submission's: a confirmation settles
    // what was ticked there, and says so by repeating it.
    let path = crate::api::confirm(&pending.event.site);
    let mut event = edge_event(&pending.event, id, action, ui, path, ctx);
    event.answers = Some(pending.event.event_id.clone());
    event
}

/// `from` made again by the edge, here and now: a new id and action, the
/// control it was made with, the edge's clock, version and page (`path`),
/// no GPC and no answered event (a caller that answers one says so). Its
/// choices are `from`'s until the caller changes them.
pub(crate) fn edge_event(
    from: &ConsentEvent,
    id: EventId,
    action: Action,
    ui: UiRef,
    path: String,
    ctx: &EdgeContext,
) -> ConsentEvent {
    let mut event = from.clone();
    event.event_id = id;
    event.action = action;
    event.answers = None;
    event.ui = ui;
    event.client_time_ms = ctx.now_ms;
    event.gpc = false;
    event.widget_version = "edge".into();
    event.page = PageRef {
        origin: ctx.issuer.clone(),
        path,
    };
    event
}

/// The first answer of an edge-made record, again (a repeat).
pub(crate) fn repeat<L: LogStore + ?Sized>(log: &L, id: &EventId) -> Result<Appended, Error> {
    let entry = log.entry_by_event(id)?.ok_or_else(|| {
        Error::from(StoreError::Fault(
            "a settled event without its record".into(),
        ))
    })?;
    let receipt = serde_json::from_str::<serde_json::Value>(&entry.answer)
        .ok()
        .and_then(|v| v["receipt"].as_str().map(str::to_owned))
        .unwrap_or_default();
    Ok(Appended {
        status: AppendStatus::Repeat,
        answer: entry.answer,
        receipt,
        in_force: false,
    })
}

fn pending_record<L: LogStore + ?Sized>(log: &L, id: &EventId) -> Result<StoredRecord, Error> {
    let entry = log.entry_by_event(id)?.ok_or_else(|| {
        Error::from(StoreError::Fault(
            "a pending submission without its record".into(),
        ))
    })?;
    serde_json::from_str(&entry.record).map_err(|e| Error::from(StoreError::Fault(e.to_string())))
}

pub(crate) fn append_settlement<L: LogStore + ?Sized>(
    log: &mut L,
    config: &SiteConfig,
    key: &SigningKey,
    record: &StoredRecord,
    event: ConsentEvent,
    outcome: Outcome,
    ctx: &EdgeContext,
) -> Result<Appended, Error> {
    // A confirmation is of the submission it answers, re-addition and all.
    let facts = record.form.clone().map(|f| FormFacts {
        outcome,
        readds: f.readds.filter(|_| outcome == Outcome::Granted),
        // The owner's word was the record's; what follows is not.
        attested: None,
        ..f
    });
    sequencer::append(log, config, key, ctx.request(event, facts, None))
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Confirms the pending submission a verified token names (`parent`: the
    /// token went to a parent). A second confirmation answers the first again;
    /// a submission already closed by its expiry is [`FormError::TokenExpired`].
    /// Where the confirmation leaves an offer `unverified` (a channel that needs
    /// a phone), the submission's number is texted its code (`texting`), counted
    /// against the number; [`Confirmed::code_sent`] says so.
    pub fn confirm(
        &mut self,
        claims: &crate::form::token::Claims,
        texting: Texting<'_>,
    ) -> Result<Confirmed, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let pending = pending_of(forms, claims)?;
        let record = pending_record(log, &pending.event_id)?;
        let id = settling_id(&pending.event_id, "confirm");
        let language = record.event.notice.language.clone();
        if let Some(by) = &pending.settled_by {
            if *by != id {
                return Err(Error::Form(FormError::TokenExpired));
            }
            return Ok(Confirmed {
                appended: repeat(log, &id)?,
                code_sent: code_waits(log, forms, &pending.event_id)?,
                form: pending.form,
                language,
                offers: ticked(&record),
            });
        }
        // In the recycle bin, nothing is processed: the link is dead unless the
        // owner restores the subject in time.
        if forms.binned(&pending.subject)?.is_some() {
            return Err(Error::Form(FormError::TokenExpired));
        }
        let control = if pending.parent {
            Control::ParentConfirm
        } else {
            Control::Confirm
        };
        let event = settle_event(
            &record,
            id.clone(),
            ctx,
            UiRef {
                surface: Surface::Mail,
                control,
            },
            Action::Confirm,
        );
        let appended = append_settlement(log, config, key, &record, event, Outcome::Granted, ctx)?;
        forms.settle(&pending.event_id, &id)?;
        enqueue(forms, config, &appended, ctx.now_ms)?;
        let code_sent = appended.status == AppendStatus::New
            && text_code(log, forms, config, &pending, &id, texting, ctx.now_ms)?;
        Ok(Confirmed {
            appended,
            form: pending.form,
            language,
            code_sent,
            offers: ticked(&record),
        })
    }
}

/// The pending submission a verified token names, if the token is the one
/// made for it (the person's, or a parent's).
fn pending_of<F: Confirmations + ?Sized>(
    forms: &F,
    claims: &crate::form::token::Claims,
) -> Result<Pending, Error> {
    forms
        .pending(&claims.pending)?
        .filter(|p| p.parent == claims.parent && p.form == claims.form)
        .ok_or(Error::Form(FormError::TokenInvalid))
}

/// Texts the submission's number its code if the confirmation `by` left an
/// offer `unverified`: `true` if the SMS was queued (the number's limit
/// allowed it).
fn text_code<L: LogStore + ?Sized, F: FormStore + ?Sized>(
    log: &L,
    forms: &mut F,
    config: &SiteConfig,
    pending: &Pending,
    by: &EventId,
    texting: Texting<'_>,
    now_ms: u64,
) -> Result<bool, Error> {
    use crate::form::state::OfferState;
    let left_unverified = crate::form::state::fold(&records_of(log, &pending.subject)?)
        .values()
        .any(|s| s.state == OfferState::Unverified && s.event_id == *by);
    if !left_unverified {
        return Ok(false);
    }
    let (Some(contact), Some(sealed)) = (
        forms.contact_of(&pending.subject)?,
        forms.identity(&pending.event_id)?,
    ) else {
        return Ok(false);
    };
    // The number of this submission: the one the code proves.
    let Some(number) = open_identity(&sealed, &contact, &config.site)?.phone else {
        return Ok(false);
    };
    let code = crate::form::phone::code(texting.secret.phone(), &pending.event_id);
    let sms = Mail {
        to: number.clone(),
        subject: crate::form::phone::SMS_SUBJECT.into(),
        text: crate::form::phone::sms_text(&config.controller.name, &code),
        link: String::new(),
        list_unsubscribe: None,
        footer: None,
    };
    // Counted against the number, as a mail against its address (a number
    // and an address never share a lookup key: one has an '@').
    let recipient =
        crate::form::identity::lookup_key(texting.secret.lookup(), &config.site, &number);
    let sealed = SealedMail {
        id: settling_id(&pending.event_id, "sms"),
        nonce: texting.nonce,
        kind: crate::form::phone::SMS_KIND,
    };
    queue_mail(
        forms,
        &config.site,
        &contact,
        &recipient,
        &sms,
        sealed,
        now_ms,
    )
}

/// Whether a code was texted for `pending` and still waits to be typed: not
/// typed right yet, not killed by wrong tries.
fn code_waits<L: LogStore + ?Sized, F: Mailbox + Confirmations + ?Sized>(
    log: &L,
    forms: &F,
    pending: &EventId,
) -> Result<bool, Error> {
    Ok(forms.mail_of(&settling_id(pending, "sms"))?.is_some()
        && log
            .entry_by_event(&settling_id(pending, "phone"))?
            .is_none()
        && forms.phone_tries(pending)? < crate::form::phone::MAX_TRIES)
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Checks the code `typed` for the phone number of the submission a
    /// verified token names, once its link confirmed it: the right code appends
    /// a confirmation (surface `mail`, control `phone_confirm`) that answers the
    /// submission and grants the offers the link left `unverified`, and tells
    /// the CRM (`opt_in.confirmed`); the right code again answers the first.
    /// A wrong code is [`FormError::PhoneCodeInvalid`], counted; the one that
    /// reaches [`MAX_TRIES`](crate::form::phone::MAX_TRIES), and every try
    /// after it, [`FormError::PhoneCodeExhausted`]. A submission the link has
    /// not confirmed, or for which no code was sent, takes no code
    /// ([`FormError::PhoneCodeInvalid`], not counted); one closed otherwise
    /// (expired, erased) or in the recycle bin is [`FormError::TokenExpired`].
    /// `phone_key` is the site's [`FormSecret::phone`](crate::form::secret::FormSecret::phone).
    pub fn verify_phone(
        &mut self,
        phone_key: &[u8; 32],
        claims: &crate::form::token::Claims,
        typed: &str,
    ) -> Result<Confirmed, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        use crate::form::phone::{matches, MAX_TRIES};
        let pending = pending_of(forms, claims)?;
        let confirmed_by = settling_id(&pending.event_id, "confirm");
        match &pending.settled_by {
            Some(by) if *by == confirmed_by => {}
            Some(_) => return Err(Error::Form(FormError::TokenExpired)),
            // Not confirmed by the link yet: no code went out.
            None => return Err(Error::Form(FormError::PhoneCodeInvalid)),
        }
        let record = pending_record(log, &pending.event_id)?;
        let language = record.event.notice.language.clone();
        let id = settling_id(&pending.event_id, "phone");
        let done = log.entry_by_event(&id)?.is_some();
        if done {
            if !matches(phone_key, &pending.event_id, typed) {
                return Err(Error::Form(FormError::PhoneCodeInvalid));
            }
            return Ok(Confirmed {
                appended: repeat(log, &id)?,
                form: pending.form,
                language,
                code_sent: false,
                offers: ticked(&record),
            });
        }
        let sent = forms
            .mail_of(&settling_id(&pending.event_id, "sms"))?
            .is_some();
        if !sent {
            return Err(Error::Form(FormError::PhoneCodeInvalid));
        }
        let tries = forms.phone_tries(&pending.event_id)?;
        if tries >= MAX_TRIES {
            return Err(Error::Form(FormError::PhoneCodeExhausted));
        }
        if !matches(phone_key, &pending.event_id, typed) {
            forms.count_phone_try(&pending.event_id)?;
            return Err(Error::Form(if tries + 1 >= MAX_TRIES {
                FormError::PhoneCodeExhausted
            } else {
                FormError::PhoneCodeInvalid
            }));
        }
        if forms.binned(&pending.subject)?.is_some() {
            return Err(Error::Form(FormError::TokenExpired));
        }
        let mut event = settle_event(
            &record,
            id,
            ctx,
            UiRef {
                surface: Surface::Mail,
                control: Control::PhoneConfirm,
            },
            Action::Confirm,
        );
        event.page.path = crate::api::confirm_phone(&config.site);
        let appended = append_settlement(log, config, key, &record, event, Outcome::Granted, ctx)?;
        enqueue(forms, config, &appended, ctx.now_ms)?;
        Ok(Confirmed {
            appended,
            form: pending.form,
            language,
            code_sent: false,
            offers: ticked(&record),
        })
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Withdraws, for `subject`, the offers named (all when `None`) that are
    /// granted or wait: one `withdraw` event (surface `api`) on the form of the
    /// subject's last form record, its unticked offers the ones withdrawn, and
    /// a webhook `opt_in.withdrawn`. Nothing to withdraw is
    /// [`FormError::NothingToWithdraw`].
    pub fn withdraw_offers(
        &mut self,
        subject: &SubjectId,
        offers: Option<&[String]>,
        event_id: EventId,
    ) -> Result<Appended, Error> {
        let path = crate::api::my_withdraw(&self.config.site);
        self.withdraw_named(subject, offers, event_id, path)
    }

    /// [`Site::withdraw_offers`] asked in the privacy center: the event's
    /// page is the center's path, so the person's history says "here".
    pub fn withdraw_offers_in_center(
        &mut self,
        subject: &SubjectId,
        offers: Option<&[String]>,
        event_id: EventId,
    ) -> Result<Appended, Error> {
        let path = crate::api::privacy(&self.config.site);
        self.withdraw_named(subject, offers, event_id, path)
    }

    /// The person's withdrawal of the offers named (all when `None`), with
    /// `path` as the event's page.
    fn withdraw_named(
        &mut self,
        subject: &SubjectId,
        offers: Option<&[String]>,
        event_id: EventId,
        path: String,
    ) -> Result<Appended, Error> {
        let wanted = |key: &str| offers.is_none_or(|list| list.iter().any(|o| o == key));
        let ui = UiRef {
            surface: Surface::Api,
            control: Control::Api,
        };
        self.withdraw_by(subject, &wanted, event_id, ui, path)
    }

    /// [`Site::withdraw_offers`] of the offers `wanted` says (an owner's
    /// list names channels, not offers).
    pub(crate) fn withdraw_where(
        &mut self,
        subject: &SubjectId,
        wanted: &dyn Fn(&str) -> bool,
        event_id: EventId,
    ) -> Result<Appended, Error> {
        let ui = UiRef {
            surface: Surface::Api,
            control: Control::Api,
        };
        let path = crate::api::my_withdraw(&self.config.site);
        self.withdraw_by(subject, wanted, event_id, ui, path)
    }

    /// [`Site::withdraw_where`] by another way in: `ui` and the event's
    /// page `path` say which (an unsubscribe link).
    pub(crate) fn withdraw_by(
        &mut self,
        subject: &SubjectId,
        wanted: &dyn Fn(&str) -> bool,
        event_id: EventId,
        ui: UiRef,
        path: String,
    ) -> Result<Appended, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let records = records_of(log, subject)?;
        let state = crate::form::state::fold(&records);
        // The last record of each form, the newest form first: offers are
        // the same consent whichever form collected them, but a record
        // names one form, so a withdrawal is one event per form whose
        // offers it ends (the newest form's under `event_id` itself).
        let mut lasts: alloc::vec::Vec<&StoredRecord> = alloc::vec::Vec::new();
        for r in records.iter().rev().filter(|r| r.form.is_some()) {
            let Some(choice) = &r.event.form else {
                continue;
            };
            if !lasts
                .iter()
                .any(|l| l.event.form.as_ref().is_some_and(|c| c.id == choice.id))
            {
                lasts.push(r);
            }
        }
        let mut ended = alloc::collections::BTreeSet::new();
        let mut first = None;
        for last in lasts {
            let choice = last.event.form.as_ref().expect("found with a form");
            let mut decided = alloc::collections::BTreeMap::new();
            let mut any = false;
            for key in choice.offers.keys() {
                let wanted = wanted(key);
                let holds = !ended.contains(key)
                    && state.get(key).is_some_and(|s| s.state.is_withdrawable());
                any |= wanted && holds;
                decided.insert(key.clone(), holds && !wanted);
            }
            if !any {
                continue;
            }
            let id = match first {
                None => event_id.clone(),
                Some(_) => EventId::from_random_bytes(crate::ids::derived(
                    "assent/withdraw-form/v1",
                    &[event_id.as_str(), choice.id.as_str()],
                )),
            };
            ended.extend(
                decided
                    .iter()
                    .filter(|(k, on)| !**on && wanted(k))
                    .map(|(k, _)| k.clone()),
            );
            let mut event = settle_event(last, id, ctx, ui, Action::Withdraw);
            event.answers = None;
            event.page.path = path.clone();
            event.form = Some(crate::event::FormChoice {
                id: choice.id.clone(),
                offers: decided,
            });
            let appended =
                append_settlement(log, config, key, last, event, Outcome::Withdrawn, ctx)?;
            enqueue(forms, config, &appended, ctx.now_ms)?;
            first.get_or_insert(appended);
        }
        first.ok_or(Error::Form(FormError::NothingToWithdraw))
    }
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Closes up to `limit` pending submissions whose links expired by
    /// `ctx.now_ms`, each with an `expire` event; returns how many.
    pub fn expire_due(&mut self, limit: u64) -> Result<u64, Error> {
        let (log, forms, config, key, ctx) = self.parts();
        let due = forms.due(ctx.now_ms, limit)?;
        for pending in &due {
            let record = pending_record(log, &pending.event_id)?;
            let id = settling_id(&pending.event_id, "expire");
            let ui = UiRef {
                surface: Surface::Schedule,
                control: Control::Expire,
            };
            let event = settle_event(&record, id.clone(), ctx, ui, Action::Expire);
            append_settlement(log, config, key, &record, event, Outcome::Expired, ctx)?;
            forms.settle(&pending.event_id, &id)?;
        }
        Ok(due.len() as u64)
    }
}
