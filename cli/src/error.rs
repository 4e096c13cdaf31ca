//! The CLI's errors: invalid evidence (exit 1) or a usage / I/O problem (exit 2).

/// What went wrong.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// The evidence does not verify; the message says why.
    #[error("INVALID: {0}")]
    Invalid(String),
    /// The evidence is wrong in a way core names (a code and a message).
    #[error("INVALID: [{code}] {error}", code = error.code())]
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
    /// 1 for invalid evidence, 2 for everything else.
    pub fn exit_code(&self) -> u8 {
        match self {
            CliError::Invalid(_) | CliError::Core { .. } => 1,
            CliError::Io(_) | CliError::Usage(_) => 2,
        }
    }
}
