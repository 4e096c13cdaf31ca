// Prints what a first visit fetches of Assent, with gzip -9 and brotli -11,
// fails past the budget, and puts the same figures for vanilla-cookieconsent
// (npm, its JS + CSS) beside them.
//
// A first visit fetches the loader (the CSS ships inside it) and the config
// answer, which carries the notice and the first visit's plan
// (widget/src/plan.rs); with the per-site tag both come in one answer. It
// fetches no engine: the wasm comes when a rule needs it (a returning
// visitor, the panel, an embed's "allow"), and the panel's module when the
// visitor reaches for it. Those are listed below, not counted.
//
// Usage: node scripts/size.mjs            (after `make widget tcf notice-example`)
import { readFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

// The budget CI enforces: 12 KB gzip for everything a first visit fetches of
// Assent, on either tag and on a TCF site (issue 24; it was 15 KB for the
// loader and the wasm, issue 4). A change that needs more must find the
// bytes elsewhere first; BENCHMARKS.md lists what was measured and not taken.
const BUDGET_GZIP = 12 * 1000;

const measure = (bytes) => ({
  raw: bytes.length,
  gzip: gzipSync(bytes, { level: 9 }).length,
  brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
});
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`.padStart(9);
const row = (name, m) => console.log(`${name.padEnd(44)} raw ${kb(m.raw)}  gzip ${kb(m.gzip)}  brotli ${kb(m.brotli)}`);
const sum = (ms) => ms.reduce((a, m) => ({ raw: a.raw + m.raw, gzip: a.gzip + m.gzip, brotli: a.brotli + m.brotli }), { raw: 0, gzip: 0, brotli: 0 });

const file = (f) => readFileSync(f);
// The demo site's config answer in English, as the edge serves a first
// visit (the widget's `answer` example: core's notice and the plan).
const bin = process.env.ASSENT_NOTICE_BIN || "target/debug/examples/answer";
const config = JSON.parse(execFileSync(bin, ["edge/sites/demo.json", "en"]));
// The first layer's line, which the edge words with workerd's Intl
// (edge/src/first_layer.rs; the example has none): worded here alike, for
// its bytes.
const n = config.notice;
const providers = [...new Set(n.purposes.filter((p) => !p.required).flatMap((p) => p.services.map((s) => s.provider)))].filter((p) => p != n.controller.name);
const months = Math.round(n.consent_lifetime_days / 30.44).toLocaleString("en", { style: "unit", unit: "month", unitDisplay: "long" });
config.meta = `${n.texts.third_parties.replace("{providers}", new Intl.ListFormat("en").format(providers))} ${n.texts.lifetime.replace("{duration}", months)}`;
const answer = Buffer.from(JSON.stringify(config));
// The per-site tag's answer: the statement the edge puts before the bundle
// (edge/src/routes/loader.rs), then the bundle.
const inline = JSON.stringify({ site: "demo", base: "https://consent.example.com/", config }).replaceAll("<", "\\u003c");
const perSite = Buffer.concat([Buffer.from(`document.currentScript.__assent=${inline};\n`), file("dist/public/assent-site.js")]);
const stub = file("dist/public/assent-tcf-stub.js");

console.log("A first visit fetches:");
const loader = measure(file("dist/public/assent.js"));
const data = measure(answer);
row("  dist/public/assent.js (loader + CSS)", loader);
row("  + config answer, demo site, en", data);
const staticTag = sum([loader, data]);
row("  = the static tag", staticTag);
const site = measure(perSite);
row("  the per-site tag (one answer)", site);
const tcf = measure(stub);
row("  + on a TCF site: assent-tcf-stub.js", tcf);
const firsts = [["the static tag", staticTag], ["the per-site tag", site], ["the static tag on a TCF site", sum([staticTag, tcf])], ["the per-site tag on a TCF site", sum([site, tcf])]];
row("  = the most: " + firsts.reduce((a, b) => (b[1].gzip > a[1].gzip ? b : a))[0], firsts.reduce((a, b) => (b[1].gzip > a[1].gzip ? b : a))[1]);
console.log("Fetched when needed (not counted):");
for (const f of ["assent.wasm", "assent-panel.js", "assent-privacy.js", "assent-tcf.js", "assent-tcf.wasm"]) row(`  dist/public/${f}`, measure(file(`dist/public/${f}`)));

// Where the loader's bytes are, by module: esbuild's metafile of assent.js
// (minified by esbuild, before terser's second pass and before gzip).
const meta = JSON.parse(readFileSync("widget/pkg/loader-meta.json", "utf8"));
const inputs = Object.values(meta.outputs)[0].inputs;
console.log("The loader by module (esbuild metafile, minified, before gzip):");
console.log("  " + Object.entries(inputs).sort((a, b) => b[1].bytesInOutput - a[1].bytesInOutput)
  .map(([f, m]) => `${f.replace(/^widget\//, "")} ${m.bytesInOutput}`).join(", "));

const peerDir = "node_modules/vanilla-cookieconsent";
const peerVersion = JSON.parse(readFileSync(`${peerDir}/package.json`, "utf8")).version;
const peer = sum([`${peerDir}/dist/cookieconsent.umd.js`, `${peerDir}/dist/cookieconsent.css`].map((f) => measure(readFileSync(f))));
row(`vanilla-cookieconsent ${peerVersion} (umd.js + css)`, peer);
const most = Math.max(...firsts.map(([, m]) => m.gzip));
console.log(`ratio Assent's first visit (the most) / vanilla-cookieconsent (gzip): ${(most / peer.gzip).toFixed(2)}`);

if (most > BUDGET_GZIP) {
  console.error(`size: a first visit fetches ${most} B gzip of Assent, ${most - BUDGET_GZIP} B over the ${BUDGET_GZIP} B budget`);
  process.exit(1);
}
console.log(`size: a first visit fetches at most ${most} B gzip of Assent, within the ${BUDGET_GZIP} B budget (${BUDGET_GZIP - most} B to spare)`);
