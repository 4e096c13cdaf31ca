//! Proving a phone number: a channel that needs one (SMS, calls) is granted
//! only for a number someone proved to hold. The mailed link proves the
//! address, so confirming by it leaves such an offer `unverified`
//! ([`state`](crate::form::state)); the confirmation texts the submission's
//! number a one-time code, and typing that code on the confirmation page
//! ([`Site::verify_phone`](crate::site::Site::verify_phone)) grants it.
//!
//! - **The code is derived, not stored**: HMAC-SHA256 under the phone key
//!   derived from the site's `FORM_SECRET` ([`FormSecret::phone`]) over a
//!   domain tag and the pending submission's event id, read as six decimal
//!   digits. Only the edge can make it; it names one submission, so a code
//!   for another submission is just a wrong code.
//! - **Compared in constant time**, after dropping the spaces and dashes a
//!   person may type.
//! - **At most [`MAX_TRIES`] wrong tries** per submission, counted in the
//!   form store: the one that reaches it kills the code
//!   ([`FormError::PhoneCodeExhausted`](crate::error::FormError::PhoneCodeExhausted)).
//! - **The SMS counts against the number it goes to**, under the lookup key
//!   of the normalised number, as every mail counts against its address
//!   ([`MAX_MAILS_PER_DAY`](crate::form::mail::MAX_MAILS_PER_DAY)).
//!
//! ```
//! use assent_core::form::phone;
//! use assent_core::ids::EventId;
//!
//! let key = [7u8; 32];
//! let pending = EventId::from_random_bytes([1; 16]);
//! let code = phone::code(&key, &pending);
//! assert_eq!(code.len(), 6);
//! assert!(phone::matches(&key, &pending, &code));
//! assert!(phone::matches(&key, &pending, &format!(" {} {} ", &code[..3], &code[3..])));
//! assert!(!phone::matches(&key, &EventId::from_random_bytes([2; 16]), &code));
//! ```

use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::ids::EventId;

#[cfg(doc)]
use crate::form::secret::FormSecret;

/// Wrong codes a submission takes; the one that reaches this kills its code.
pub const MAX_TRIES: u64 = 5;

/// Digits in a code.
pub const DIGITS: usize = 6;

/// The delivery kind of the SMS with the code (kinds `sms.*` go to the
/// deployment's SMS provider, not its mailer).
pub const SMS_KIND: &str = "sms.code";

/// The subject line an SMS carries in the mail queue (an SMS has none; the
/// local mailbox shows this one).
pub const SMS_SUBJECT: &str = "SMS";

/// The code of the pending submission `pending`, under `key` (the phone key
/// of the site's form secret): six decimal digits.
pub fn code(key: &[u8; 32], pending: &EventId) -> String {
    let mut mac = <Hmac<Sha256> as hmac::KeyInit>::new_from_slice(key).expect("any key length");
    mac.update(b"assent/phone-code/v1\0");
    mac.update(pending.as_str().as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut head = [0u8; 8];
    head.copy_from_slice(&digest[..8]);
    // 2^64 mod 10^6 leaves a bias below 10^-13: none worth the name.
    format!("{:06}", u64::from_be_bytes(head) % 1_000_000)
}

/// Whether `typed` (spaces and dashes dropped) is the code of `pending`,
/// compared in constant time.
pub fn matches(key: &[u8; 32], pending: &EventId, typed: &str) -> bool {
    let typed: String = typed
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '\u{a0}'))
        .collect();
    if typed.len() != DIGITS {
        return false;
    }
    code(key, pending).as_bytes().ct_eq(typed.as_bytes()).into()
}

/// The text of the SMS: who sends it, the code, and what to do if the
/// person did not ask.
pub fn sms_text(site_name: &str, code: &str) -> String {
    format!(
        "{site_name}: your code is {code}. Type it on the confirmation page to receive our \
         messages on this number. If you did not ask, ignore this message."
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_six_digits_and_depends_on_key_and_submission() {
        let a = EventId::from_random_bytes([1; 16]);
        let b = EventId::from_random_bytes([2; 16]);
        let c = code(&[1; 32], &a);
        assert_eq!(c.len(), 6);
        assert!(c.bytes().all(|d| d.is_ascii_digit()));
        assert_eq!(c, code(&[1; 32], &a), "derived: the same every time");
        assert_ne!(c, code(&[2; 32], &a), "another key");
        assert_ne!(c, code(&[1; 32], &b), "another submission");
    }

    #[test]
    fn only_the_code_matches() {
        let a = EventId::from_random_bytes([1; 16]);
        let c = code(&[1; 32], &a);
        assert!(matches(&[1; 32], &a, &c));
        assert!(matches(&[1; 32], &a, &format!("{}-{}", &c[..3], &c[3..])));
        let wrong = format!("{:06}", (c.parse::<u32>().unwrap() + 1) % 1_000_000);
        for typed in [wrong.as_str(), "", &c[..5], &format!("{c}0"), "abcdef"] {
            assert!(!matches(&[1; 32], &a, typed), "{typed:?}");
        }
    }

    #[test]
    fn the_sms_names_the_site_and_the_code() {
        let text = sms_text("Shop Ltd", "012345");
        assert!(text.starts_with("Shop Ltd: your code is 012345."));
    }
}
