// Types of the opt-in form widget's page API (`<script type="module"
// src="https://EDGE/assent-form.js" data-site="...">`): window.assentForms,
// and the `assent:form` event each mounted form dispatches.

/** A submission this browser sent and the edge acknowledged. */
export interface AssentFormSubmission {
  form: string;
  event_id: string;
  /** What it amounts to, as the edge answered (the same for every address). */
  outcome: "pending" | "granted" | "parental_consent_required" | "refused";
}

export interface AssentFormDetail {
  form: string;
  /** What the submission amounts to; `queued` while it waits in the outbox. */
  outcome: "pending" | "granted" | "parental_consent_required" | "refused" | "queued";
  /** The submission's event id. */
  event_id?: string;
}

export interface AssentForms {
  /** Resolves to the form ids mounted; rejects when the edge is unreachable. */
  readonly ready: Promise<string[]>;
  /** This browser's acknowledged submissions, oldest first. */
  submissions(): AssentFormSubmission[];
  /** Opens the privacy center (a link mailed to the person's address opens their record). */
  privacyCenter(): void;
}

declare global {
  interface Window {
    assentForms: AssentForms;
  }
  interface HTMLElementEventMap {
    "assent:form": CustomEvent<AssentFormDetail>;
  }
}
