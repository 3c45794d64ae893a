/**
 * `manifest.json`, the ZIP's last entry: what is inside, how much, each
 * file's size and SHA-256, and what is needed to rebuild an experiment from
 * the package alone.
 *
 * @module
 */
import { PARAMETER_BOUNDS } from "../../_shared/lab/parameters.ts";
import type { Measure } from "../assemble/measure.ts";
import type { Tally } from "../assemble/tally.ts";
import { ANALYTICS_JSON } from "./analytics_json.ts";
import { AUDIT_JSON } from "./audit_json.ts";
import { CALIBRATIONS_JSON } from "./calibrations_json.ts";
import { EXPERIMENTS_CSV } from "./experiments_csv.ts";
import { EXPERIMENTS_JSON } from "./experiments_json.ts";
import { JUDGE_VERDICTS_JSON } from "./judge_verdicts_json.ts";
import { JUDGE_VERSIONS_JSON } from "./judge_versions_json.ts";
import { RATINGS_CSV } from "./ratings_csv.ts";
import { RESPONSES_CSV } from "./responses_csv.ts";
import { SCORE_CONFIGS_JSON } from "./score_configs_json.ts";

/** One file of the package. */
export interface ManifestFile extends Measure {
  name: string;
}

/** How many items each item file holds (files/ specs' `count`). */
export interface ItemCounts {
  ratings: number;
  scoreConfigs: number;
  judgeVersions: number;
  judgeVerdicts: number;
}

/** The manifest. */
export interface Manifest {
  formatVersion: number;
  createdAt: string;
  exportId: string;
  userId: string;
  /** The export's request: selected ids and filter. */
  request: unknown;
  counts: ItemCounts & {
    experiments: number;
    responses: number;
    calibrations: number;
    analyticsSummaries: number;
    auditEvents: number;
  };
  /** Every other file of the package, in archive order. */
  files: ManifestFile[];
  /** Distinct models the experiments ran on. */
  models: string[];
  /** Distinct parameter designs (`latin-hypercube`, `explicit`). */
  parameterDesigns: string[];
  /** The provider's parameter bounds the lab enforced. */
  parameterBounds: typeof PARAMETER_BOUNDS;
  /** How the files fit together. */
  reproduction: string[];
}

/** What {@link buildManifest} needs. */
export interface ManifestInput {
  formatVersion: number;
  createdAt: Date;
  exportId: string;
  userId: string;
  request: unknown;
  tally: Tally;
  files: ManifestFile[];
  counts: ItemCounts & { calibrations: number; analyticsSummaries: number; auditEvents: number };
}

const REPRODUCTION = [
  `${EXPERIMENTS_JSON.name} holds every experiment as stored: prompt, model, parameters ({ model, seed, design, numResponses, sets }) and its responses with their parameter sets, usage, latency and metrics.`,
  `${CALIBRATIONS_JSON.name} holds the calibrations whose ranges the parameter sets were drawn from; with an experiment's seed and design the sets can be drawn again (latin-hypercube of stratum centres, mulberry32 seed).`,
  `${ANALYTICS_JSON.name} holds the current summary of each of those calibrations (all of its experiments that are not discarded).`,
  `${AUDIT_JSON.name} holds the audit events of the experiments, linked to them by correlationId or eventData.experimentId.`,
  `${RATINGS_CSV.name} holds every score of those responses, one line each: source human (each person's latest revision, with the revision count), judge (a judge version's scored verdict) or heuristic (the scores stored with each response); config_id names its scale in ${SCORE_CONFIGS_JSON.name}.`,
  `${JUDGE_VERSIONS_JSON.name} holds each judge version used (rubric, config, model, parameters with seed); ${JUDGE_VERDICTS_JSON.name} holds every verdict it gave on these responses, scored or unparsable, with the raw reply.`,
  `${EXPERIMENTS_CSV.name}, ${RESPONSES_CSV.name} and ${RATINGS_CSV.name} are flattened for spreadsheets; text cells that start with = + - @ tab or CR are prefixed with '.`,
];

/**
 * Builds the manifest; lists are sorted so equal packages have equal manifests.
 *
 * @example
 * const manifest = buildManifest({ formatVersion: 1, createdAt, exportId, userId, request, tally, files, counts });
 */
export function buildManifest(input: ManifestInput): Manifest {
  return {
    formatVersion: input.formatVersion,
    createdAt: input.createdAt.toISOString(),
    exportId: input.exportId,
    userId: input.userId,
    request: input.request,
    counts: {
      experiments: input.tally.experiments,
      responses: input.tally.responses,
      ...input.counts,
    },
    files: input.files,
    models: [...input.tally.models].sort(),
    parameterDesigns: [...input.tally.designs].sort(),
    parameterBounds: PARAMETER_BOUNDS,
    reproduction: REPRODUCTION,
  };
}

/** `manifest.json`. */
export const MANIFEST_JSON = {
  name: "manifest.json",
  /** The file's text: the manifest, indented for people. */
  text: (manifest: Manifest): string => `${JSON.stringify(manifest, null, 2)}\n`,
} as const;
