// The engine's answers about the choice in force, by name. One wasm export
// (`ask`, see `Question` in widget/src/bindings.rs) answers them all, its ids
// marked first: each export and each string parameter costs glue and wasm
// (BENCHMARKS.md).
//
// Until the engine is in, the edge's plan answers (`planned`; a first visit
// fetches no engine: widget/src/plan.rs): what may run and whether the
// banner asks, before the first layer's choice (`{run}`) and after it (the
// button's `{event, run, granted}`). It answers only what a first visit can
// ask; every other question waits for the engine (state.js's `engine`).
import { accepted, ask, mark } from "../pkg/glue.js";

export var plan;
export function planned(p) {
  plan = p;
}

function question(q, ids, on) {
  ids.forEach((id, i) => { mark(id, !i && on, false); });
  return ask(q);
}

// The decision on `purpose` itself, services aside (its panel switch).
export var chosen = (purpose) => (plan ? plan.event?.decisions[purpose] === true : question(0, [purpose]));
// Whether any optional purpose is granted ("Withdraw all" is offered then).
export var grants = () => question(0, []);
// Whether the banner must ask (before a choice, or after an embed's allow only).
export var asking = () => (plan ? !plan.event : question(1, []));
// Whether the switch `other` follows the switch `id` (a service switch if
// `service`), just switched `on`: the panel's linked switches.
export var follows = (service, id, on, other) => question(service ? 3 : 2, [id, other], on);
// Whether the Consent Mode signal `k`, mapped to `purposes`, is granted now.
export var signal = (k, purposes) => (plan ? plan.granted.includes(k) : question(4, purposes));
// Whether `purpose` (and `service` under it, if given) may run now.
export var accepts = (purpose, service) =>
  plan ? plan.run.includes(service ? purpose + " " + service : "" + purpose) : accepted("" + purpose, service ? "" + service : "");
