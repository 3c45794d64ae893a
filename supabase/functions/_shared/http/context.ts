/**
 * The Hono environment types of the pipeline, in a leaf module so the
 * middleware and the app that composes them never import each other.
 *
 * @module
 */
import type { Caller } from "../caller.ts";

/** Hono environment of every lab function. */
export type LabEnv = {
  Variables: {
    correlationId: string;
    caller?: Caller;
  };
};

/** The environment after `requireUser`: the caller is always there. */
export type UserEnv = {
  Variables: {
    correlationId: string;
    caller: Caller;
  };
};
