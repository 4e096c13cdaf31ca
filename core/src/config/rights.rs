//! How a site handles data-subject requests: fulfilment, the pseudonymous
//! mode, how long identities are kept and the recycle bin.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::error::{ConfigError, Error};

/// How the site handles data-subject requests.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RightsConfig {
    /// Fulfil requests from the privacy center as they arrive, without the
    /// owner's validation (default: the owner validates each).
    #[serde(default)]
    pub auto_fulfil: bool,
    /// Pseudonymous mode: the owner's exports and console show subject ids
    /// only, never identities (the person's own download still holds theirs).
    #[serde(default)]
    pub pseudonymous: bool,
    /// How long identities are kept (see `crate::rights::retention`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retention: Option<RetentionConfig>,
    /// The recycle bin: an owner's erasure (the API, the CLI, the console, a
    /// fulfilled request) first moves the subject to the bin for this many
    /// days (1 to [`MAX_RECYCLE_BIN_DAYS`]), during which nothing is
    /// processed for them and the owner may restore them; then the erasure
    /// runs (see `crate::rights::bin`). Absent: erasure is immediate.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub recycle_bin_days: Option<u32>,
}

/// The longest grace period of the recycle bin, in days.
pub const MAX_RECYCLE_BIN_DAYS: u32 = 90;

/// How long a contact's identity is kept before it is anonymised (erased,
/// as an owner's erasure does, by the schedule).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionConfig {
    /// Days without a new record after which a contact is anonymised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub inactive_days: Option<u32>,
    /// Days after which a contact who never confirmed any opt-in (only
    /// pending, expired or refused offers) is anonymised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unconfirmed_days: Option<u32>,
}

impl RightsConfig {
    /// Whether this is the default (then the configuration leaves it out).
    pub(super) fn is_default(&self) -> bool {
        *self == RightsConfig::default()
    }

    /// Checks the retention periods (1 to 3650 days), then the recycle bin's
    /// (1 to [`MAX_RECYCLE_BIN_DAYS`]).
    pub(super) fn validate(&self) -> Result<(), Error> {
        if let Some(r) = &self.retention {
            for days in [r.inactive_days, r.unconfirmed_days].into_iter().flatten() {
                if !(1..=3650).contains(&days) {
                    return Err(Error::Config(ConfigError::RetentionInvalid { days }));
                }
            }
        }
        if let Some(days) = self.recycle_bin_days {
            if !(1..=MAX_RECYCLE_BIN_DAYS).contains(&days) {
                return Err(Error::Config(ConfigError::RecycleBinInvalid { days }));
            }
        }
        Ok(())
    }
}
