/**
 * `npm run gen:types` — regenerates supabase/functions/_shared/db/database.types.ts
 * with `supabase gen types typescript` from a throwaway database built from the
 * migrations, so the result depends on the migrations alone. `npm test` fails
 * when the committed file differs.
 */
import { installPlainErrors } from "./lib/plain_errors.ts";
import { generateTypes, TYPES_PATH } from "./lib/types.ts";
import { withThrowawayDatabase } from "./lib/throwaway.ts";

installPlainErrors();
const types = await withThrowawayDatabase("types", generateTypes);
await Deno.writeTextFile(TYPES_PATH, types);
console.log(`Wrote ${TYPES_PATH}`);
