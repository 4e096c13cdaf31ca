// Prints the banner path's transfer size (loader + wasm; the CSS ships inside
// the loader) with gzip -9 and brotli -11, fails past the budget, and puts the
// same figures for vanilla-cookieconsent (npm, its JS + CSS) beside them.
//
// Usage: node scripts/size.mjs            (after `make widget`)
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

// The budget CI enforces: 15 KB gzip for everything a visitor downloads before
// the banner shows (issue 4). A change that needs more must find the bytes
// elsewhere first; BENCHMARKS.md lists what was measured and not taken.
const BUDGET_GZIP = 15 * 1000;

const measure = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(9);
const row = (name, m) => console.log(`${name.padEnd(44)} raw ${kb(m.raw)}  gzip ${kb(m.gzip)}  brotli ${kb(m.brotli)}`);
const sum = (ms) => ms.reduce((a, m) => ({ raw: a.raw + m.raw, gzip: a.gzip + m.gzip, brotli: a.brotli + m.brotli }), { raw: 0, gzip: 0, brotli: 0 });

const ours = ["dist/public/assent.js", "dist/public/assent.wasm"].map((f) => [f, measure(readFileSync(f))]);
for (const [f, m] of ours) row(f, m);
const total = sum(ours.map(([, m]) => m));
row("Assent banner path (loader + wasm + CSS)", total);

// A TCF site's banner path adds the CMP API's stub (widget/tcf/stub.js),
// which must run before any vendor's script; the rest of TCF loads after.
const stub = measure(readFileSync("dist/public/assent-tcf-stub.js"));
row("  + on a TCF site: assent-tcf-stub.js", stub);
row("  = a TCF site's banner path", sum([total, stub]));

const notice = execFileSync("cargo", ["run", "-q", "-p", "assent-core", "--example", "notice", "--", "edge/sites/demo.json", "en"]);
row("  + notice JSON, demo site, en (data)", measure(notice));

const peerDir = "node_modules/vanilla-cookieconsent";
const peerVersion = JSON.parse(readFileSync(`${peerDir}/package.json`, "utf8")).version;
const peer = sum([`${peerDir}/dist/cookieconsent.umd.js`, `${peerDir}/dist/cookieconsent.css`].map((f) => measure(readFileSync(f))));
row(`vanilla-cookieconsent ${peerVersion} (umd.js + css)`, peer);
console.log(`ratio Assent / vanilla-cookieconsent (gzip): ${(total.gzip / peer.gzip).toFixed(2)}`);

if (total.gzip > BUDGET_GZIP) {
  console.error(`size: the banner path is ${total.gzip} B gzip, ${total.gzip - BUDGET_GZIP} B over the ${BUDGET_GZIP} B budget`);
  process.exit(1);
}
console.log(`size: the banner path is ${total.gzip} B gzip, within the ${BUDGET_GZIP} B budget (${BUDGET_GZIP - total.gzip} B to spare)`);
