import { equal } from "node:assert/strict";
import {
  csvText,
  EXPERIMENT_COLUMNS,
  RATING_COLUMNS,
  RESPONSE_COLUMNS,
} from "../testing/reference.ts";
import { EXPERIMENTS_CSV } from "./experiments_csv.ts";
import { RATINGS_CSV } from "./ratings_csv.ts";
import { RESPONSES_CSV } from "./responses_csv.ts";

Deno.test("each CSV spec's header line is the reference's, column for column", () => {
  equal(EXPERIMENTS_CSV.header, csvText([], EXPERIMENT_COLUMNS, { header: true }));
  equal(RESPONSES_CSV.header, csvText([], RESPONSE_COLUMNS, { header: true }));
  equal(EXPERIMENTS_CSV.columns.length, EXPERIMENT_COLUMNS.length);
  equal(RESPONSES_CSV.columns.length, RESPONSE_COLUMNS.length);
  equal(RATINGS_CSV.header, csvText([], RATING_COLUMNS, { header: true }));
  equal(RATINGS_CSV.columns.length, RATING_COLUMNS.length);
});
