// Writes edge/gvl/vendor-list.json, the IAB Global Vendor List (v3 format)
// the build checks sites' TCF vendors against and the edge discloses from:
// every vendor with what a CMP must show of it (purposes, legitimate
// interests, special purposes, features, special features, data categories,
// retention, storage, policy links); the list's stacks and each vendor's
// `overflow` are left out (nothing here shows them). One vendor per line,
// so a refresh reads as a diff.
//
//   node scripts/gvl.mjs                   # the IAB's current list (needs the network)
//   node scripts/gvl.mjs --from FILE.json  # a list already downloaded
import { readFileSync, writeFileSync } from "node:fs";

const URL_V3 = "https://vendor-list.consensu.org/v3/vendor-list.json";
const from = process.argv.indexOf("--from");
const list = from > 0
  ? JSON.parse(readFileSync(process.argv[from + 1], "utf8"))
  : await (await fetch(URL_V3)).json();
if (list.gvlSpecificationVersion !== 3) throw new Error(`not a v3 list: gvlSpecificationVersion ${list.gvlSpecificationVersion}`);

const KEEP = ["id", "name", "purposes", "legIntPurposes", "flexiblePurposes", "specialPurposes", "features", "specialFeatures",
  "dataDeclaration", "dataRetention", "cookieMaxAgeSeconds", "usesCookies", "cookieRefresh", "usesNonCookieAccess",
  "deviceStorageDisclosureUrl", "urls", "deletedDate"];
const vendor = (v) => Object.fromEntries(KEEP.filter((k) => v[k] !== undefined).map((k) => [k, v[k]]));
const head = {
  gvlSpecificationVersion: list.gvlSpecificationVersion,
  vendorListVersion: list.vendorListVersion,
  tcfPolicyVersion: list.tcfPolicyVersion,
  lastUpdated: list.lastUpdated,
  purposes: list.purposes,
  specialPurposes: list.specialPurposes,
  features: list.features,
  specialFeatures: list.specialFeatures,
  dataCategories: list.dataCategories ?? {},
};
const vendors = Object.values(list.vendors).sort((a, b) => a.id - b.id)
  .map((v) => `  ${JSON.stringify(String(v.id))}: ${JSON.stringify(vendor(v))}`);
const text = JSON.stringify(head, null, 1).replace(/\n}$/, `,\n "vendors": {\n${vendors.join(",\n")}\n }\n}\n`);
JSON.parse(text); // what is written reads back
writeFileSync(new URL("../edge/gvl/vendor-list.json", import.meta.url), text);
console.log(`edge/gvl/vendor-list.json: version ${list.vendorListVersion}, policy ${list.tcfPolicyVersion}, ${vendors.length} vendors`);
