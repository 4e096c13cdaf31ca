// Types of the npm package's ES module.
import type { AssentApi } from "./assent";
export type { AssentApi, AssentDecisions, AssentEvent } from "./assent";

export interface RunOptions {
  /** The site id the edge knows (`edge/sites/<site>.json`). */
  site: string;
  /** The edge's base URL, e.g. `https://consent.example.com/`. */
  edge: string;
  /** Where the wasm is served, if not beside this module (`new URL("./assent.wasm", import.meta.url)`). */
  wasm?: string | URL;
}

/**
 * Starts the widget: sends the Consent Mode default at once (call it before
 * any tag runs), loads the notice and the wasm, and shows the banner when the
 * visitor has no current choice. Also published as `window.assent`.
 */
export function run(options: RunOptions): AssentApi;
