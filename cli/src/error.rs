//! The CLI's errors: invalid evidence (exit 1) or a usage / I/O problem (exit 2).

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The evidence does not verify; the message says why.
    #[error("INVALID: {0}")]
    Invalid(String),
    /// The evidence is wrong in a way core names (a code and a message), or
    /// core's storage failed (`storage_fault`: not a verdict, exit 2).
    #[error("{verdict}[{code}] {error}", verdict = if matches!(error, assent_core::Error::Storage(assent_core::error::StorageError::StorageFault { .. })) { "" } else { "INVALID: " }, code = error.code())]
    Core {
        /// The core error.
        #[from]
        error: assent_core::Error,
    },
    /// A file, URL or the edge could not be read, or an answer was not what was asked.
    #[error("{0}")]
    Io(String),
    /// The command cannot run as given (e.g. no pinned key to verify with).
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// 1 for invalid evidence, 2 for everything else (a storage fault is
    /// never evidence of a bad log).
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Core {
                error:
                    assent_core::Error::Storage(assent_core::error::StorageError::StorageFault {
                        ..
                    }),
            } => 2,
            CliError::Invalid(_) | CliError::Core { .. } => 1,
            CliError::Io(_) | CliError::Usage(_) => 2,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_fault_is_an_io_error_not_an_invalid_proof() {
        let fault = CliError::from(assent_core::Error::Storage(
            assent_core::error::StorageError::StorageFault {
                reason: "disk".into(),
            },
        ));
        assert_eq!(fault.exit_code(), 2);
        assert!(!fault.to_string().contains("INVALID"), "{fault}");
        let bad = CliError::from(assent_core::Error::Log(
            assent_core::error::LogError::ProofInvalid {
                reason: "root".into(),
            },
        ));
        assert_eq!(bad.exit_code(), 1);
        assert!(bad.to_string().starts_with("INVALID: [proof_invalid]"));
    }
}
