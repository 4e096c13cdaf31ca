//! The log's conformance suite on the in-memory store (the edge runs the same
//! suite on its SQLite store).
#![cfg(feature = "test-support")]

use assent_core::log::conformance as suite;
use assent_core::log::MemoryLogStore;

#[test]
fn counters_match_a_recount() {
    suite::counters_match_a_recount(&mut MemoryLogStore::default());
}

#[test]
fn appends_and_proves() {
    suite::appends_and_proves(&mut MemoryLogStore::default());
}

#[test]
fn repeats_are_idempotent() {
    suite::repeats_are_idempotent(&mut MemoryLogStore::default());
}

#[test]
fn chains_subjects_and_checks_actions() {
    suite::chains_subjects_and_checks_actions(&mut MemoryLogStore::default());
}

#[test]
fn fixes_the_origin() {
    suite::fixes_the_origin(&mut MemoryLogStore::default());
}

#[test]
fn the_alarm_signs_checkpoints() {
    suite::the_alarm_signs_checkpoints(&mut MemoryLogStore::default());
}

#[test]
fn survives_faults() {
    suite::survives_faults(MemoryLogStore::default);
}

#[test]
fn proof_faults_are_internal() {
    suite::proof_faults_are_internal(MemoryLogStore::default());
}

#[test]
fn concurrent_retry() {
    suite::concurrent_retry(MemoryLogStore::default());
}

#[test]
fn pages() {
    suite::pages(&mut MemoryLogStore::default());
}

#[test]
fn a_presumed_choice_is_the_history_of_a_first_choice() {
    suite::a_presumed_choice_is_the_history_of_a_first_choice(&mut MemoryLogStore::default());
}

#[test]
fn keeps_the_first_subject_key() {
    suite::keeps_the_first_subject_key(&mut MemoryLogStore::default());
}

#[test]
fn an_erased_subject_takes_nothing() {
    suite::an_erased_subject_takes_nothing(&mut MemoryLogStore::default());
}

#[test]
fn keeps_notices() {
    suite::keeps_notices(&mut MemoryLogStore::default());
}

#[test]
fn grows_into_shards_without_moving_anyone() {
    suite::grows_into_shards_without_moving_anyone(MemoryLogStore::default);
}

#[test]
fn a_restored_log_is_checked_against_its_checkpoint() {
    suite::a_restored_log_is_checked_against_its_checkpoint(MemoryLogStore::default);
}
