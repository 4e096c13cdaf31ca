// Types of the Assent widget's public API: `window.assent` and its DOM events.
// Stable across minor versions; additions only.

/** A decision per purpose id: `true` granted, `false` refused. */
export type AssentDecisions = Record<string, boolean>;

export interface AssentApi {
  /** Resolves once the widget runs; rejects if it could not start (then nothing optional is granted). */
  readonly ready: Promise<void>;
  /** The visitor's current decisions, or `null` before a choice was made. */
  get(): AssentDecisions | null;
  /** Opens the preferences panel (for a site's own "Cookie settings" link). */
  show(): Promise<void>;
  /** Every receipt the edge gave for this visitor's events, oldest first (compact JWS strings). */
  receipts(): string[];
}

/** The `detail` of `assent:ready` and `assent:change`. */
export type AssentEvent = CustomEvent<AssentDecisions | null>;

declare global {
  interface Window {
    assent: AssentApi;
  }
  interface DocumentEventMap {
    "assent:ready": AssentEvent;
    "assent:change": AssentEvent;
  }
}
