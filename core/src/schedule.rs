//! The log object's alarm policy, in one place: which jobs an alarm runs,
//! how much each run takes at most, and when the alarm rings next.
//!
//! A Durable Object has one alarm. Each job ([`Job`]) says when it is next
//! due after a run ([`Job::next`]) and the object rings at the earliest of
//! them: a full batch rings again a second later (more may be due now), a
//! failed run backs off, and a run that finished rings when its next item
//! is due. The shells keep no literal of their own: they run the jobs and
//! ask here.
//!
//! ```
//! use assent_core::schedule::{Job, Ran};
//! let now = 1_000_000;
//! // A full batch of expiries: again in a second.
//! assert_eq!(Job::Expire.next(Ran::Did(Job::Expire.batch()), now, Some(now + 99_000)), Some(now + 1_000));
//! // Fewer than a batch: when the next one is due.
//! assert_eq!(Job::Expire.next(Ran::Did(3), now, Some(now + 99_000)), Some(now + 99_000));
//! // A failure: after the job's back-off.
//! assert_eq!(Job::Expire.next(Ran::Failed, now, None), Some(now + 60_000));
//! ```

/// A job the log object's alarm runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Job {
    /// Sign a checkpoint of the grown log.
    Checkpoint,
    /// Close pending submissions whose links expired
    /// (`form::intake::expire_due`).
    Expire,
    /// Erase binned subjects whose time is up (`rights::bin::purge`).
    Purge,
    /// Deliver due webhook messages (`form::webhook`).
    Deliver,
    /// Anonymise contacts past the site's retention (`rights::retention`).
    Retention,
}

/// What a run of a job came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ran {
    /// It handled this many items.
    Did(u64),
    /// It failed (storage, configuration); nothing is lost, it runs again.
    Failed,
}

/// A checkpoint is signed at most this long after the log grew: appends
/// within it share one signature.
pub const CHECKPOINT_AFTER_MS: u64 = 1_000;

/// Retention runs this often on a site with a policy.
pub const RETENTION_EVERY_MS: u64 = 24 * 3_600_000;

/// A full batch: the next run comes this soon.
pub const AGAIN_MS: u64 = 1_000;

impl Job {
    /// Every job, in the order an alarm runs them (the checkpoint last, so
    /// it signs what the others appended).
    pub const ALL: [Job; 5] = [
        Job::Expire,
        Job::Purge,
        Job::Deliver,
        Job::Retention,
        Job::Checkpoint,
    ];

    /// Items one run takes at most (the rest the next run).
    pub fn batch(self) -> u64 {
        match self {
            Job::Checkpoint => 1,
            Job::Expire => 100,
            Job::Purge => 100,
            Job::Deliver => 20,
            Job::Retention => 200,
        }
    }

    /// How long after a failed run the job runs again.
    pub fn back_off_ms(self) -> u64 {
        match self {
            Job::Checkpoint | Job::Expire | Job::Purge => 60_000,
            Job::Deliver => crate::form::webhook::FIRST_RETRY_MS,
            Job::Retention => 3_600_000,
        }
    }

    /// When the job should run next, after a run at `now_ms` that came to
    /// `ran`, given when its next item is due (`due_ms`, as its store says;
    /// for retention, ignored: it runs every [`RETENTION_EVERY_MS`]).
    /// `None`: nothing to wake for.
    pub fn next(self, ran: Ran, now_ms: u64, due_ms: Option<u64>) -> Option<u64> {
        match ran {
            Ran::Failed => Some(now_ms + self.back_off_ms()),
            Ran::Did(n) if n >= self.batch() && self != Job::Checkpoint => Some(now_ms + AGAIN_MS),
            Ran::Did(_) if self == Job::Retention => Some(now_ms + RETENTION_EVERY_MS),
            Ran::Did(_) => due_ms,
        }
    }
}

/// The earliest of the times the jobs asked for.
pub fn earliest(times: impl IntoIterator<Item = Option<u64>>) -> Option<u64> {
    times.into_iter().flatten().min()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_boundary_decides_between_again_and_due() {
        let now = 10_000;
        for job in [Job::Expire, Job::Purge, Job::Deliver, Job::Retention] {
            let b = job.batch();
            assert_eq!(
                job.next(Ran::Did(b), now, Some(now + 5)),
                Some(now + AGAIN_MS),
                "{job:?}"
            );
            let short = job.next(Ran::Did(b - 1), now, Some(now + 5));
            assert_ne!(short, Some(now + AGAIN_MS), "{job:?}");
        }
        assert_eq!(Job::Expire.next(Ran::Did(99), now, None), None);
        assert_eq!(
            Job::Retention.next(Ran::Did(0), now, None),
            Some(now + 86_400_000),
            "daily, to the millisecond"
        );
        // A checkpoint is one item: signing it asks for nothing more.
        assert_eq!(Job::Checkpoint.next(Ran::Did(1), now, None), None);
    }

    #[test]
    fn failures_back_off_per_job() {
        let now = 7;
        let got: Vec<Option<u64>> = Job::ALL
            .iter()
            .map(|j| j.next(Ran::Failed, now, None))
            .collect();
        assert_eq!(
            got,
            [
                Some(60_007),
                Some(60_007),
                Some(1_007),
                Some(3_600_007),
                Some(60_007)
            ]
        );
    }

    #[test]
    fn the_earliest_wins_and_nothing_is_nothing() {
        assert_eq!(earliest([None, Some(5), Some(3), None]), Some(3));
        assert_eq!(earliest([None, None]), None);
    }
}
