/**
 * Agreement figures for one config over the caller's rated responses: the
 * judge (a given version, or the one with most ratings) against each person's
 * rating of the same response, and people among themselves. The statistics
 * are in `_shared/lab/agreement.ts`; this module chooses the pairs.
 *
 * @module
 */
import type { DbCaller } from "../_shared/caller.ts";
import type { AgreementResult } from "../_shared/contracts/evaluations.ts";
import type { Database } from "../_shared/db/client.ts";
import { HttpError } from "../_shared/errors.ts";
import {
  agreementWithin,
  type AlphaLevel,
  krippendorffAlpha,
  spearman,
  weightedKappa,
} from "../_shared/lab/agreement.ts";

interface ConfigRow {
  dataType: "numeric" | "categorical" | "boolean";
  minValue: number | null;
  maxValue: number | null;
  step: number | null;
  categories: string[] | null;
}

interface RatingRow {
  item: string;
  source: "human" | "judge";
  rater: string;
  value: number;
}

/** The most scale points a numeric config is treated as ordinal levels for kappa. */
const MAX_LEVELS = 101;

/**
 * @throws {HttpError} 404 for a config the caller cannot see.
 *
 * @example
 * const figures = await loadAgreement(db, caller, { configId: realism, calibrationId });
 */
export function loadAgreement(
  db: Database,
  caller: DbCaller,
  query: { configId: string; calibrationId?: string; judgeVersionId?: string },
): Promise<AgreementResult> {
  return db.withUser(caller, async (tx) => {
    const [config] = await tx<ConfigRow[]>`
      select data_type as "dataType", min_value::float8 as "minValue", max_value::float8 as "maxValue",
             step::float8 as step, categories
        from public.score_configs where id = ${query.configId}`;
    if (!config) throw new HttpError(404, "Score config not found", { code: "config_not_found" });
    const rows = await tx<RatingRow[]>`
      select r.experiment_id || ':' || r.response_index as item, r.source,
             coalesce(r.rater_id, r.judge_version_id)::text as rater, r.value::float8 as value
        from public.ratings r join public.experiments e on e.id = r.experiment_id
       where r.config_id = ${query.configId} and r.owner_id = ${caller.claims.sub as string}
         and (${query.calibrationId ?? null}::uuid is null or e.calibration_id = ${
      query.calibrationId ?? null
    }::uuid)`;
    return figures(query.configId, config, rows, query.judgeVersionId);
  });
}

/** The figures from the ratings rows (pure; exported for tests). */
export function figures(
  configId: string,
  config: ConfigRow,
  rows: readonly RatingRow[],
  judgeVersionId?: string,
): AgreementResult {
  const judge = judgeVersionId ?? busiestJudge(rows);
  const judged = new Map(
    rows.filter((r) => r.source === "judge" && r.rater === judge).map((r) => [r.item, r.value]),
  );
  const humans = rows.filter((r) => r.source === "human");
  const pairs = humans
    .filter((r) => judged.has(r.item))
    .map((r) => [judged.get(r.item)!, r.value] as const);
  const byItem = new Map<string, Map<string, number>>();
  for (const r of humans) {
    if (!byItem.has(r.item)) byItem.set(r.item, new Map());
    byItem.get(r.item)!.set(r.rater, r.value);
  }
  const raters = [...new Set(humans.map((r) => r.rater))];
  const units = [...byItem.values()].map((m) => raters.map((rater) => m.get(rater) ?? null));
  const levels = levelsOf(config);
  const unit = config.step ?? 1;
  const level: AlphaLevel = config.dataType === "boolean" ? "nominal" : "ordinal";
  return {
    configId,
    judgeVsHuman: {
      judgeVersionId: judge ?? null,
      weightedKappa: levels
        ? weightedKappa(pairs, levels, "quadratic")
        : { value: null, n: pairs.length },
      spearman: spearman(pairs),
      exact: agreementWithin(pairs, 0),
      withinOne: agreementWithin(pairs, unit),
    },
    humans: { raters: raters.length, krippendorffAlpha: krippendorffAlpha(units, level) },
  };
}

/** The judge version with the most ratings, so a caller need not name one. */
function busiestJudge(rows: readonly RatingRow[]): string | undefined {
  const counts = new Map<string, number>();
  for (const r of rows) {
    if (r.source === "judge") counts.set(r.rater, (counts.get(r.rater) ?? 0) + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]?.[0];
}

/** The ordered values a config allows, or null when it has no finite scale. */
function levelsOf(config: ConfigRow): number[] | null {
  if (config.dataType === "boolean") return [0, 1];
  if (config.dataType === "categorical") return (config.categories ?? []).map((_, i) => i + 1);
  const { minValue, maxValue, step } = config;
  if (minValue === null || maxValue === null || step === null) return null;
  const count = Math.floor((maxValue - minValue) / step + 1e-9) + 1;
  if (count > MAX_LEVELS) return null;
  return Array.from({ length: count }, (_, i) => Number((minValue + i * step).toFixed(10)));
}
