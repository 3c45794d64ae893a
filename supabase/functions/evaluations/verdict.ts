/**
 * What an LLM judge is asked and how its reply is read. The reply must be a
 * JSON object `{ score, reasoning }` whose score is a value the config
 * allows; anything else is an unparsable verdict, kept with the raw text and
 * never counted as a score.
 *
 * @module
 */
import { z } from "zod";

/** The numeric score config a judge rates. */
export interface JudgedConfig {
  name: string;
  minValue: number;
  maxValue: number;
  step: number | null;
  description: string | null;
}

/** The two messages of one judge call. */
export interface JudgeMessages {
  system: string;
  prompt: string;
}

/**
 * The judge's instructions (rubric, scale, output shape) and the material it
 * judges (the prompt and the response).
 *
 * @example
 * judgeMessages("Rate realism.", config, { prompt: "Describe rain.", response: "Rain falls." });
 */
export function judgeMessages(
  rubric: string,
  config: JudgedConfig,
  material: { prompt: string; response: string },
): JudgeMessages {
  const scale = config.step === null
    ? `a number from ${config.minValue} to ${config.maxValue}`
    : `one of ${config.minValue} to ${config.maxValue} in steps of ${config.step}`;
  return {
    system: [
      rubric,
      `Score "${config.name}"${config.description ? ` (${config.description})` : ""} as ${scale}.`,
      'Answer with a JSON object {"score": <number>, "reasoning": "<one or two sentences>"} and nothing else.',
    ].join("\n\n"),
    prompt: `Prompt:\n${material.prompt}\n\nResponse:\n${material.response}`,
  };
}

/**
 * The JSON schema of a verdict for `config`, sent as the structured-output
 * format so providers that honour it reply in shape.
 *
 * @example
 * verdictSchema({ name: "realism", minValue: 1, maxValue: 7, step: 1, description: null });
 */
export function verdictSchema(config: JudgedConfig): Record<string, unknown> {
  const integer = config.step !== null && Number.isInteger(config.step) &&
    Number.isInteger(config.minValue);
  return {
    type: "object",
    properties: {
      score: {
        type: integer ? "integer" : "number",
        minimum: config.minValue,
        maximum: config.maxValue,
        ...(config.step !== null && !integer ? { multipleOf: config.step } : {}),
      },
      reasoning: { type: "string" },
    },
    required: ["score", "reasoning"],
    additionalProperties: false,
  };
}

/** A reply read as a verdict. */
export type ParsedVerdict =
  | { status: "scored"; value: number; reasoning: string }
  | { status: "unparsable"; error: string };

const replySchema = z.strictObject({
  score: z.number().finite(),
  reasoning: z.string().max(8000),
});

/**
 * Reads a judge's reply strictly: valid JSON, exactly `score` and
 * `reasoning`, the score on the config's scale.
 *
 * @example
 * parseVerdict('{"score": 5, "reasoning": "Plausible."}', config); // { status: "scored", value: 5, … }
 */
export function parseVerdict(raw: string, config: JudgedConfig): ParsedVerdict {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { status: "unparsable", error: "The reply is not JSON" };
  }
  const parsed = replySchema.safeParse(json);
  if (!parsed.success) {
    return {
      status: "unparsable",
      error: 'The reply is not an object with exactly "score" (a number) and "reasoning" (text)',
    };
  }
  const { score, reasoning } = parsed.data;
  if (score < config.minValue || score > config.maxValue) {
    return {
      status: "unparsable",
      error: `The score ${score} is outside ${config.minValue} to ${config.maxValue}`,
    };
  }
  if (config.step !== null && !onStep(score - config.minValue, config.step)) {
    return { status: "unparsable", error: `The score ${score} is not on the scale's steps` };
  }
  return { status: "scored", value: score, reasoning };
}

function onStep(offset: number, step: number): boolean {
  const steps = offset / step;
  return Math.abs(steps - Math.round(steps)) < 1e-9;
}
