// Compiled by `make typecheck` (tsc --strict): the declared API is usable as
// documented, from the script tag (`window.assent`) and from the npm package.
import type { AssentDecisions } from "../../widget/assent";
import { run, type AssentApi } from "../../dist/npm/index";
import type { AssentFormSubmission } from "../../widget/form/assent-form";

async function gateAnalytics(): Promise<boolean> {
  await window.assent.ready;
  const decisions: AssentDecisions | null = window.assent.get();
  return decisions?.analytics === true && window.assent.accepted("analytics", "matomo");
}

document.addEventListener("assent:change", (event) => {
  const analytics: boolean | undefined = event.detail?.analytics;
  if (analytics) void gateAnalytics();
});
document.addEventListener("assent:withdraw", (event) => {
  const all: AssentDecisions | null = event.detail;
  console.log(all);
});

const link = document.getElementById("cookie-settings");
link?.addEventListener("click", () => void window.assent.show());
const proofs: string[] = window.assent.receipts();
document.getElementById("my-data")?.addEventListener("click", () => void window.assent.privacyCenter());
void window.assent.restricted().then((restricted: boolean) => (restricted ? console.log("restricted") : undefined));
console.log(proofs.length);

const fromNpm: AssentApi = run({ site: "demo", edge: "https://consent.example.com/" });
void fromNpm.set({ analytics: true }).then(() => fromNpm.withdraw());

// The form widget's page API.
async function lastOutcome(): Promise<boolean> {
  await window.assentForms.ready;
  const sent: AssentFormSubmission[] = window.assentForms.submissions();
  return sent[sent.length - 1]?.outcome === "pending";
}
document.querySelector("form")?.addEventListener("assent:form", (event) => {
  if (event.detail.outcome === "pending") console.log("check your inbox", event.detail.event_id ?? "");
});
void lastOutcome().then((waits) => (waits ? undefined : window.assentForms.privacyCenter()));

// Misuse the declarations must refuse: each line below is an error under
// --strict, and `@ts-expect-error` turns it into a failure of `make typecheck`
// the day a loosened type (an `any`, an optional parameter, a wider union)
// would accept it.
async function misuse(): Promise<void> {
  // @ts-expect-error ready resolves to nothing, not the decisions
  const decided: AssentDecisions = await window.assent.ready;
  // @ts-expect-error get() may be null before a choice
  const always: AssentDecisions = window.assent.get();
  // @ts-expect-error a decision is a boolean, not a string
  const loose: AssentDecisions = { analytics: "yes" };
  // @ts-expect-error accepted needs a purpose
  window.assent.accepted();
  // @ts-expect-error a purpose id is a string
  window.assent.accepted(1);
  // @ts-expect-error a service id is a string
  window.assent.accepted("analytics", true);
  // @ts-expect-error accepted answers a boolean, not a promise
  const later: Promise<boolean> = window.assent.accepted("analytics");
  // @ts-expect-error set takes the decisions
  void window.assent.set();
  // @ts-expect-error set takes booleans by purpose
  void window.assent.set({ analytics: 1 });
  // @ts-expect-error set takes an object, not a list of purposes
  void window.assent.set(["analytics"]);
  // @ts-expect-error withdraw takes no purposes
  void window.assent.withdraw("analytics");
  // @ts-expect-error receipts are strings (compact JWS)
  const parsed: object[] = window.assent.receipts();
  // @ts-expect-error ready is read-only
  window.assent.ready = Promise.resolve();
  // @ts-expect-error no such member
  window.assent.grant("analytics");
  document.addEventListener("assent:change", (event) => {
    // @ts-expect-error the detail may be null
    const analytics: boolean = event.detail.analytics;
    console.log(analytics);
  });
  // @ts-expect-error run needs a site
  run({ edge: "https://consent.example.com/" });
  // @ts-expect-error run needs an edge
  run({ site: "demo" });
  // @ts-expect-error the edge is a string
  run({ site: "demo", edge: new URL("https://consent.example.com/") });
  console.log(decided, always, loose, later, parsed);
}
void misuse;

// @ts-expect-error an outcome that does not exist
const notAnOutcome: import("../../widget/form/assent-form").AssentFormSubmission["outcome"] = "maybe";
// @ts-expect-error a form's answer opens no record: there is no withdraw on the page
void window.assentForms.withdraw(["email:newsletter"]);
