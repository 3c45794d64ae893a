/**
 * BENCH: the figures of one run, judged against their bars, printed as a
 * table and written to `bench/results.json`.
 *
 * Every figure is compared with a floor measured in the same run: a bar is
 * either a ratio to the floor (`ratio_max`, `ratio_min`), a margin over it
 * (`delta_max`), or, for memory, an absolute ceiling (`value_max`). Figures
 * without a bar are reported to be watched.
 *
 * @module
 */

/** How a figure is judged. */
export interface Bar {
  /** `ratio_max`: value/floor ≤ limit; `ratio_min`: value/floor ≥ limit; `delta_max`: value − floor ≤ limit; `value_max`: value < limit. */
  kind: "ratio_max" | "ratio_min" | "delta_max" | "value_max";
  limit: number;
}

/** One measured figure. */
export interface Figure {
  /** Which part of the issue it answers, e.g. `1 request overhead`. */
  item: string;
  /** What was measured, e.g. `generate p50, concurrency 8`. */
  name: string;
  value: number;
  unit: string;
  /** The same-run floor it is compared with. */
  floor?: { name: string; value: number };
  bar?: Bar;
  /** Anything a reader needs to interpret the figure. */
  note?: string;
}

/** A figure with its ratio and verdict. */
export interface JudgedFigure extends Figure {
  /** value / floor.value, when there is a floor. */
  ratio: number | null;
  /** null when the figure has no bar. */
  pass: boolean | null;
}

/** The machine and versions a run was measured on. */
export interface RunEnvironment {
  date: string;
  cores: number;
  memoryMb: number | null;
  deno: string;
  postgres: string;
  supabaseCli: string;
  mode: "quick" | "full";
}

/** What `bench/results.json` holds. */
export interface Results {
  environment: RunEnvironment;
  figures: JudgedFigure[];
  /** Free-form breakdowns (e.g. where generate's time goes). */
  details: Record<string, unknown>;
  summary: { bars: number; passed: number; failed: number };
  elapsedSeconds: number;
}

/**
 * Adds the ratio to the floor and the verdict of the bar.
 *
 * @example
 * judge({ item: "3", name: "insert", value: 1.1, unit: "ms", floor: { name: "1k", value: 1 }, bar: { kind: "ratio_max", limit: 1.2 } }).pass; // true
 */
export function judge(figure: Figure): JudgedFigure {
  const ratio = figure.floor && figure.floor.value !== 0 ? figure.value / figure.floor.value : null;
  const bar = figure.bar;
  let pass: boolean | null = null;
  if (bar) {
    switch (bar.kind) {
      case "ratio_max":
        pass = ratio !== null && ratio <= bar.limit;
        break;
      case "ratio_min":
        pass = ratio !== null && ratio >= bar.limit;
        break;
      case "delta_max":
        pass = figure.floor !== undefined && figure.value - figure.floor.value <= bar.limit;
        break;
      case "value_max":
        pass = figure.value < bar.limit;
        break;
    }
  }
  return { ...figure, ratio, pass };
}

/**
 * The bar as a reader would say it.
 *
 * @example
 * describeBar({ kind: "ratio_max", limit: 1.5 }, "ms"); // "≤ 1.5× floor"
 */
export function describeBar(bar: Bar | undefined, unit: string): string {
  if (!bar) return "—";
  switch (bar.kind) {
    case "ratio_max":
      return `≤ ${bar.limit}× floor`;
    case "ratio_min":
      return `≥ ${bar.limit}× floor`;
    case "delta_max":
      return `≤ floor + ${bar.limit} ${unit}`;
    case "value_max":
      return `< ${bar.limit} ${unit}`;
  }
}

/** A number with a sensible precision for a table. */
export function formatNumber(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude >= 1000) return Math.round(value).toLocaleString("en-US");
  if (magnitude >= 100) return value.toFixed(0);
  if (magnitude >= 10) return value.toFixed(1);
  return value.toFixed(2);
}

/**
 * The figures as a fixed-width text table: item, figure, value, floor,
 * ratio, bar, verdict.
 *
 * @example
 * console.log(formatTable(figures.map(judge)));
 */
export function formatTable(figures: readonly JudgedFigure[]): string {
  const header = ["item", "figure", "value", "floor", "ratio", "bar", "result"];
  const rows = figures.map((f) => [
    f.item,
    f.name,
    `${formatNumber(f.value)} ${f.unit}`,
    f.floor ? `${formatNumber(f.floor.value)} ${f.unit} (${f.floor.name})` : "—",
    f.ratio === null ? "—" : `${f.ratio.toFixed(2)}×`,
    describeBar(f.bar, f.unit),
    f.pass === null ? "watch" : f.pass ? "PASS" : "MISS",
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => cell.padEnd(widths[i])).join("  ").trimEnd();
  return [line(header), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

/**
 * Collects judged figures, the environment and details into the results document.
 *
 * @example
 * const results = buildResults(environment, figures, { generateBreakdown }, 812);
 */
export function buildResults(
  environment: RunEnvironment,
  figures: readonly Figure[],
  details: Record<string, unknown>,
  elapsedSeconds: number,
): Results {
  const judged = figures.map(judge);
  const barred = judged.filter((f) => f.pass !== null);
  return {
    environment,
    figures: judged,
    details,
    summary: {
      bars: barred.length,
      passed: barred.filter((f) => f.pass).length,
      failed: barred.filter((f) => !f.pass).length,
    },
    elapsedSeconds: Math.round(elapsedSeconds),
  };
}
