// Prints the banner path's transfer size (loader + wasm; the CSS ships inside
// the wasm) with gzip -9 and brotli -11, and fails past the budget.
import { readFileSync } from "node:fs";
import { gzipSync, brotliCompressSync, constants } from "node:zlib";

const BUDGET_GZIP = 20 * 1024; // issue 2 target; issue 4 lowers it to 15 KiB
const files = ["dist/public/assent.js", "dist/public/assent.wasm"];
let raw = 0, gz = 0, br = 0;
const rows = files.map((f) => {
  const b = readFileSync(f);
  const g = gzipSync(b, { level: 9 }).length;
  const r = brotliCompressSync(b, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length;
  raw += b.length; gz += g; br += r;
  return [f, b.length, g, r];
});
rows.push(["banner path total", raw, gz, br]);
const kb = (n) => (n / 1024).toFixed(1) + " KiB";
for (const [f, a, g, r] of rows) {
  console.log(`${f.padEnd(26)} raw ${kb(a).padStart(10)}  gzip ${kb(g).padStart(9)}  brotli ${kb(r).padStart(9)}`);
}
if (gz > BUDGET_GZIP) {
  console.error(`size: banner path is ${kb(gz)} gzip, over the ${kb(BUDGET_GZIP)} budget`);
  process.exit(1);
}
console.log(`size: within the ${kb(BUDGET_GZIP)} gzip budget`);
