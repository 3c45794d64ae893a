/**
 * LOCAL STACK: a Supabase Realtime stand-in that the unmodified
 * `@supabase/supabase-js` client connects to at `/realtime/v1/websocket`
 * (the gateway routes it here). It speaks Phoenix protocol 1.0.0 and 2.0.0,
 * answers heartbeats, joins channel by channel with the replies and reasons
 * hosted Realtime gives (supabase/realtime realtime_channel.ex), authorizes
 * private channels with the realtime.messages policies, re-checks tokens
 * and closes channels whose token expired, and delivers Broadcast from
 * Database and Postgres Changes read from the WAL through logical decoding.
 * Never imported by function code. Presence and client broadcasts on
 * private channels are not implemented (see README, Known limits).
 */
import postgres from "postgres";
import { readPolicies } from "./authorization.ts";
import { Channel } from "./channel.ts";
import {
  decodeFrame,
  encodeBroadcast,
  encodeFrame,
  type Frame,
  isVsn,
  type Vsn,
} from "./frames.ts";
import { parseFilter } from "./filters.ts";
import { type PgSubscription, PostgresChanges } from "./postgres_changes.ts";
import { type Claims, isTokenError, tokenVerifier } from "./tokens.ts";
import { startWalReader, type WalChange, type WalReader } from "./wal.ts";

/** Options of {@link createRealtime}. */
export interface RealtimeOptions {
  /** The app role's URL (needs REPLICATION for logical decoding). */
  databaseUrl: string;
  jwtSecret: string;
  /** Pause between WAL polls that found nothing, in ms. */
  pollIdleMs?: number;
}

/** A running stand-in. */
export interface Realtime {
  /** Handles `GET /realtime/v1/websocket` (a WebSocket upgrade). */
  handler(request: Request): Promise<Response>;
  /** Drops every connection, as a restarting server does, and stops reading the WAL. */
  close(): Promise<void>;
}

/** How long the WAL reader outlives the last channel. */
const READER_IDLE_MS = 2_000;

/** The publication hosted Realtime creates for Broadcast from Database. */
const MESSAGES_PUBLICATION = "supabase_realtime_messages_publication";

/**
 * Starts the stand-in (the WAL reader starts with the first join).
 *
 * @example
 * const realtime = createRealtime({ databaseUrl, jwtSecret });
 * Deno.serve((request) => realtime.handler(request));
 */
