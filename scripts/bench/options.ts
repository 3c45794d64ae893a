/**
 * BENCH: command-line options and the sizes of a quick or a full run.
 *
 * @module
 */

/** The measurements, numbered as in the issue. */
export const ITEMS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"] as const;

/** One measurement. */
export type Item = (typeof ITEMS)[number];

/** Sizes and repetitions of a run. */
export interface BenchPlan {
  mode: "quick" | "full";
  /** Which items run. */
  items: Item[];
  /** Where results.json goes. */
  outPath: string;
  /** Item 1: requests per repetition and concurrency level, and repetitions. */
  overhead: { requests: number; repetitions: number; concurrency: number[] };
  /** Item 2: response counts, requests per count, model delay. */
  overlap: { counts: number[]; requests: number; modelLatencyMs: number };
  /** Item 3: existing experiments at each step, inserts and reads timed at each. */
  scale: {
    sizes: number[];
    users: number;
    calibrationsPerUser: number;
    samples: number;
    rounds: number;
  };
  /** Item 4: experiments per export size, formats, repetitions. */
  exports: { sizes: number[]; formats: ("csv" | "zip")[]; repetitions: number };
  /** Item 5: also time the whole `npm test` (several minutes). */
  wholeTestSuite: boolean;
  /** Item 6: changes per subscriber count, and the subscriber counts. */
  realtime: { changes: number; subscribers: number[] };
  /** Item 7: telemetry rows over a week, timed rounds. */
  metrics: { rows: number; repetitions: number };
  /** Item 9: rows of the ingested CSV, repetitions. */
  ingest: { rows: number; repetitions: number };
  /** Item 10: items of the batch run, model delay. */
  batchRun: { items: number; modelLatencyMs: number };
  /** Item 8: job start latency samples, trivial jobs per throughput run, runs. */
  jobs: { latencySamples: number; throughputJobs: number; repetitions: number };
  /** Item 11: testers at once, prompts, hand-outs per round, rounds; votes and repetitions of the fit. */
  arenas: {
    testers: number;
    prompts: number;
    requestsPerRound: number;
    rounds: number;
    fitVotes: number;
    fitRepetitions: number;
  };
  /** Item 12: experiments per export built by the worker, formats, COPY floor repetitions. */
  exportJobs: { size: number; formats: ("csv" | "zip")[]; repetitions: number };
}

/**
 * Reads `--quick`, `--only=1,3` and `--out=path`.
 *
 * @example
 * planFromArgs(["--quick", "--only=3"]).items; // ["3"]
 */
export function planFromArgs(args: readonly string[]): BenchPlan {
  const quick = args.includes("--quick");
  const only = valueOf(args, "--only");
  const items = only === undefined ? [...ITEMS] : only.split(",").map((raw) => {
    const item = raw.trim();
    if (!(ITEMS as readonly string[]).includes(item)) {
      throw new Error(
        `Invalid --only: "${item}" (use item numbers ${ITEMS.join(", ")}, comma separated)`,
      );
    }
    return item as Item;
  });
  const known = new Set(["--quick", "--only", "--out"]);
  for (const arg of args) {
    const name = arg.split("=")[0];
    if (name.startsWith("--") && !known.has(name)) throw new Error(`Unknown option: ${name}`);
  }
  const outPath = valueOf(args, "--out") ?? "bench/results.json";
  if (quick) {
    return {
      mode: "quick",
      items,
      outPath,
      overhead: { requests: 80, repetitions: 3, concurrency: [1, 8] },
      overlap: { counts: [1, 4, 10], requests: 2, modelLatencyMs: 200 },
      scale: {
        sizes: [1_000, 10_000, 30_000],
        users: 1_000,
        calibrationsPerUser: 3,
        samples: 40,
        rounds: 3,
      },
      exports: { sizes: [1_000, 3_000], formats: ["csv", "zip"], repetitions: 1 },
      wholeTestSuite: false,
      realtime: { changes: 200, subscribers: [1, 100] },
      metrics: { rows: 1_000_000, repetitions: 5 },
      ingest: { rows: 10_000, repetitions: 1 },
      batchRun: { items: 200, modelLatencyMs: 200 },
      jobs: { latencySamples: 50, throughputJobs: 500, repetitions: 3 },
      arenas: {
        testers: 50,
        prompts: 20,
        requestsPerRound: 500,
        rounds: 3,
        fitVotes: 20_000,
        fitRepetitions: 3,
      },
      exportJobs: { size: 3_000, formats: ["csv", "zip"], repetitions: 1 },
    };
  }
  return {
    mode: "full",
    items,
    outPath,
    overhead: { requests: 300, repetitions: 5, concurrency: [1, 8] },
    overlap: { counts: [1, 4, 10], requests: 7, modelLatencyMs: 200 },
    scale: {
      sizes: [1_000, 100_000, 1_000_000],
      users: 1_000,
      calibrationsPerUser: 5,
      samples: 150,
      rounds: 5,
    },
    exports: { sizes: [10_000, 100_000], formats: ["csv", "zip"], repetitions: 2 },
    wholeTestSuite: true,
    realtime: { changes: 1_000, subscribers: [1, 100] },
    metrics: { rows: 10_000_000, repetitions: 7 },
    ingest: { rows: 100_000, repetitions: 3 },
    batchRun: { items: 1_000, modelLatencyMs: 200 },
    jobs: { latencySamples: 200, throughputJobs: 2_000, repetitions: 5 },
    arenas: {
      testers: 50,
      prompts: 20,
      requestsPerRound: 2_000,
      rounds: 5,
      fitVotes: 20_000,
      fitRepetitions: 5,
    },
    exportJobs: { size: 100_000, formats: ["csv", "zip"], repetitions: 3 },
  };
}

/** `--name=value` or `--name value`. */
function valueOf(args: readonly string[], name: string): string | undefined {
  const index = args.findIndex((arg) => arg === name || arg.startsWith(`${name}=`));
  if (index === -1) return undefined;
  return args[index].includes("=") ? args[index].slice(name.length + 1) : args[index + 1];
}
