// Bundles the widget into dist/public/: the wasm-bindgen glue and the loader
// in one IIFE (assent.js), and the wasm (assent.wasm).
//
// wasm-bindgen names every import and export after its Rust path plus a hash
// (`__wbg_set_id_861bcd7afe9f86ad`); those names sit in both files and barely
// compress. binaryen renames them to one or two letters and prints the
// mapping, which is applied to the glue here. Then esbuild minifies the JS.
//
// Usage: node scripts/bundle-widget.mjs <glue.js> <optimized.wasm>
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { transformSync } from "esbuild";

const [gluePath, wasmPath] = process.argv.slice(2);
const out = "dist/public";
mkdirSync(out, { recursive: true });

const mapping = JSON.parse(
  execFileSync("node_modules/.bin/wasm-opt", [
    wasmPath, "--minify-imports-and-exports-and-modules", "-o", `${out}/assent.wasm`,
  ], { encoding: "utf8" }),
);

let glue = readFileSync(gluePath, "utf8");
const modules = new Set();
for (const [module, name, short] of mapping.imports) {
  modules.add(module);
  glue = glue.replace(new RegExp(`\\b${name}\\b`, "g"), JSON.stringify(short));
}
for (const [name, short] of mapping.exports) {
  glue = glue.replace(new RegExp(`\\bwasm\\.${name}\\b`, "g"), `wasm[${JSON.stringify(short)}]`);
}
// All imports come from the one glue module; binaryen renamed it too.
const [module] = modules;
const wasmBytes = readFileSync(`${out}/assent.wasm`);
const renamed = new Set(WebAssembly.Module.imports(new WebAssembly.Module(wasmBytes)).map((i) => i.module));
if (modules.size !== 1 || renamed.size !== 1) throw new Error("bundle: expected one import module");
glue = glue.replace(JSON.stringify(module), JSON.stringify([...renamed][0]));
if (/\b__wbg_\w+_[0-9a-f]{16}\b/.test(glue)) {
  throw new Error("bundle: an import name was not renamed");
}

const source =
  "(function(){\n" + glue + "\n" + readFileSync("widget/loader.js", "utf8") + "\n})();\n";
const { code } = transformSync(source, { minify: true, target: "es2020" });
writeFileSync(`${out}/assent.js`, code);
console.log(`widget: assent.js ${code.length} B, assent.wasm ${wasmBytes.length} B`);
