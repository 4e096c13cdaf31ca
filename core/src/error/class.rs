//! What kind of failure each error is, decided here for every variant by an
//! exhaustive match: a new variant does not compile until it has a class,
//! so no code falls into a guessed default. The edge answers a class's
//! HTTP status ([`ErrorClass::status`]); the widget and the CLI read the
//! same classes.

use super::*;

/// The kind of a failure, and so its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The input breaks a rule: `400`. Sending it again changes nothing.
    Invalid,
    /// No credential, or a wrong one: `401`.
    Unauthorized,
    /// A valid credential that may not do this: `403`.
    Forbidden,
    /// What was named does not exist (or is not the caller's to know): `404`.
    NotFound,
    /// The state forbids it now (already decided, in the recycle bin, an id
    /// taken by other content): `409`.
    Conflict,
    /// It existed and is gone for good (erased, expired, used): `410`.
    Gone,
    /// The route exists, but not for this method: `405`.
    MethodNotAllowed,
    /// The body is larger than the route reads: `413`.
    TooLarge,
    /// Too many requests from this client for now: `429`, retry later.
    TooMany,
    /// The edge's own fault (storage, encoding, routing): `500`, never the
    /// caller's; the details stay in the edge's log.
    Fault,
}

impl ErrorClass {
    /// The HTTP status of the class.
    pub fn status(self) -> u16 {
        match self {
            ErrorClass::Invalid => 400,
            ErrorClass::Unauthorized => 401,
            ErrorClass::Forbidden => 403,
            ErrorClass::NotFound => 404,
            ErrorClass::Conflict => 409,
            ErrorClass::Gone => 410,
            ErrorClass::MethodNotAllowed => 405,
            ErrorClass::TooLarge => 413,
            ErrorClass::TooMany => 429,
            ErrorClass::Fault => 500,
        }
    }
}

impl Error {
    /// The class of this error (see [`ErrorClass`]).
    ///
    /// ```
    /// use assent_core::error::{Error, ErrorClass, RightsError};
    /// let erased = Error::from(RightsError::SubjectErased);
    /// assert_eq!((erased.class(), erased.class().status()), (ErrorClass::Gone, 410));
    /// ```
    pub fn class(&self) -> ErrorClass {
        use ErrorClass::*;
        match self {
            Error::Config(e) => match e {
                ConfigError::ConfigMalformed { .. }
                | ConfigError::PurposeDuplicate { .. }
                | ConfigError::ServiceDuplicate { .. }
                | ConfigError::NoPurposes
                | ConfigError::TextMissing { .. }
                | ConfigError::LifetimeOutOfRange { .. }
                | ConfigError::LegalBasisInvalid { .. }
                | ConfigError::DefaultLanguageMissing { .. }
                | ConfigError::FormInvalid { .. }
                | ConfigError::RetentionInvalid { .. }
                | ConfigError::RecycleBinInvalid { .. }
                | ConfigError::ShardsInvalid { .. }
                | ConfigError::ThemeInvalid { .. }
                | ConfigError::TcfInvalid { .. }
                | ConfigError::TcfVendorUnknown { .. }
                | ConfigError::TcfDisclosureStale { .. }
                | ConfigError::FixedAtDeploy { .. } => Invalid,
                ConfigError::DraftNone | ConfigError::EditionUnknown { .. } => NotFound,
                ConfigError::DraftStale { .. } | ConfigError::DraftUnchanged => Conflict,
            },
            Error::Syntax(e) => match e {
                SyntaxError::SiteIdInvalid { .. }
                | SyntaxError::PurposeIdInvalid { .. }
                | SyntaxError::ServiceIdInvalid { .. }
                | SyntaxError::LanguageInvalid { .. }
                | SyntaxError::EventIdInvalid { .. }
                | SyntaxError::FormIdInvalid { .. }
                | SyntaxError::SubjectIdInvalid { .. }
                | SyntaxError::OriginInvalid { .. }
                | SyntaxError::FieldTooLong { .. }
                | SyntaxError::FieldInvalid { .. }
                | SyntaxError::NoticeHashInvalid { .. } => Invalid,
            },
            Error::Event(e) => match e {
                EventError::OriginNotAllowed { .. } => Forbidden,
                EventError::EventMalformed { .. }
                | EventError::SiteMismatch { .. }
                | EventError::PurposeUnknown { .. }
                | EventError::DecisionMissing { .. }
                | EventError::RequiredPurposeRefused { .. }
                | EventError::ServiceUnknown { .. }
                | EventError::ServiceOutsidePurpose { .. }
                | EventError::GpcConflict { .. }
                | EventError::ActionMismatch { .. }
                | EventError::NoticeOutdated { .. }
                | EventError::LanguageUnknown { .. }
                | EventError::NoticeHashMismatch { .. }
                | EventError::ClientTimeSkew { .. }
                | EventError::TcStringInvalid { .. } => Invalid,
            },
            Error::Form(e) => match e {
                FormError::FormUnknown { .. } => NotFound,
                FormError::TokenExpired | FormError::PhoneCodeExhausted => Gone,
                FormError::AddressBlocked => Forbidden,
                FormError::VaultUnreadable => Fault,
                FormError::OfferUnknown { .. }
                | FormError::OfferMissing { .. }
                | FormError::SurfaceMismatch { .. }
                | FormError::FieldRequired { .. }
                | FormError::FieldNotAsked { .. }
                | FormError::EmailInvalid { .. }
                | FormError::PhoneInvalid
                | FormError::NameInvalid
                | FormError::AgeInvalid
                | FormError::TokenInvalid
                | FormError::TokenScope
                | FormError::NothingToWithdraw
                | FormError::NothingChosen
                | FormError::PhoneCodeInvalid => Invalid,
            },
            Error::Log(e) => match e {
                LogError::EventIdConflict { .. } => Conflict,
                LogError::LogEmpty | LogError::NoticeUnknown { .. } => NotFound,
                LogError::RecordEncoding { .. } | LogError::ShardMismatch { .. } => Fault,
                LogError::ActionAgainstHistory { .. }
                | LogError::QueryInvalid { .. }
                | LogError::ProofInvalid { .. }
                | LogError::IndexOutOfRange { .. }
                | LogError::NoteMalformed { .. }
                | LogError::LeafHashMismatch
                | LogError::NoticeMismatch { .. } => Invalid,
            },
            Error::Key(e) => match e {
                KeyError::KeyUnknown { .. }
                | KeyError::SignatureInvalid
                | KeyError::KeyMalformed { .. }
                | KeyError::ReceiptMalformed { .. } => Invalid,
            },
            Error::Storage(e) => match e {
                StorageError::StorageFault { .. } => Fault,
            },
            Error::Access(e) => match e {
                AccessError::Unauthorized | AccessError::KeyRevoked => Unauthorized,
                AccessError::KeyOtherSite
                | AccessError::ScopeMissing { .. }
                | AccessError::OperatorOnly => Forbidden,
                AccessError::AdminKeyUnknown => NotFound,
                AccessError::KeyNotRevoked => Conflict,
                AccessError::ScopeInvalid { .. } | AccessError::KeyNameInvalid => Invalid,
            },
            Error::Rights(e) => rights(e),
            Error::Request(e) => match e {
                RequestError::SiteUnknown { .. } | RequestError::NotFound => NotFound,
                RequestError::MethodNotAllowed => MethodNotAllowed,
                RequestError::BodyTooLarge { .. } => TooLarge,
                RequestError::BodyUnreadable => Invalid,
                RequestError::Unauthorized => Unauthorized,
                RequestError::RateLimited => TooMany,
                RequestError::PreviewOnly => Forbidden,
            },
        }
    }
}

