//! The form intake's conformance suite (`assent_core::form::conformance`) on
//! the in-memory stores, and what only memory lets a test see: every stored
//! byte. The edge runs the same suite on SQLite. Native only.
#![cfg(all(feature = "test-support", not(target_arch = "wasm32")))]

use assent_core::form::conformance::{self as suite, Desk};
use assent_core::form::memory::MemoryFormStore;
use assent_core::log::store::{LogStore, MemoryLogStore};

fn stores() -> (MemoryLogStore, MemoryFormStore) {
    (MemoryLogStore::default(), MemoryFormStore::default())
}

#[test]
fn a_submission_waits_then_its_link_grants_the_ticked_offer_only() {
    let (log, forms) = stores();
    suite::a_submission_waits_then_its_link_grants_the_ticked_offer_only(log, forms);
}

#[test]
fn an_erasure_shreds_the_identity_keeps_the_proofs_and_flags_a_readdition() {
    let (log, forms) = stores();
    suite::an_erasure_shreds_the_identity_keeps_the_proofs_and_flags_a_readdition(log, forms);
}

#[test]
fn retention_anonymises_what_its_dry_run_lists() {
    let (log, forms) = stores();
    suite::retention_anonymises_what_its_dry_run_lists(log, forms);
}

#[test]
fn restriction_and_rectification_are_events() {
    let (log, forms) = stores();
    suite::restriction_and_rectification_are_events(log, forms);
}

#[test]
fn a_phone_is_granted_by_the_code_texted_to_it() {
    let (log, forms) = stores();
    suite::a_phone_is_granted_by_the_code_texted_to_it(log, forms);
}

#[test]
fn five_wrong_codes_kill_the_code() {
    let (log, forms) = stores();
    suite::five_wrong_codes_kill_the_code(log, forms);
}

#[test]
fn a_code_proves_its_own_submission_only() {
    let (log, forms) = stores();
    suite::a_code_proves_its_own_submission_only(log, forms);
}

#[test]
fn texts_count_against_the_number_they_go_to() {
    let (log, forms) = stores();
    suite::texts_count_against_the_number_they_go_to(log, forms);
}

#[test]
fn the_same_email_again_is_the_same_subject() {
    let (log, forms) = stores();
    suite::the_same_email_again_is_the_same_subject(log, forms);
}

#[test]
fn an_unconfirmed_submission_expires_and_its_link_then_fails() {
    let (log, forms) = stores();
    suite::an_unconfirmed_submission_expires_and_its_link_then_fails(log, forms);
}

#[test]
fn a_confirmation_inside_the_window_beats_a_later_expiry() {
    let (log, forms) = stores();
    suite::a_confirmation_inside_the_window_beats_a_later_expiry(log, forms);
}

#[test]
fn under_age_the_mail_goes_to_the_parent_and_only_their_link_grants() {
    let (log, forms) = stores();
    suite::under_age_the_mail_goes_to_the_parent_and_only_their_link_grants(log, forms);
}

#[test]
fn a_token_for_a_submission_that_never_waited_is_refused() {
    let (log, forms) = stores();
    suite::a_token_for_a_submission_that_never_waited_is_refused(log, forms);
}

#[test]
fn a_repeated_submission_stores_nothing_new_and_sends_no_second_mail() {
    let (log, forms) = stores();
    suite::a_repeated_submission_stores_nothing_new_and_sends_no_second_mail(log, forms);
}

#[test]
fn a_confirmation_queues_a_delivery_that_backs_off_until_delivered() {
    let (log, forms) = stores();
    suite::a_confirmation_queues_a_delivery_that_backs_off_until_delivered(log, forms);
}

#[test]
fn a_withdrawal_withdraws_what_was_granted_and_tells_the_crm() {
    let (log, forms) = stores();
    suite::a_withdrawal_withdraws_what_was_granted_and_tells_the_crm(log, forms);
}

#[test]
fn nobody_s_inbox_can_be_flooded_through_the_form() {
    let (log, forms) = stores();
    suite::nobody_s_inbox_can_be_flooded_through_the_form(log, forms);
}

