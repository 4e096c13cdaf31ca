// Types of the opt-in form widget's page API (`<script type="module"
// src="https://EDGE/assent-form.js" data-site="...">`): window.assentForms,
// and the `assent:form` event each mounted form dispatches.

/** An offer's state, folded from the log (`channel:purpose` keys). */
export type AssentOfferState =
  | "granted"
  | "refused"
  | "pending"
  | "parental_consent_required"
  | "expired"
  | "withdrawn";

export interface AssentOfferStatus {
  state: AssentOfferState;
  /** The event that set it. */
  event_id: string;
  /** When the edge received that event (ms since the Unix epoch). */
  since_ms: number;
}

export interface AssentFormState {
  subject: string;
  offers: Record<string, AssentOfferStatus>;
}

export interface AssentFormDetail {
  form: string;
  /** What the submission amounts to; `queued` while it waits in the outbox. */
  outcome: "pending" | "granted" | "parental_consent_required" | "refused" | "queued";
  /** The receipt (compact JWS), when the edge has stored it. */
  receipt?: string;
}

export interface AssentForms {
  /** Resolves to the form ids mounted; rejects when the edge is unreachable. */
  readonly ready: Promise<string[]>;
  /** This browser's form receipts, oldest first. */
  receipts(): string[];
  /** The state per offer of the person who submitted here last. */
  state(): Promise<AssentFormState>;
  /** Withdraws the offers named (all when left out); rejects with the edge's code. */
  withdraw(offers?: string[]): Promise<unknown>;
}

declare global {
  interface Window {
    assentForms: AssentForms;
  }
  interface HTMLElementEventMap {
    "assent:form": CustomEvent<AssentFormDetail>;
  }
}
