//! How a site's log is kept: the shards it spreads over.

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::error::Error;

/// How a site's log is kept.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogConfig {
    /// The shards the log spreads over, by subject
    /// ([`crate::shards`]): a count, or generations of counts with the
    /// dates they start. Default: one.
    #[serde(default)]
    pub shards: crate::shards::Shards,
}

impl LogConfig {
    /// Whether this is the default (then the configuration leaves it out).
    pub(super) fn is_default(&self) -> bool {
        self == &LogConfig::default()
    }

    /// Checks the shards.
    pub(super) fn validate(&self) -> Result<(), Error> {
        self.shards.validate()
    }
}
