// Writes core/tests/vectors/tcf.json: known TC strings with the fields the
// IAB's reference library (`@iabtechlabtcf/core`, an npm devDependency)
// reads in them. Core's unit tests (core/tests/tcf.rs) and the cross-check
// (tests/tcf/) hold core to these. The strings are the specification's own
// example ("TC String Format", with and without its publisher segment) and
// strings of the library's own tests (iabtcf-es, ReportedIssues.test.ts).
// (Its test's string whose bit field is shorter than its MaxVendorId, which
// the library refuses, is in tests/tcf/ as a refusal both agree on.)
//
//   node scripts/tcf-vectors.mjs
import { writeFileSync } from "node:fs";
import { libraryReads } from "../tests/tcf/library.mjs";

const SPEC = "IAB Tech Lab, Consent string and vendor list formats v2, 'TC String Format'";
const LIBRARY = "InteractiveAdvertisingBureau/iabtcf-es, modules/core/test/ReportedIssues.test.ts";
const STRINGS = [
  ["the specification's example: core, disclosed vendors, publisher", SPEC,
    "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA.YAAAAAAAAAAA"],
  ["the specification's example without its publisher segment", SPEC,
    "CQSbk4AQSbk4ANwAAAENAwCgAAAAAAAAAAYgACPAAAAA.IDKQA4AAgAKAGQAygAAA"],
  ["no vendors, a publisher segment", "InteractiveAdvertisingBureau/iabtcf-es, modules/cmpapi/test/ReportedIssues.test.ts",
    "CO5dPi4O5dPx2B7DvCENA2CgAAAAAAAAAAAAGewAAM8gAAAA.YAAAAAAAAAAA"],
  ["many publisher restrictions, each a range of vendors", LIBRARY,
    "CO4VGswO4VGswAfZCBDEAzCsAP_AAH_AAAigGUNf_X9fb2vj-_599_t0eY1f9_63t-wzjheMs-8NyZ-X_J4Wv2MyvB34JqQKGRgkunLBAQdtHGncTQgBwIlViTLMY02MjzNKJrJEilsbe2dYGH9vn8XT_ZKZ70-_v__7v3___33_5Ayhr_6_r7e18f3_Pvv9ujzGr_v_W9v2GccLxln3huTPy_5PC1-xmV4O_BNSBQyMEl05YICDto407iaEAOBEqsSZZjGmxkeZpRNZIkUtjb2zrAw_t8_i6f7JTPen39___d-___--__ICgKAOAAcAA4AFAAjgB6AEYALcGACAW0AtoJAHAAOAAcACgARwA9ACMAFuFABALaAW0GgDgAHAAOABQAI4AegBGAC3DgAgFtALaEQBwADgAHAAoAEcAPQAjABbiQAQC2gFtCoA4ABwADgAUACOAHoARgAtxYAIBbQC2hkAcAA4ABwAKABHAD0AIwAW40AEAtoBbQ6AOAAcAA4AFAAjgB6AEYALceACAW0AtohAHAAOAAcACgARwA9ACMAFuRABALaAW0SgDgAHAAOABQAI4AegBGAC3JgAgFtALaKQBwADgAHAAoAEcAPQAjABblQAQC2gFtA"],
];

const vectors = STRINGS.map(([name, source, string]) => ({ name, source, string, fields: libraryReads(string) }));
writeFileSync(new URL("../core/tests/vectors/tcf.json", import.meta.url), JSON.stringify(vectors, null, 1) + "\n");
console.log(`core/tests/vectors/tcf.json: ${vectors.length} strings`);
