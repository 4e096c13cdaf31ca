// Bundles the widget: wasm-bindgen glue + loader in one IIFE, minified with
// esbuild, and the optimized wasm, into dist/public/. Usage:
//   node scripts/bundle-widget.mjs <glue.js> <optimized.wasm>
import { readFileSync, writeFileSync, copyFileSync, mkdirSync } from "node:fs";
import { transformSync } from "esbuild";

const [glue, wasm] = process.argv.slice(2);
const out = "dist/public";
mkdirSync(out, { recursive: true });
const source =
  "(function(){\n" +
  readFileSync(glue, "utf8") +
  "\n" +
  readFileSync("widget/loader.js", "utf8") +
  "\n})();\n";
const { code } = transformSync(source, { minify: true, target: "es2020" });
writeFileSync(`${out}/assent.js`, code);
copyFileSync(wasm, `${out}/assent.wasm`);
console.log(`widget: assent.js ${code.length} B, assent.wasm ${readFileSync(wasm).length} B`);
