// Compiled by `make typecheck` (tsc --strict): the declared API is usable as documented.
import type { AssentDecisions } from "../../widget/assent";

async function gateAnalytics(): Promise<boolean> {
  await window.assent.ready;
  const decisions: AssentDecisions | null = window.assent.get();
  return decisions?.analytics === true;
}

document.addEventListener("assent:change", (event) => {
  const analytics: boolean | undefined = event.detail?.analytics;
  if (analytics) void gateAnalytics();
});

const link = document.getElementById("cookie-settings");
link?.addEventListener("click", () => void window.assent.show());
const proofs: string[] = window.assent.receipts();
console.log(proofs.length);
