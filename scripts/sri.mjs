// Subresource Integrity for a release: the SHA-384 of every file a page
// fetches from the edge (the loader, its engine, its lazy modules, the form
// and its engine), and the tags that pin them, for docs/embedding.md's
// "Pinning a release" and the release notes.
//
//   node scripts/sri.mjs [--edge https://consent.example.com] [--json]
//
// The loader pins its wasm by the tag's `data-wasm-integrity`; the lazy
// modules, which the loader imports, are pinned by the page's import map
// (`integrity`), which a strict policy allows by its own hash (printed too).
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";

const FILES = ["assent.js", "assent.wasm", "assent-panel.js", "assent-privacy.js", "assent-form.js", "assent-form.wasm"];

/** `{file: "sha384-..."}` of the built files in `dir`. */
export function integrity(dir = "dist/public") {
  return Object.fromEntries(FILES.map((f) => [f, "sha384-" + createHash("sha384").update(readFileSync(`${dir}/${f}`)).digest("base64")]));
}

/** The tags that pin a release served from `edge` (ending without `/`), and the import map's CSP hash. */
export function tags(edge, site, sri = integrity()) {
  const importmap = JSON.stringify({ integrity: { [`${edge}/assent-panel.js`]: sri["assent-panel.js"], [`${edge}/assent-privacy.js`]: sri["assent-privacy.js"] } });
  return {
    importmap,
    importmapCsp: "'sha256-" + createHash("sha256").update(importmap).digest("base64") + "'",
    html: `<script type="importmap">${importmap}</script>
<script src="${edge}/assent.js" data-site="${site}" integrity="${sri["assent.js"]}" data-wasm-integrity="${sri["assent.wasm"]}" crossorigin="anonymous"></script>
<script type="module" src="${edge}/assent-form.js" data-site="${site}" integrity="${sri["assent-form.js"]}" data-wasm-integrity="${sri["assent-form.wasm"]}" crossorigin="anonymous"></script>`,
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const arg = (name, fallback) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : fallback; };
  const sri = integrity();
  if (process.argv.includes("--json")) {
    console.log(JSON.stringify(sri, null, 2));
  } else {
    const edge = arg("--edge", "https://consent.example.com").replace(/\/$/, "");
    const t = tags(edge, arg("--site", "demo"), sri);
    console.log("| file | integrity |\n| --- | --- |");
    for (const [f, h] of Object.entries(sri)) console.log(`| ${f} | \`${h}\` |`);
    console.log(`\nThe tags (the import map first; a strict policy allows it with ${t.importmapCsp} in script-src):\n\n${t.html}`);
  }
}
