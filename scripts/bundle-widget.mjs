// Bundles the widget twice from the same glue, loader and wasm:
//   dist/public/  assent.js (one IIFE for the script tag) and assent.wasm
//   dist/npm/     the npm package: assent.mjs (ES module), assent.wasm, types

//
// wasm-bindgen (`--target web`: an ES module) names every import and export
// after its Rust path plus a hash (`__wbg_set_id_861bcd7afe9f86ad`); those
// names sit in both files and barely compress. binaryen renames them to one or two letters and prints the
// mapping, which is applied to the glue here. Then esbuild minifies the JS.
//
// Usage: node scripts/bundle-widget.mjs <glue.js> <optimized.wasm>
import { readFileSync, writeFileSync, mkdirSync, copyFileSync } from "node:fs";
import { execFileSync } from "node:child_process";
import { buildSync, transformSync } from "esbuild";

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

// The stylesheet travels inside the loader (as `__ASSENT_CSS__`, a name no
// browser global shares), which puts it into the Shadow DOM.
// esbuild bundles glue, loader and entry as modules: the glue's exports the
// loader never calls (initSync, the streaming fallbacks' callers aside) are
// dropped, and every name is minified.
const css = transformSync(readFileSync("widget/widget.css", "utf8"), { loader: "css", minify: true }).code.trim();
writeFileSync("widget/pkg/glue.js", glue);
const bundle = (entry, format) =>
  buildSync({
    entryPoints: [`widget/${entry}`],
    bundle: true,
    write: false,
    minify: true,
    target: "es2020",
    format,
    // The script tag always passes the wasm's address: the glue's own
    // default (`import.meta.url`) is never used there.
    define: { __ASSENT_CSS__: JSON.stringify(css), ...(format == "iife" ? { "import.meta.url": "undefined" } : {}) },
    logLevel: "error",
  }).outputFiles[0].text;

const script = bundle("entry-script.js", "iife");
writeFileSync(`${out}/assent.js`, script);
console.log(`widget: assent.js ${script.length} B, assent.wasm ${wasmBytes.length} B`);

// The npm package: the same code as an ES module, the same wasm, and types.
const npm = "dist/npm";
mkdirSync(npm, { recursive: true });
writeFileSync(`${npm}/assent.mjs`, bundle("entry-module.js", "esm"));
writeFileSync(`${npm}/assent.wasm`, wasmBytes);
for (const f of ["package.json", "index.d.ts", "README.md"]) copyFileSync(`widget/npm/${f}`, `${npm}/${f}`);
copyFileSync("widget/assent.d.ts", `${npm}/assent.d.ts`);