export function createRealtime(options: RealtimeOptions): Realtime {
  const sql = postgres(options.databaseUrl, { max: 4, onnotice: () => {} });
  const verify = tokenVerifier(options.jwtSecret);
  const changes = new PostgresChanges(sql);
  const byTopic = new Map<string, Set<Channel>>();
  const sockets = new Set<WebSocket>();
  let reader: Promise<WalReader | null> | null = null;
  let closed = false;

  let joined = 0;
  let idleTimer: ReturnType<typeof setTimeout> | undefined;

  /** Gives the slot back a moment after the last channel leaves: slots are few per server. */
  function releaseReaderIfIdle() {
    clearTimeout(idleTimer);
    if (joined > 0 || !reader) return;
    idleTimer = setTimeout(() => {
      const idle = reader;
      reader = null;
      idle?.then((wal) => wal?.stop());
    }, READER_IDLE_MS);
  }

  function ensureReader(): Promise<WalReader | null> {
    clearTimeout(idleTimer);
    reader ??= (async () => {
      await sql.unsafe(`
        do $$ begin
          if not exists (select from pg_publication where pubname = '${MESSAGES_PUBLICATION}') then
            create publication ${MESSAGES_PUBLICATION} for table realtime.messages;
          end if;
        end $$`);
      return await startWalReader({
        databaseUrl: options.databaseUrl,
        publications: ["supabase_realtime", MESSAGES_PUBLICATION],
        onChanges: deliver,
        idleMs: options.pollIdleMs,
      });
    })().catch((error) => {
      console.error(
        `Realtime stand-in: no logical decoding, so no database events: ${error.message}`,
      );
      return null;
    });
    return reader;
  }

  async function deliver(batch: WalChange[]): Promise<void> {
    for (const change of batch) {
      if (change.relation.schema === "realtime" && change.relation.table.startsWith("messages")) {
        if (change.type === "INSERT") broadcastFromDatabase(change.record!);
      } else {
        await changes.deliver(change).catch((error) =>
          console.error(`Realtime stand-in: a change was not delivered: ${error.message}`)
        );
      }
    }
  }

  /** realtime.messages rows become broadcasts on their topic (replication_connection.ex). */
  function broadcastFromDatabase(row: Record<string, string | null | undefined>) {
    if (row.extension !== "broadcast" || !row.topic || row.payload == null) return;
    const isPrivate = row.private === "t";
    const encoded = new Map<Vsn, string | Uint8Array>();
    for (const channel of byTopic.get(row.topic) ?? []) {
      if (channel.options.private !== isPrivate) continue;
      if (isPrivate && channel.policies?.broadcast !== true) continue;
      const vsn = channel.socket.vsn;
      if (!encoded.has(vsn)) {
        encoded.set(
          vsn,
          encodeBroadcast(vsn, {
            topic: channel.topic,
            event: row.event ?? "",
            payloadJson: row.payload,
            meta: { id: row.id },
          }),
        );
      }
      channel.socket.sendRaw(encoded.get(vsn)!);
    }
  }

  function register(channel: Channel) {
    joined++;
    let set = byTopic.get(channel.subTopic);
    if (!set) byTopic.set(channel.subTopic, set = new Set());
    set.add(channel);
    for (const s of channel.pgSubscriptions) changes.add(s);
  }

  function unregister(channel: Channel) {
    clearTimeout(channel.confirmTimer);
    if (byTopic.get(channel.subTopic)?.has(channel)) joined--;
    releaseReaderIfIdle();
    byTopic.get(channel.subTopic)?.delete(channel);
    if (byTopic.get(channel.subTopic)?.size === 0) byTopic.delete(channel.subTopic);
    for (const s of channel.pgSubscriptions) changes.remove(s);
  }

  function serve(ws: WebSocket, vsn: Vsn, socketToken: string) {
    const channels = new Map<string, Channel>();
    const socket = {
      vsn,
      send(frame: Omit<Frame, "topic">, topic: string) {
        this.sendRaw(encodeFrame(vsn, { ...frame, topic }));
      },
      sendRaw(data: string | Uint8Array) {
        if (ws.readyState === WebSocket.OPEN) ws.send(data);
      },
    };
    const reply = (frame: Frame, status: "ok" | "error", response: Record<string, unknown>) =>
      socket.send({
        joinRef: frame.joinRef,
        ref: frame.ref,
        event: "phx_reply",
        payload: { status, response },
      }, frame.topic);

    /** Ends a channel from the server side: phx_close with the join ref, as Phoenix does. */
    function close(channel: Channel) {
      unregister(channel);
      if (channels.get(channel.topic) === channel) channels.delete(channel.topic);
      socket.send({
        joinRef: channel.joinRef,
        ref: channel.joinRef,
        event: "phx_close",
        payload: {},
      }, channel.topic);
    }

    /** A channel-level error: a system message, then the channel is closed (shutdown_response). */
    function shutdown(channel: Channel, message: string) {
      channel.system("system", "error", message);
      close(channel);
    }

    function scheduleConfirm(channel: Channel) {
      clearTimeout(channel.confirmTimer);
      channel.confirmTimer = setTimeout(async () => {
        const claims = await verify(channel.token);
        if (isTokenError(claims)) shutdown(channel, claims.message);
        else {
          channel.claims = claims;
          scheduleConfirm(channel);
        }
      }, channel.confirmIn() + 1);
    }

    async function join(frame: Frame) {
      const payload = frame.payload;
      const config = (payload.config ?? {}) as Record<string, Record<string, unknown> | unknown>;
      const subTopic = frame.topic.replace(/^realtime:/, "");
      const previous = channels.get(frame.topic);
      if (previous) close(previous);
      if (!frame.topic.startsWith("realtime:") || subTopic === "") {
        return reply(frame, "error", {
          reason: "TopicNameRequired: You must provide a topic name",
        });
      }
      const sent =
        typeof payload.access_token === "string" && !payload.access_token.startsWith("sb_")
          ? payload.access_token
          : socketToken;
      const claims = await verify(sent);
      if (isTokenError(claims)) {
        return reply(frame, "error", { reason: `${claims.code}: ${claims.message}` });
      }

      const broadcast = (config.broadcast ?? {}) as { self?: boolean; ack?: boolean };
      const presence = (config.presence ?? {}) as { enabled?: boolean };
      const channel = new Channel(socket, frame.topic, frame.joinRef, {
        private: config.private === true,
        presence: presence.enabled === true,
        self: broadcast.self === true,
        ack: broadcast.ack === true,
      }, { claims, token: sent });

      const readerReady = ensureReader();
      if (channel.options.private) {
        channel.policies = await readPolicies(sql, {
          topic: subTopic,
          claims,
          presence: channel.options.presence,
        });
        if (!channel.policies.broadcast && !channel.policies.presence) {
          return reply(frame, "error", {
            reason:
              `Unauthorized: You do not have permissions to read from this Channel topic: ${subTopic}`,
          });
        }
      }
      const params = Array.isArray(config.postgres_changes)
        ? (config.postgres_changes as Record<string, unknown>[]).filter((p) => p)
        : [];
      const bindings = params.map((p) => ({ params: p, id: bindingId(p) }));
      // Reading the WAL before the reply: what commits after SUBSCRIBED is never missed.
      const wal = await readerReady;
      channels.set(frame.topic, channel);
      reply(frame, "ok", { postgres_changes: bindings.map((b) => ({ ...b.params, id: b.id })) });
      scheduleConfirm(channel);
      register(channel);
      if (bindings.length > 0) {
        const problem = await subscribe(channel, bindings, wal);
        if (problem) channel.system("postgres_changes", "error", problem);
        else {
          for (const s of channel.pgSubscriptions) changes.add(s);
          channel.system("postgres_changes", "ok", "Subscribed to PostgreSQL");
        }
      }
    }

    async function subscribe(
      channel: Channel,
      bindings: { params: Record<string, unknown>; id: number }[],
      wal: WalReader | null,
    ): Promise<string | null> {
      if (!wal) return "Realtime was unable to connect to the project database";
      const subscriptions: PgSubscription[] = [];
      for (const { params, id } of bindings) {
        const schema = typeof params.schema === "string" ? params.schema : "public";
        const table = typeof params.table === "string" ? params.table : "*";
        const filter = parseFilter(typeof params.filter === "string" ? params.filter : undefined);
        if (typeof filter === "string") return filter;
        if (!await changes.isPublished(schema, table)) {
          return "Unable to subscribe to changes with given parameters. Please check Realtime is " +
            `enabled for the given connect parameters: [event: ${
              params.event ?? "*"
            }, schema: ${schema}, ` +
            `table: ${table}, filters: ${JSON.stringify(params.filter ?? [])}]`;
        }
        const event = String(params.event ?? "*").toUpperCase();
        subscriptions.push({
          id,
          event: event === "INSERT" || event === "UPDATE" || event === "DELETE" ? event : "*",
          schema,
          table,
          filter,
          channel,
        });
      }
      if (channels.get(channel.topic) !== channel) return null;
      channel.pgSubscriptions = subscriptions;
      return null;
    }

    async function refreshToken(channel: Channel, token: unknown) {
      if (typeof token !== "string" || token.startsWith("sb_") || token === channel.token) return;
      const claims = await verify(token);
      if (isTokenError(claims)) return shutdown(channel, claims.message);
      channel.token = token;
      channel.claims = claims;
      if (channel.options.private) {
        const hadRead = channel.policies?.broadcast === true;
        channel.policies = await readPolicies(sql, {
          topic: channel.subTopic,
          claims,
          presence: channel.options.presence,
        });
        if (hadRead && !channel.policies.broadcast) {
          return shutdown(
            channel,
            `You no longer have permission to read from this Channel topic: ${channel.subTopic}`,
          );
        }
      }
      scheduleConfirm(channel);
    }

    function clientBroadcast(channel: Channel, frame: Frame) {
      const { event, payload } = frame.payload as { event?: string; payload?: unknown };
      // Private channels need a write policy, which this stand-in does not evaluate.
      if (!channel.options.private && typeof event === "string") {
        const text = encodeFrame(vsn, {
          joinRef: null,
          ref: null,
          topic: channel.topic,
          event: "broadcast",
          payload: { type: "broadcast", event, payload },
        });
        for (const other of byTopic.get(channel.subTopic) ?? []) {
          if (other.options.private || (other === channel && !channel.options.self)) continue;
          other.socket.sendRaw(
            other.socket.vsn === vsn ? text : encodeFrame(other.socket.vsn, {
              joinRef: null,
              ref: null,
              topic: other.topic,
              event: "broadcast",
              payload: { type: "broadcast", event, payload },
            }),
          );
        }
      }
      if (channel.options.ack) reply(frame, "ok", {});
    }

    async function dispatch(frame: Frame) {
      if (frame.topic === "phoenix" && frame.event === "heartbeat") return reply(frame, "ok", {});
      if (frame.event === "phx_join") {
        await join(frame);
        return releaseReaderIfIdle();
      }
      const channel = channels.get(frame.topic);
      if (!channel || (frame.joinRef && frame.joinRef !== channel.joinRef)) {
        return reply(frame, "error", { reason: "unmatched topic" });
      }
      switch (frame.event) {
        case "phx_leave":
          unregister(channel);
          channels.delete(channel.topic);
          reply(frame, "ok", {});
          return socket.send({
            joinRef: channel.joinRef,
            ref: channel.joinRef,
            event: "phx_close",
            payload: {},
          }, channel.topic);
        case "access_token":
          return await refreshToken(channel, frame.payload.access_token);
        case "broadcast":
          return clientBroadcast(channel, frame);
      }
    }

    // Frames of one socket are handled in order, as one Phoenix channel process would.
    let queue = Promise.resolve();
    ws.onmessage = (event) => {
      const frame = decodeFrame(vsn, event.data);
      if (!frame) return;
      queue = queue.then(() => dispatch(frame)).catch((error) =>
        console.error(`Realtime stand-in: ${frame.event} failed: ${error.message}`)
      );
    };
    ws.onclose = () => {
      sockets.delete(ws);
      for (const channel of channels.values()) unregister(channel);
      channels.clear();
    };
  }

  return {
    async handler(request) {
      const url = new URL(request.url);
      const vsn = url.searchParams.get("vsn") ?? "1.0.0";
      const token = request.headers.get("x-api-key") ?? url.searchParams.get("apikey");
      if (closed) {
        return Response.json({ error: "Realtime is restarting, please standby" }, { status: 503 });
      }
      if (!token) return Response.json({ error: "API key is missing" }, { status: 401 });
      const claims: Claims | { connectMessage: string } = await verify(token);
      if ("connectMessage" in claims) {
        return Response.json({ error: claims.connectMessage }, { status: 401 });
      }
      if (!isVsn(vsn)) {
        return Response.json({ error: `Unsupported protocol version: ${vsn}` }, { status: 400 });
      }
      if (request.headers.get("upgrade")?.toLowerCase() !== "websocket") {
        return Response.json({ error: "Expected a WebSocket upgrade" }, { status: 400 });
      }
      const { socket: ws, response } = Deno.upgradeWebSocket(request);
      sockets.add(ws);
      ws.binaryType = "arraybuffer";
      serve(ws, vsn, token);
      return response;
    },
    async close() {
      closed = true;
      clearTimeout(idleTimer);
      for (const ws of sockets) ws.close(1001, "Realtime is restarting");
      sockets.clear();
      for (const set of byTopic.values()) {
        for (const channel of set) clearTimeout(channel.confirmTimer);
      }
      byTopic.clear();
      await (await reader)?.stop();
      await sql.end({ timeout: 1 });
    },
  };
}

/** A stable small integer per binding, as Realtime's `:erlang.phash2(params)` is. */
function bindingId(params: Record<string, unknown>): number {
  const text = JSON.stringify(Object.keys(params).sort().map((key) => [key, params[key]]));
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0) & 0x7ffffff;
}
