// The shared set-up of the browser test files: one fresh edge and one
// Chromium per file, started before its tests and stopped after them.
//
//   import { useEdgeAndChromium, edge, browser } from "./setup.mjs";
//   useEdgeAndChromium();
//
// `edge` and `browser` are live bindings: set once the `before` hook ran.
// (Kept apart from harness.mjs and scripts/wrangler-dev.mjs, which need no node:test.)
import { before, after } from "node:test";
import { startEdge, launchChromium } from "./harness.mjs";

export let edge, browser;

/** `startEdge(edgeOptions)` and `launchChromium(chromiumArgs)` around this file's tests. */
export function useEdgeAndChromium({ chromiumArgs = [], ...edgeOptions } = {}) {
  before(async () => {
    edge = await startEdge(edgeOptions);
    browser = await launchChromium(chromiumArgs);
  });
  after(async () => {
    await browser?.close();
    await edge?.stop();
  });
}
