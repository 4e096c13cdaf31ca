// What the IAB's reference library, `@iabtechlabtcf/core`, reads in a TC
// string, as core names the fields (restrictions ordered by purpose, then
// type): shared by the cross-check and the script that writes the known
// answers (scripts/tcf-vectors.mjs).
import { TCString } from "@iabtechlabtcf/core";

export const ids = (vector) => { const a = []; vector.forEach((on, id) => on && a.push(id)); return a; };
export const NAMES = ["not_allowed", "require_consent", "require_legitimate_interest"];

/** The segment types a string has after its core (1: disclosed vendors, 3: publisher). */
export const segmentTypes = (s) => s.split(".").slice(1).map((seg) => "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".indexOf(seg[0]) >> 3);

/** What the IAB's library reads in `string`, as core names the fields. */
export function libraryReads(string) {
  const m = TCString.decode(string);
  const types = segmentTypes(string);
  const restrictions = m.publisherRestrictions.getRestrictions()
    .map((r) => ({ purpose: r.purposeId, restriction: NAMES[r.restrictionType], vendors: m.publisherRestrictions.getVendors(r) }))
    .sort((a, b) => a.purpose - b.purpose || NAMES.indexOf(a.restriction) - NAMES.indexOf(b.restriction));
  return {
    created_ms: m.created.getTime(),
    last_updated_ms: m.lastUpdated.getTime(),
    cmp_id: m.cmpId,
    cmp_version: m.cmpVersion,
    consent_screen: m.consentScreen,
    consent_language: m.consentLanguage,
    vendor_list_version: m.vendorListVersion,
    policy_version: m.policyVersion,
    is_service_specific: m.isServiceSpecific,
    use_non_standard_texts: m.useNonStandardTexts,
    special_feature_opt_ins: ids(m.specialFeatureOptins),
    purpose_consents: ids(m.purposeConsents),
    purpose_legitimate_interests: ids(m.purposeLegitimateInterests),
    purpose_one_treatment: m.purposeOneTreatment,
    publisher_cc: m.publisherCountryCode,
    vendor_consents: ids(m.vendorConsents),
    vendor_legitimate_interests: ids(m.vendorLegitimateInterests),
    publisher_restrictions: restrictions,
    disclosed_vendors: types.includes(1) ? ids(m.vendorsDisclosed) : null,
    publisher: types.includes(3) ? {
      consents: ids(m.publisherConsents),
      legitimate_interests: ids(m.publisherLegitimateInterests),
      custom_purposes: m.numCustomPurposes,
      custom_consents: ids(m.publisherCustomConsents),
      custom_legitimate_interests: ids(m.publisherCustomLegitimateInterests),
    } : null,
  };
}

