// Types of the Assent widget's public API: `window.assent` (script tag) or the
// `assent` export of the npm package, and its DOM events.
// Stable across minor versions; additions only.

/** A decision per purpose id: `true` granted, `false` refused. */
export type AssentDecisions = Record<string, boolean>;

export interface AssentApi {
  /** Resolves once the widget runs; rejects if it could not start (then nothing optional is granted). */
  readonly ready: Promise<void>;
  /** The visitor's current decisions by purpose, or `null` before a choice was made. */
  get(): AssentDecisions | null;
  /**
   * Whether `purpose` (and `service` under it, if given) may run now. Required
   * purposes always may; before a choice, or before `ready`, nothing optional may.
   * Without `service`, every service of the purpose must be granted.
   */
  accepted(purpose: string, service?: string): boolean;
  /** Opens the preferences panel (for a site's own "Cookie settings" link). */
  show(): Promise<void>;
  /**
   * Records a choice made in the site's own UI: the purposes named are set,
   * the others keep their decision; unknown and required purposes are
   * ignored, and a call that changes nothing records nothing.
   */
  set(decisions: AssentDecisions): Promise<void>;
  /** Withdraws every optional purpose (GDPR Art. 7(3)); recorded as its own event (nothing when nothing is granted). */
  withdraw(): Promise<void>;
  /** Every receipt the edge gave for this visitor's events, oldest first (compact JWS strings). */
  receipts(): string[];
  /**
   * Opens the visitor's privacy center in a new tab (call it from a click): their
   * history with receipts, downloads, withdrawal, requests for a copy or erasure.
   * This browser proves who the visitor is with the key it holds; before any
   * choice, the center's page that mails a link opens instead. A change made
   * there applies here when the visitor comes back (the page reloads).
   */
  privacyCenter(): Promise<void>;
  /**
   * Whether the site owner restricted processing of this visitor's data
   * (GDPR Art. 18), as the edge's log holds it: the site should then start no
   * optional processing for them. `false` before any choice.
   */
  restricted(): Promise<boolean>;
}

/**
 * The `detail` of `assent:ready`, `assent:change` and `assent:withdraw`: the
 * decisions by purpose (`null` on `assent:ready` before any choice).
 */
export type AssentEvent = CustomEvent<AssentDecisions | null>;

declare global {
  interface Window {
    assent: AssentApi;
  }
  interface DocumentEventMap {
    "assent:ready": AssentEvent;
    "assent:change": AssentEvent;
    /** After every optional purpose was withdrawn: clean up what gated code left. */
    "assent:withdraw": AssentEvent;
  }
}