/// The class of a rights error (its own function: the category grows with
/// every owner operation).
fn rights(e: &RightsError) -> ErrorClass {
    use ErrorClass::*;
    match e {
        RightsError::SubjectUnknown
        | RightsError::RequestUnknown
        | RightsError::NotListed
        | RightsError::NotClosing
        | RightsError::BreachUnknown => NotFound,
        RightsError::AttestationInvalid { .. }
        | RightsError::NoteInvalid { .. }
        | RightsError::ClosingInvalid { .. }
        | RightsError::BreachInvalid { .. }
        | RightsError::BackupInvalid { .. }
        | RightsError::RequestInvalid { .. } => Invalid,
        RightsError::RequestDecided
        | RightsError::Objected
        | RightsError::SiteClosed
        | RightsError::BreachClosed
        | RightsError::SiteNotEmpty
        | RightsError::AddressListed
        | RightsError::NotRestricted
        | RightsError::NotInRecycleBin
        | RightsError::SubjectInRecycleBin => Conflict,
        RightsError::SubjectErased | RightsError::LinkUsed => Gone,
        RightsError::SubjectKeyInvalid => Unauthorized,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every class but `Invalid`, by an error of it: the statuses the API
    /// documents, pinned (a variant moved to another class fails here).
    #[test]
    fn each_class_answers_its_status() {
        let cases: [(Error, u16); 9] = [
            (RightsError::SubjectKeyInvalid.into(), 401),
            (AccessError::OperatorOnly.into(), 403),
            (RightsError::SubjectUnknown.into(), 404),
            (LogError::LogEmpty.into(), 404),
            (RightsError::SubjectInRecycleBin.into(), 409),
            (RightsError::SubjectErased.into(), 410),
            (FormError::TokenExpired.into(), 410),
            (
                LogError::ShardMismatch {
                    shard: 1,
                    expected: 0,
                }
                .into(),
                500,
            ),
            (FormError::NothingToWithdraw.into(), 400),
        ];
        for (e, status) in cases {
            assert_eq!(e.class().status(), status, "{}", e.code());
        }
    }
}
