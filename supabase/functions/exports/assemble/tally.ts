/**
 * What an export holds, counted as its experiments are written: the counts
 * the export row records and the distinct values the manifest lists.
 *
 * @module
 */
import type { FormattedExperiment, Pages } from "../read/rows.ts";

/** How many experiments and responses an export holds. */
export interface Counts {
  experiments: number;
  responses: number;
}

/** Counts and distinct values over the experiments written, for the row and the manifest. */
export interface Tally extends Counts {
  models: Set<string>;
  designs: Set<string>;
  calibrationIds: Set<string>;
}

/** An empty {@link Tally}. */
export function emptyTally(): Tally {
  return {
    experiments: 0,
    responses: 0,
    models: new Set(),
    designs: new Set(),
    calibrationIds: new Set(),
  };
}

/**
 * Passes pages through unchanged while adding them to `tally`.
 *
 * @example
 * const tally = emptyTally();
 * await writeExperimentsCsv(tallied(source.experiments("experiments.csv"), tally), sink);
 * tally.experiments; // experiments written
 */
export async function* tallied(
  pages: Pages<FormattedExperiment>,
  tally: Tally,
): Pages<FormattedExperiment> {
  for await (const page of pages) {
    for (const experiment of page) {
      tally.experiments += 1;
      tally.responses += experiment.responses;
      tally.models.add(experiment.model);
      tally.calibrationIds.add(experiment.calibrationId);
      if (experiment.design !== null) tally.designs.add(experiment.design);
    }
    yield page;
  }
}
