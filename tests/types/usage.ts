// Compiled by `make typecheck` (tsc --strict): the declared API is usable as
// documented, from the script tag (`window.assent`) and from the npm package.
import type { AssentDecisions } from "../../widget/assent";
import { run, type AssentApi } from "../../dist/npm/index";

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
console.log(proofs.length);

const fromNpm: AssentApi = run({ site: "demo", edge: "https://consent.example.com/" });
void fromNpm.set({ analytics: true }).then(() => fromNpm.withdraw());