#[test]
fn no_stored_byte_holds_an_address_in_clear() {
    let (log, forms) = stores();
    let mut desk = Desk::new(log, forms);
    desk.submit(|_| {});
    desk.submit(|b| {
        b["identity"]["email"] = "ben@example.com".into();
        b["identity"]["name"] = "Ben Example".into();
    });
    let mut everything: Vec<Vec<u8>> = desk.forms.raw_bytes();
    everything.extend(
        desk.log
            .oldest_from(0, 100)
            .unwrap()
            .into_iter()
            .map(|l| l.record.into_bytes()),
    );
    for needle in [
        &b"ana@example.com"[..],
        b"ben@example.com",
        b"Ana@Example.com",
        b"Ben Example",
    ] {
        assert!(
            !everything
                .iter()
                .any(|hay| hay.windows(needle.len()).any(|w| w == needle)),
            "plaintext stored"
        );
    }
}

#[test]
fn an_imported_address_is_suppressed_recorded_and_flagged_as_a_readdition() {
    let (log, forms) = stores();
    suite::an_imported_address_is_suppressed_recorded_and_flagged_as_a_readdition(log, forms);
}

#[test]
fn the_recycle_bin_holds_an_erasure_until_its_purge() {
    let (log, forms) = stores();
    suite::the_recycle_bin_holds_an_erasure_until_its_purge(log, forms);
}

#[test]
fn a_new_opt_in_of_a_binned_address_completes_the_erasure_first() {
    let (log, forms) = stores();
    suite::a_new_opt_in_of_a_binned_address_completes_the_erasure_first(log, forms);
}

#[test]
fn an_erasure_request_waits_in_the_bin_and_a_restore_reopens_it() {
    let (log, forms) = stores();
    suite::an_erasure_request_waits_in_the_bin_and_a_restore_reopens_it(log, forms);
}

#[test]
fn a_fault_in_the_recycle_bin_changes_nothing() {
    let (log, forms) = stores();
    suite::a_fault_in_the_recycle_bin_changes_nothing(log, forms);
}

#[test]
fn mails_count_against_the_address_they_go_to() {
    let (log, forms) = stores();
    suite::mails_count_against_the_address_they_go_to(log, forms);
}

#[test]
fn only_a_confirmed_submission_changes_the_identity() {
    let (log, forms) = stores();
    suite::only_a_confirmed_submission_changes_the_identity(log, forms);
}

#[test]
fn a_phone_channel_is_not_granted_by_the_email_link() {
    let (log, forms) = stores();
    suite::a_phone_channel_is_not_granted_by_the_email_link(log, forms);
}

#[test]
fn a_new_number_is_proven_again() {
    let (log, forms) = stores();
    suite::a_new_number_is_proven_again(log, forms);
}

#[test]
fn a_code_after_the_link_expired_is_refused() {
    let (log, forms) = stores();
    suite::a_code_after_the_link_expired_is_refused(log, forms);
}

#[test]
fn lists_withdraw_force_double_opt_in_and_block() {
    let (log, forms) = stores();
    suite::lists_withdraw_force_double_opt_in_and_block(log, forms);
}

#[test]
fn an_unsubscribe_link_withdraws_its_channel_once() {
    let (log, forms) = stores();
    suite::an_unsubscribe_link_withdraws_its_channel_once(log, forms);
}

#[test]
fn suppressions_rank_and_remove() {
    let (log, forms) = stores();
    suite::suppressions_rank_and_remove(log, forms);
}

#[test]
fn an_attestation_is_the_owners_word_never_the_persons() {
    let (log, forms) = stores();
    suite::an_attestation_is_the_owners_word_never_the_persons(log, forms);
}

#[test]
fn an_objection_holds_without_a_grant_until_the_persons_own_opt_in() {
    let (log, forms) = stores();
    suite::an_objection_holds_without_a_grant_until_the_persons_own_opt_in(log, forms);
}

#[test]
fn notes_are_sealed_exported_and_erased_with_the_identity() {
    let (log, forms) = stores();
    suite::notes_are_sealed_exported_and_erased_with_the_identity(log, forms);
}

#[test]
fn the_contact_list_filters_and_pages() {
    let (log, forms) = stores();
    suite::the_contact_list_filters_and_pages(log, forms);
}

#[test]
fn the_site_closes_on_its_day() {
    let (log, forms) = stores();
    suite::the_site_closes_on_its_day(log, forms);
}

#[test]
fn requests_as_the_law_reads_them() {
    let (log, forms) = stores();
    suite::requests_as_the_law_reads_them(log, forms);
}

#[test]
fn a_withdrawal_reaches_every_form() {
    let (log, forms) = stores();
    suite::a_withdrawal_reaches_every_form(log, forms);
}
