// Bundles the widget twice from the same glue, loader and wasm:
//   dist/public/  assent.js (one IIFE for the script tag), assent-site.js (the
//                 per-site tag's bundle, which the edge serves after its notice
//                 and wasm) and assent.wasm
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
import { minify } from "terser";

const [gluePath, wasmPath] = process.argv.slice(2);
const out = "dist/public";
mkdirSync(out, { recursive: true });

const mapping = JSON.parse(
  execFileSync("node_modules/.bin/wasm-opt", [
    // The target_features section only tells tools which features the code
    // uses (binaryen has read it by now); no browser reads it: 134 B gzip.
    wasmPath, "--minify-imports-and-exports-and-modules", "--strip-target-features", "-o", `${out}/assent.wasm`,
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

// Glue the widget never needs, cut by exact text (a wasm-bindgen upgrade that
// changes it fails the build here rather than shipping it): the ASCII fast
// path and realloc dance of string passing (TextEncoder.encode does it in one
// call), the encodeInto polyfill (every browser since 2020 has it), the
// decoder reset for a 2 GB Safari limit (the widget decodes a few KB), and
// initSync's deprecated-parameter warning (the loader passes `{ module }`),
// and the clean-up that frees a call's earlier strings when passing a later
// one throws (only an allocation failing can throw: the wasm trapped, and
// nothing is left to protect). About 350 B gzip of the banner path's budget
// (BENCHMARKS.md).
const cut = (name, pattern, replacement) => {
  const next = glue.replace(pattern, replacement);
  if (next === glue) throw new Error(`bundle: the glue's ${name} was not found`);
  glue = next;
};
cut("passStringToWasm0", /function passStringToWasm0\(arg, malloc, realloc\) \{[\s\S]*?\n\}\n/, `function passStringToWasm0(arg, malloc) {
    const buf = cachedTextEncoder.encode(arg);
    const ptr = malloc(buf.length, 1) >>> 0;
    getUint8ArrayMemory0().set(buf, ptr);
    WASM_VECTOR_LEN = buf.length;
    return ptr;
}
`);
cut("encodeInto polyfill", /if \(!\('encodeInto' in cachedTextEncoder\)\) \{[\s\S]*?\n\}\n/, "");
cut("Safari decoder reset", /const MAX_SAFARI_DECODE_BYTES[\s\S]*?return cachedTextDecoder\.decode\(bytes\);\n\}\n/, "function decodeText(bytes) {\n    return cachedTextDecoder.decode(bytes);\n}\n");
cut("string clean-up", /( *)try \{\n((?:(?!try \{|\} finally)[\s\S])*?)\n\1\} catch \((\w+)\) \{\n(?:\s*if \(ptr\d+\) \{[^\n]*\}\n)+\s*throw \3;\n\1\}\n/g, "$2\n");
cut("initSync's deprecated parameters", /if \(module !== undefined\) \{\n\s*if \(Object\.getPrototypeOf\(module\) === Object\.prototype\) \{\n\s*\(\{module\} = module\)\n\s*\} else \{[\s\S]*?\}\n\s*\}\n/, "({module} = module);\n");

// The stylesheet travels inside the loader (as `__ASSENT_CSS__`, a name no
// browser global shares), which puts it into the Shadow DOM.
// esbuild bundles glue, loader and entry as modules: the glue's exports the
// loader never calls (initSync, the streaming fallbacks' callers aside) are
// dropped, and every name is minified.
// Google's seven Consent Mode signals exist once, in core (`SIGNALS`): the
// loader needs them before the wasm arrives (the default it pushes first), so
// they are copied from core's source into a module beside the glue.
const signals = readFileSync("core/src/consent_mode.rs", "utf8").match(/pub const SIGNALS: \[&str; (\d+)\] = \[([^\]]*)\]/);
const names = signals && [...signals[2].matchAll(/"(\w+)"/g)].map((m) => m[1]);
if (!names || names.length != +signals[1]) throw new Error("bundle: core's consent_mode::SIGNALS not found");
writeFileSync("widget/pkg/signals.js", `export const SIGNALS = ${JSON.stringify(names)};\n`);

const css = transformSync(readFileSync("widget/widget.css", "utf8"), { loader: "css", minify: true }).code.trim();
writeFileSync("widget/pkg/glue.js", glue);
// Each bundle's esbuild metafile is kept by entry: where the loader's bytes
// are, by module (scripts/size.mjs prints it for assent.js).
const metafiles = {};
const bundle = (entry, format) => {
  const built = buildSync({
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
    metafile: true,
  });
  metafiles[entry] = built.metafile;
  return built.outputFiles[0].text;
};

// esbuild bundles and minifies; terser's second compress pass then takes
// another 160 B of gzip off the banner path (BENCHMARKS.md), with its safe
// transforms only (no `unsafe*` option).
const squeeze = async (code, module) => (await minify(code, { ecma: 2020, module, compress: { passes: 2 }, mangle: true })).code;

const script = await squeeze(bundle("entry-script.js", "iife"), false);
writeFileSync("widget/pkg/loader-meta.json", JSON.stringify(metafiles["entry-script.js"]));
writeFileSync(`${out}/assent.js`, script);
// The per-site loader's bundle: the edge serves it after the site's notice
// and the wasm (edge/src/routes/loader.rs); it fetches neither.
const site = await squeeze(bundle("entry-site.js", "iife"), false);
writeFileSync(`${out}/assent-site.js`, site);
// The parts off the banner path (loader/lazy.js): each its own ES module,
// which the loader imports from the edge when first needed. Each must import
// nothing (a second copy of the loader's state would be another widget): the
// bundle fails if esbuild pulled anything in.
const lazySizes = [];
// The panel's stylesheet travels with it (as `__ASSENT_PANEL_CSS__`).
const panelCss = transformSync(readFileSync("widget/panel.css", "utf8"), { loader: "css", minify: true }).code.trim();
for (const part of ["panel", "privacy"]) {
  const built = buildSync({
    define: { __ASSENT_PANEL_CSS__: JSON.stringify(panelCss) },
    entryPoints: [`widget/loader/${part}.js`],
    bundle: true,
    write: false,
    minify: true,
    target: "es2020",
    format: "esm",
    metafile: true,
    logLevel: "error",
  });
  if (Object.keys(built.metafile.inputs).length != 1) throw new Error(`bundle: ${part}.js must import nothing`);
  const code = await squeeze(built.outputFiles[0].text, true);
  writeFileSync(`${out}/assent-${part}.js`, code);
  lazySizes.push(`assent-${part}.js ${code.length} B`);
}
console.log(`widget: assent.js ${script.length} B, assent-site.js ${site.length} B, assent.wasm ${wasmBytes.length} B, ${lazySizes.join(", ")}`);

// The npm package: the same code as an ES module, the same wasm, and types.
const npm = "dist/npm";
mkdirSync(npm, { recursive: true });
writeFileSync(`${npm}/assent.mjs`, bundle("entry-module.js", "esm"));
writeFileSync(`${npm}/assent.wasm`, wasmBytes);
for (const f of ["package.json", "index.d.ts", "README.md"]) copyFileSync(`widget/npm/${f}`, `${npm}/${f}`);
copyFileSync("widget/assent.d.ts", `${npm}/assent.d.ts`);
