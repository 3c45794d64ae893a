/**
 * LOCAL STACK: Realtime Authorization for a private channel, as
 * supabase/realtime tenants/authorization.ex runs it: in one transaction the
 * server's role inserts a probe broadcast (and presence) row of the topic,
 * then, as the joining user (role, realtime.topic, request.jwt.claims,
 * request.jwt.claim.sub/role, request.headers), reads them back; the
 * transaction is rolled back. What the user can read is what the
 * realtime.messages SELECT policies allow.
 */
import type postgres from "postgres";
import type { Claims } from "./tokens.ts";

/** What the user may read on a topic; null = not checked. */
export interface ReadPolicies {
  broadcast: boolean;
  presence: boolean | null;
}

class Rollback extends Error {}

/**
 * Evaluates the read policies for `topic` as the user of `claims`. A policy
 * that raises counts as a refusal, as Realtime's RlsPolicyError does.
 *
 * @example
 * const { broadcast } = await readPolicies(sql, { topic: "experiments:u1", claims, presence: false });
 */
export async function readPolicies(
  sql: postgres.Sql,
  request: { topic: string; claims: Claims; presence: boolean; headers?: Record<string, string> },
): Promise<ReadPolicies> {
  const extensions = request.presence ? ["broadcast", "presence"] : ["broadcast"];
  const probes = extensions.map(() => crypto.randomUUID());
  let visible = new Set<string>();
  try {
    await sql.begin(async (tx) => {
      await tx`
        insert into realtime.messages (id, topic, extension)
        select * from unnest(${probes}::uuid[], ${extensions.map(() => request.topic)}::text[],
                             ${extensions}::text[])`;
      await tx`
        select set_config('role', ${request.claims.role}, true),
               set_config('realtime.topic', ${request.topic}, true),
               set_config('request.jwt.claims', ${JSON.stringify(request.claims)}, true),
               set_config('request.jwt.claim.sub', ${String(request.claims.sub ?? "")}, true),
               set_config('request.jwt.claim.role', ${request.claims.role}, true),
               set_config('request.headers', ${JSON.stringify(request.headers ?? {})}, true)`;
      const rows =
        await tx`select id::text from realtime.messages where id = any(${probes}::uuid[])`;
      visible = new Set(rows.map((row) => row.id as string));
      throw new Rollback();
    });
  } catch (error) {
    if (!(error instanceof Rollback)) {
      return { broadcast: false, presence: request.presence ? false : null };
    }
  }
  return {
    broadcast: visible.has(probes[0]),
    presence: request.presence ? visible.has(probes[1]) : null,
  };
}
