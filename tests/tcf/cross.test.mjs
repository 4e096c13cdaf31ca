// Core's TC string codec against the IAB's reference library,
// `@iabtechlabtcf/core`, both ways: the specification's known answers decode
// alike in both; strings core encodes decode there to the fields core was
// given; strings the library encodes decode in core to the fields the
// library reads back. Core runs as its `tcf` example (ASSENT_TCF_BIN, built
// by `make test-loader`), one JSON line per question.
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { TCString, TCModel, GVL } from "@iabtechlabtcf/core";
import { libraryReads, NAMES } from "./library.mjs";

const BIN = process.env.ASSENT_TCF_BIN ?? "target/debug/examples/tcf";
const VECTORS = JSON.parse(readFileSync(new URL("../../core/tests/vectors/tcf.json", import.meta.url), "utf8"));

/** Asks core each question (`{encode}` or `{decode}`); its answers in order. */
function core(questions) {
  const r = spawnSync(BIN, { input: questions.map((q) => JSON.stringify(q)).join("\n") + "\n", encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split("\n").map((l) => JSON.parse(l));
}

/** Core's fields with its restrictions in the order the comparison uses. */
const sorted = (fields) => fields && ({
  ...fields,
  publisher_restrictions: [...fields.publisher_restrictions]
    .sort((a, b) => a.purpose - b.purpose || NAMES.indexOf(a.restriction) - NAMES.indexOf(b.restriction)),
});

test("the known answers (the specification's example, the library's own strings) read alike in core and in the library", () => {
  assert.ok(VECTORS.length >= 4);
  const answers = core(VECTORS.map((v) => ({ decode: v.string })));
  for (const [i, v] of VECTORS.entries()) {
    assert.deepEqual(sorted(answers[i].fields), v.fields, `core reads ${v.name}`);
    assert.deepEqual(libraryReads(v.string), v.fields, `the library reads ${v.name}`);
  }
});

/** A small deterministic generator (mulberry32), so a failure can be run again. */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Vendor sets of every shape: none, dense low ids (a bit field), sparse high ids and runs (ranges). */
function vendors(rand) {
  const shape = Math.floor(rand() * 4);
  const set = new Set();
  if (shape === 1) for (let id = 1; id <= 200; id++) if (rand() < 0.5) set.add(id);
  if (shape === 2) for (let n = 0; n < 5; n++) set.add(1 + Math.floor(rand() * 65535));
  if (shape === 3) for (let n = 0; n < 4; n++) { const start = 1 + Math.floor(rand() * 3000); for (let id = start; id < start + 1 + Math.floor(rand() * 40); id++) set.add(id); }
  return [...set].sort((a, b) => a - b);
}
const some = (rand, width, p = 0.4) => Array.from({ length: width }, (_, i) => i + 1).filter(() => rand() < p);
const letters = (rand) => String.fromCharCode(65 + Math.floor(rand() * 26), 65 + Math.floor(rand() * 26));

/** Fields of a TC string, drawn at random over every field's range. */
function fields(rand) {
  const day = Date.UTC(2026, 0, 1) + Math.floor(rand() * 700) * 86_400_000;
  const custom = Math.floor(rand() * 8);
  return {
    created_ms: day,
    last_updated_ms: day,
    cmp_id: Math.floor(rand() * 4096),
    cmp_version: Math.floor(rand() * 4096),
    consent_screen: Math.floor(rand() * 64),
    consent_language: letters(rand),
    vendor_list_version: Math.floor(rand() * 4096),
    policy_version: 5,
    is_service_specific: true,
    use_non_standard_texts: rand() < 0.5,
    special_feature_opt_ins: some(rand, 12),
    purpose_consents: some(rand, 24),
    purpose_legitimate_interests: some(rand, 24),
    purpose_one_treatment: rand() < 0.2,
    publisher_cc: letters(rand),
    vendor_consents: vendors(rand),
    vendor_legitimate_interests: vendors(rand),
    publisher_restrictions: Array.from({ length: Math.floor(rand() * 3) }, (_, i) => ({ purpose: i + 1 + Math.floor(rand() * 3) * 3, restriction: NAMES[i % 3], vendors: vendors(rand).slice(0, 30) }))
      .filter((r) => r.vendors.length),
    disclosed_vendors: vendors(rand),
    publisher: rand() < 0.7 ? {
      consents: some(rand, 24), legitimate_interests: some(rand, 24), custom_purposes: custom,
      custom_consents: some(rand, custom), custom_legitimate_interests: some(rand, custom),
    } : null,
  };
}

test("200 strings core encodes decode in the library to the fields core was given", () => {
  const rand = random(2026);
  const cases = Array.from({ length: 200 }, () => fields(rand));
  const answers = core(cases.map((f) => ({ encode: f })));
  let ranges = 0;
  for (const [i, f] of cases.entries()) {
    const { string } = answers[i];
    assert.ok(string, `core encodes case ${i}: ${JSON.stringify(answers[i])}`);
    assert.deepEqual(libraryReads(string), sorted(f), `case ${i}: ${string}`);
    ranges += f.vendor_consents.length > 0 && f.vendor_consents.at(-1) > 3000 ? 1 : 0;
  }
  assert.ok(ranges > 10, "range encodings were exercised");
});

/** A Global Vendor List of 60 made-up vendors over the id space, for the library's encoder. */
function gvl(rand) {
  const purposes = Object.fromEntries(Array.from({ length: 11 }, (_, i) => [i + 1, { id: i + 1, name: `P${i + 1}`, description: "", illustrations: [] }]));
  const list = { gvlSpecificationVersion: 3, vendorListVersion: 100, tcfPolicyVersion: 5, lastUpdated: "2026-01-01T00:00:00Z",
    purposes, specialPurposes: { 1: { id: 1, name: "S1", description: "", illustrations: [] }, 2: { id: 2, name: "S2", description: "", illustrations: [] } },
    features: {}, specialFeatures: { 1: { id: 1, name: "F1", description: "", illustrations: [] }, 2: { id: 2, name: "F2", description: "", illustrations: [] } },
    stacks: {}, dataCategories: {}, vendors: {} };
  const used = new Set();
  while (used.size < 60) used.add(1 + Math.floor(rand() * (rand() < 0.5 ? 300 : 5000)));
  for (const id of used) {
    const consent = some(rand, 11, 0.5);
    const li = [2, 7, 8, 9, 10, 11].filter((p) => !consent.includes(p) && rand() < 0.5);
    list.vendors[id] = { id, name: `Vendor ${id}`, purposes: consent, legIntPurposes: li, flexiblePurposes: li, specialPurposes: [1], features: [], specialFeatures: [],
      cookieMaxAgeSeconds: 0, usesCookies: true, cookieRefresh: false, usesNonCookieAccess: false, urls: [{ langId: "en", privacy: "https://example.com/p" }] };
  }
  return new GVL(list);
}

test("100 strings the library encodes decode in core to the fields the library reads back", () => {
  const rand = random(7);
  const list = gvl(rand);
  const vendorIds = Object.keys(list.vendors).map(Number);
  const strings = Array.from({ length: 100 }, () => {
    const m = new TCModel(list);
    m.cmpId = 1 + Math.floor(rand() * 4000);
    m.cmpVersion = Math.floor(rand() * 100);
    m.consentScreen = Math.floor(rand() * 10);
    m.isServiceSpecific = true;
    m.publisherCountryCode = letters(rand);
    m.purposeConsents.set(some(rand, 11));
    m.purposeLegitimateInterests.set(some(rand, 11));
    m.specialFeatureOptins.set(some(rand, 2));
    m.vendorConsents.set(vendorIds.filter(() => rand() < 0.3));
    m.vendorLegitimateInterests.set(vendorIds.filter(() => rand() < 0.3));
    m.vendorsDisclosed.set(vendorIds.filter(() => rand() < 0.8));
    m.publisherConsents.set(some(rand, 11));
    return TCString.encode(m);
  });
  const answers = core(strings.map((s) => ({ decode: s })));
  for (const [i, s] of strings.entries()) {
    assert.ok(answers[i].fields, `core decodes ${s}: ${JSON.stringify(answers[i])}`);
    assert.deepEqual(sorted(answers[i].fields), libraryReads(s), s);
  }
});

// iabtcf-es, modules/core/test/ReportedIssues.test.ts, issue 142: a vendor
// bit field shorter than its MaxVendorId says, which the library refuses.
const SHORT_BITFIELD = "CLSYjTaOngnCIAOABBENAXCMAGOAABBAAA7IA5n-m7fP6_3fbqVv6E__PoA5Aqff3aJx8tv_1967rfnQEQoAIAAQCrwkAEABAcACABIMACAAuApEVABABUSABgBCAVSAtIoACACIArYQAHACgAFgAVwBJgDcAI7AWgMAAgBiKgAgBMgFfKQAQBRkQAQA4AFiBAAoA-AEVAJlAVgAtYcACAJcAr4eABAK8OgBgFzAOmAqwgABAWyA.IFukWSQh";

test("a string the library refuses, core refuses: a vendor bit field shorter than its MaxVendorId", () => {
  assert.throws(() => TCString.decode(SHORT_BITFIELD), /bitfield encoding length mismatch/);
  assert.deepEqual(core([{ decode: SHORT_BITFIELD }]), [{ error: "Truncated" }]);
});

test("what core refuses, and why: cut short, a foreign character, another version, a segment given twice", () => {
  const [spec] = VECTORS;
  const core2 = spec.string.split(".")[0];
  const answers = core([
    { decode: core2.slice(0, 20) },
    { decode: core2.replace(/.$/, "+") },
    { decode: "B" + core2.slice(1) },
    { decode: `${spec.string.split(".").slice(0, 2).join(".")}.${spec.string.split(".")[1]}` },
    { decode: `${core2}.` },
  ]);
  assert.deepEqual(answers.map((a) => a.error), ["Truncated", "NotBase64", "Version", "SegmentTwice", "Empty"]);
});
