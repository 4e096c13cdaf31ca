// The console's charts: uPlot (loaded by the console only) over the
// counters the log object keeps (GET .../stats). Every chart has its
// numbers beside it in a table, for screen readers and for checking.
import uPlot from "uplot";
import { h, table } from "./dom.js";

const COLORS = ["#1f4fd1", "#c2410c", "#15803d", "#7e22ce", "#b91c1c", "#0e7490", "#a16207", "#4d7c0f"];

/** Sums of each counter over the period. */
export function totals(stats) {
  return Object.fromEntries(Object.entries(stats.counts).map(([k, v]) => [k, v.reduce((a, b) => a + b, 0)]));
}

/** Per `<prefix><name>:<yes>|<no>`: the share of yes per day (null on days without either). */
export function rates(stats, prefix, yes, no) {
  const names = new Set();
  for (const key of Object.keys(stats.counts)) {
    if (key.startsWith(prefix) && (key.endsWith(`:${yes}`) || key.endsWith(`:${no}`))) {
      names.add(key.slice(prefix.length, key.lastIndexOf(":")));
    }
  }
  return [...names].sort().map((name) => {
    const y = stats.counts[`${prefix}${name}:${yes}`] ?? stats.days.map(() => 0);
    const n = stats.counts[`${prefix}${name}:${no}`] ?? stats.days.map(() => 0);
    return { name, yes: y, no: n, rate: y.map((v, i) => (v + n[i] ? v / (v + n[i]) : null)) };
  });
}

/** A line chart of `series` ({label, values}) over the days, with its table. */
export function chart(title, stats, series, { percent = false, id } = {}) {
  const figure = h("figure", { class: "chart", "data-chart": id });
  figure.append(h("figcaption", {}, title));
  const plot = h("div", { class: "plot", role: "img", "aria-label": `${title}, chart; the numbers follow in a table` });
  figure.append(plot);
  const xs = stats.days.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000);
  const fmt = (v) => (v === null || v === undefined ? "–" : percent ? `${Math.round(v * 100)}%` : String(v));
  const width = () => Math.max(280, Math.min(720, plot.clientWidth || 640));
  if (series.length) {
    const u = new uPlot({
      width: width(), height: 220,
      scales: { x: { time: true }, y: percent ? { range: [0, 1] } : {} },
      axes: [{}, { values: (_, ticks) => ticks.map(fmt) }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, spanGaps: true, value: (_, v) => fmt(v) }))],
    }, [xs, ...series.map((s) => s.values)], plot);
    new ResizeObserver(() => u.setSize({ width: width(), height: 220 })).observe(plot);
  } else {
    plot.append(h("p", {}, "Nothing counted in this period yet."));
  }
  figure.append(h("details", {}, h("summary", {}, "Numbers"),
    table(title, ["Day", ...series.map((s) => s.label)],
      stats.days.map((d, i) => [d, ...series.map((s) => fmt(s.values[i]))]),
      { "data-table": id })));
  return figure;
}

/** A table of the period's totals of the counters starting with `prefix`. */
export function breakdown(title, stats, prefix, id) {
  const t = totals(stats);
  const rows = Object.entries(t).filter(([k]) => k.startsWith(prefix)).sort((a, b) => b[1] - a[1])
    .map(([k, v]) => [k.slice(prefix.length), String(v)]);
  return table(title, [prefix.replace(/:$/, ""), "Records"], rows.length ? rows : [["–", "0"]], { "data-breakdown": id });
}
