/**
 * The arena package's `manifest.json`, its last entry: what is inside, how
 * much, each file's size and SHA-256, and how the files fit together.
 *
 * @module
 */
import { ARENA_JSON } from "./arena_json.ts";
import { ARENA_JUDGE_VERDICTS_CSV } from "./arena_judge_verdicts_csv.ts";
import { ARENA_RANKING_JSON } from "./arena_ranking_json.ts";
import { ARENA_RESPONSES_JSON } from "./arena_responses_json.ts";
import { ARENA_VOTES_CSV } from "./arena_votes_csv.ts";
import type { ManifestFile } from "./manifest_json.ts";

/** The arena package's manifest. */
export interface ArenaManifest {
  formatVersion: number;
  kind: "arena";
  createdAt: string;
  exportId: string;
  userId: string;
  arenaId: string;
  counts: {
    arms: number;
    prompts: number;
    responses: number;
    votes: number;
    judgeVerdicts: number;
  };
  /** Every other file of the package, in archive order. */
  files: ManifestFile[];
  reproduction: string[];
}

const REPRODUCTION = [
  `${ARENA_JSON.name} holds the arena (visibility, cap, questions, seed, invitations), its arms (model and parameters) in the order rankings fit them, and its prompts.`,
  `${ARENA_RESPONSES_JSON.name} holds every arm's answer to every prompt, each generated with the seed beside it.`,
  `${ARENA_VOTES_CSV.name} holds the testers' votes oldest first, naming the arm shown on each side; ${ARENA_JUDGE_VERDICTS_CSV.name} the judge's verdicts in both orders and whether they agree.`,
  `${ARENA_RANKING_JSON.name} holds both rankings and their method: refitting the votes (or counted verdicts) in file order with its seed and resamples gives the same numbers.`,
];

/** `manifest.json` of an arena package. */
export const ARENA_MANIFEST_JSON = {
  name: "manifest.json",
  /** The manifest. */
  build(
    input: Omit<ArenaManifest, "kind" | "reproduction" | "createdAt"> & { createdAt: Date },
  ): ArenaManifest {
    return {
      formatVersion: input.formatVersion,
      kind: "arena",
      createdAt: input.createdAt.toISOString(),
      exportId: input.exportId,
      userId: input.userId,
      arenaId: input.arenaId,
      counts: input.counts,
      files: input.files,
      reproduction: REPRODUCTION,
    };
  },
  /** The file's text, indented for people. */
  text: (manifest: ArenaManifest): string => `${JSON.stringify(manifest, null, 2)}\n`,
} as const;
