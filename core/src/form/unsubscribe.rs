//! One-click unsubscribe (RFC 8058), without I/O: a signed link per contact
//! and channel, and the withdrawal it makes.
//!
//! A link names the site, the subject and the channel, signed with
//! HMAC-SHA256 under the forms' token key with its own domain, so it can
//! never pass for a confirmation link nor one for another person or
//! channel. It does not expire: a marketing mail may be opened years later,
//! and unsubscribing must still work then. It is not a credential: all it
//! can do is withdraw that one channel, which anyone holding the person's
//! mail may rightly do.
//!
//! Using it ([`Site::unsubscribe`]) withdraws every offer on the channel
//! that is granted or waits, by one `withdraw` event (surface `mail`,
//! control `unsubscribe`) with its own receipt, and tells the CRM
//! (`opt_in.withdrawn`). A second use finds nothing to withdraw and answers
//! so: clicking twice is harmless. Where an offer on the channel is held
//! under legitimate interests or a contract (`form::attest`), which no
//! withdrawal ends, the click is what the law makes of it: an objection to
//! direct marketing on that channel (Art. 21(2)), an `object` record
//! (`form::objection`) that ends every offer on it.
//!
//! The links go where marketing mail is made: in every webhook delivery
//! ([`links`], under `unsubscribe` per channel) for the CRM or mailer to
//! put in `List-Unsubscribe` and `List-Unsubscribe-Post:
//! List-Unsubscribe=One-Click`, and in Assent's own mails' headers.
//!
//! ```
//! use assent_core::form::config::Channel;
//! use assent_core::form::unsubscribe::{issue, verify, Claims};
//! use assent_core::ids::{SiteId, SubjectId};
//!
//! let key = [7u8; 32];
//! let claims = Claims {
//!     site: SiteId::new("demo").unwrap(),
//!     subject: SubjectId::new("0190b6f6-2a58-7cc3-8c6b-2c6f7d2b9e01").unwrap(),
//!     channel: Channel::Email,
//! };
//! let token = issue(&key, &claims);
//! assert_eq!(verify(&key, &token, &claims.site).unwrap(), claims);
//! assert_eq!(verify(&[8; 32], &token, &claims.site).unwrap_err().code(), "token_invalid");
//! assert_eq!(verify(&key, &token, &SiteId::new("other").unwrap()).unwrap_err().code(), "token_scope");
//! // A confirmation token under the same key is not an unsubscribe token.
//! let confirm = assent_core::form::token::issue(&key, &assent_core::form::token::Claims {
//!     site: claims.site.clone(),
//!     form: assent_core::ids::FormId::new("newsletter").unwrap(),
//!     pending: assent_core::ids::EventId::from_random_bytes([1; 16]),
//!     parent: false,
//!     language: "en".into(),
//!     expires_ms: u64::MAX,
//! });
//! assert_eq!(verify(&key, &confirm, &claims.site).unwrap_err().code(), "token_invalid");
//! ```

use alloc::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::error::{Error, FormError};
use crate::event::{Control, Surface, UiRef};
use crate::form::config::Channel;
use crate::form::store::FormStore;
use crate::form::token::{open, seal};
use crate::ids::{EventId, SiteId, SubjectId};
use crate::log::sequencer::Appended;
use crate::log::store::LogStore;
use crate::site::Site;

const DOMAIN: &[u8] = b"assent/unsubscribe/v1\0";

/// What an unsubscribe link says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claims {
    /// The site.
    #[serde(rename = "s")]
    pub site: SiteId,
    /// Whose.
    #[serde(rename = "u")]
    pub subject: SubjectId,
    /// The channel it withdraws.
    #[serde(rename = "c")]
    pub channel: Channel,
}

/// Issues the token of a link.
pub fn issue(key: &[u8; 32], claims: &Claims) -> String {
    seal(key, DOMAIN, claims)
}

/// Verifies a link's token for `site`: its tag (in constant time), then its
/// scope.
pub fn verify(key: &[u8; 32], token: &str, site: &SiteId) -> Result<Claims, Error> {
    let claims: Claims = open(key, DOMAIN, token)?;
    if claims.site != *site {
        return Err(Error::Form(FormError::TokenScope));
    }
    Ok(claims)
}

/// The link of `claims` under the edge `issuer` (its public origin).
pub fn url(issuer: &str, key: &[u8; 32], claims: &Claims) -> String {
    format!(
        "{issuer}{}?token={}",
        crate::api::unsubscribe(&claims.site),
        issue(key, claims)
    )
}

/// A subject's links, one per channel they have an offer on (`email`,
/// `sms`, ...): what a webhook delivery carries.
pub fn links<'a>(
    issuer: &str,
    key: &[u8; 32],
    site: &SiteId,
    subject: &SubjectId,
    offers: impl IntoIterator<Item = &'a String>,
) -> BTreeMap<&'static str, String> {
    // One link per channel, however many offers it has.
    let channels: alloc::collections::BTreeSet<Channel> = offers
        .into_iter()
        .filter_map(|offer| Channel::of_offer(offer))
        .collect();
    channels
        .into_iter()
        .map(|channel| {
            let claims = Claims {
                site: site.clone(),
                subject: subject.clone(),
                channel,
            };
            (channel.as_str(), url(issuer, key, &claims))
        })
        .collect()
}

impl<L: LogStore + ?Sized, F: FormStore + ?Sized> Site<'_, L, F> {
    /// Withdraws every offer of `subject` on `channel` that is granted or
    /// waits (see the module docs); `None` when there is none (used twice,
    /// never subscribed, or erased).
    pub fn unsubscribe(
        &mut self,
        subject: &SubjectId,
        channel: Channel,
        event_id: EventId,
    ) -> Result<Option<Appended>, Error> {
        // An erased subject's offers are all `erased`, none withdrawable:
        // like a second use, there is nothing to withdraw.
        let on_channel = |offer: &str| Channel::of_offer(offer) == Some(channel);
        let ui = UiRef {
            surface: Surface::Mail,
            control: Control::Unsubscribe,
        };
        let path = crate::api::unsubscribe(&self.config.site);
        let state = crate::form::state::fold(&crate::record::records_of(&*self.log, subject)?);
        let otherwise = state.iter().any(|(k, s)| {
            on_channel(k)
                && matches!(
                    s.state,
                    crate::form::state::OfferState::LegitimateInterests
                        | crate::form::state::OfferState::Contract
                )
        });
        if otherwise {
            return self.object(subject, channel, event_id, ui, path).map(Some);
        }
        match self.withdraw_by(subject, &on_channel, event_id, ui, path) {
            Ok(appended) => Ok(Some(appended)),
            Err(Error::Form(FormError::NothingToWithdraw)) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
