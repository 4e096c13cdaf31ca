//! Who answers for a site's data and where it is kept: the data protection
//! officer (GDPR Art. 37-39), the representative in the Union of a
//! controller established outside it (Art. 27), and the site's data
//! location (a Durable Object jurisdiction). The notice shows the first two
//! (so a receipt's hash covers them); the record of processing shows all
//! three, the location as its transfers section (Art. 30(1)(e)).

#[allow(unused_imports)]
use crate::prelude::*;

use serde::{Deserialize, Serialize};

use crate::error::Error;

use super::{check_text, MAX_TITLE};

/// A person or office and where to reach them: a DPO, a representative.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contact {
    /// Name of the person or the office.
    pub name: String,
    /// Where to reach them: an e-mail address, a URL or a postal address.
    pub contact: String,
}

impl Contact {
    /// Checks both fields as texts shown to visitors (`<field>.name`,
    /// `<field>.contact` in the error).
    pub(crate) fn check(&self, field: &str) -> Result<(), Error> {
        check_text(&format!("{field}.name"), &self.name, MAX_TITLE)?;
        check_text(&format!("{field}.contact"), &self.contact, MAX_TITLE)
    }

    /// `name (contact)`, as the record of processing and its CSV show it.
    pub fn line(&self) -> String {
        format!("{} ({})", self.name, self.contact)
    }
}

/// Where a site's records, identities and audit trail are stored: a Durable
/// Object jurisdiction, which Cloudflare guarantees the objects never leave.
///
/// Chosen when a site starts: an object's id depends on its jurisdiction, so
/// a site that changes it finds empty objects there. Moving a site is a
/// backup and a restore into the new location.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataLocation {
    /// The European Union (`jurisdiction("eu")`).
    Eu,
    /// FedRAMP-authorised data centres in the United States (`jurisdiction("fedramp")`).
    Fedramp,
}

impl DataLocation {
    /// The jurisdiction name the Durable Object namespace takes.
    pub fn jurisdiction(self) -> &'static str {
        match self {
            DataLocation::Eu => "eu",
            DataLocation::Fedramp => "fedramp",
        }
    }

    /// What the record of processing says of it.
    pub fn describe(self) -> &'static str {
        match self {
            DataLocation::Eu => "Consent records, identities and the audit trail are stored in Cloudflare Durable Objects restricted to the European Union jurisdiction (data_location: eu): they are stored and processed only in the EU. The services' providers listed as recipients may transfer data on their own terms.",
            DataLocation::Fedramp => "Consent records, identities and the audit trail are stored in Cloudflare Durable Objects restricted to the FedRAMP jurisdiction (data_location: fedramp): FedRAMP-authorised data centres in the United States, a third country for data subjects in the EU. The services' providers listed as recipients may transfer data on their own terms.",
        }
    }
}

/// What the record of processing says when the configuration names no data
/// location: the objects live where Cloudflare first placed them.
pub const LOCATION_NOT_STATED: &str = "No data_location in the configuration: consent records, identities and the audit trail are stored in Cloudflare Durable Objects placed near where each was first used, which may be outside the European Union.";

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_location_names_its_jurisdiction_and_reads_as_json() {
        assert_eq!(DataLocation::Eu.jurisdiction(), "eu");
        assert_eq!(DataLocation::Fedramp.jurisdiction(), "fedramp");
        let eu: DataLocation = serde_json::from_str("\"eu\"").unwrap();
        assert_eq!(eu, DataLocation::Eu);
        assert!(serde_json::from_str::<DataLocation>("\"us\"").is_err());
        assert!(DataLocation::Eu.describe().contains("only in the EU"));
        assert!(DataLocation::Fedramp.describe().contains("third country"));
    }

    #[test]
    fn a_contact_needs_both_fields() {
        let ok = Contact {
            name: "Jo Hale".into(),
            contact: "dpo@example.org".into(),
        };
        assert_eq!(ok.check("controller.dpo"), Ok(()));
        assert_eq!(ok.line(), "Jo Hale (dpo@example.org)");
        let blank = Contact {
            contact: " ".into(),
            ..ok.clone()
        };
        let err = blank.check("controller.dpo").unwrap_err();
        assert!(
            format!("{err:?}").contains("controller.dpo.contact"),
            "{err:?}"
        );
        let long = Contact {
            name: "x".repeat(MAX_TITLE + 1),
            ..ok
        };
        assert!(format!("{:?}", long.check("r").unwrap_err()).contains("r.name"));
    }
}
