/**
 * LOCAL STACK: one joined channel of one socket: its topic, whether it is
 * private, the claims of its current token (re-checked at expiry, as
 * realtime_channel.ex `:confirm_token` does) and its Postgres Changes
 * bindings.
 */
import type { ReadPolicies } from "./authorization.ts";
import type { Frame } from "./frames.ts";
import type { PgSubscription } from "./postgres_changes.ts";
import type { Claims } from "./tokens.ts";

/** The longest Realtime waits before checking a token again (5 minutes). */
export const CONFIRM_TOKEN_MS = 5 * 60 * 1000;

/** What a channel needs of its socket. */
export interface ChannelSocket {
  send(frame: Omit<Frame, "topic">, topic: string): void;
  sendRaw(data: string | Uint8Array): void;
  vsn: "1.0.0" | "2.0.0";
}

/** A joined channel. */
export class Channel {
  claims: Claims;
  token: string;
  policies: ReadPolicies | null = null;
  pgSubscriptions: PgSubscription[] = [];
  confirmTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    readonly socket: ChannelSocket,
    readonly topic: string,
    readonly joinRef: string | null,
    readonly options: {
      private: boolean;
      presence: boolean;
      self: boolean;
      ack: boolean;
    },
    auth: { claims: Claims; token: string },
  ) {
    this.claims = auth.claims;
    this.token = auth.token;
  }

  /** The topic without `realtime:`, as policies and system messages name it. */
  get subTopic(): string {
    return this.topic.replace(/^realtime:/, "");
  }

  /** Sends an event on this channel. */
  push(event: string, payload: Record<string, unknown>, ref: string | null = null): void {
    this.socket.send({ joinRef: this.joinRef, ref, event, payload }, this.topic);
  }

  /** `{extension, status, message, channel}` system message. */
  system(extension: "system" | "postgres_changes", status: "ok" | "error", message: string): void {
    this.push("system", { extension, status, message, channel: this.subTopic });
  }

  /** A change for some of this channel's Postgres Changes bindings. */
  sendChange(ids: number[], data: unknown): void {
    this.socket.send(
      { joinRef: null, ref: null, event: "postgres_changes", payload: { ids, data } },
      this.topic,
    );
  }

  /** Milliseconds until the token must be checked again. */
  confirmIn(): number {
    return Math.max(0, Math.min(CONFIRM_TOKEN_MS, this.claims.exp * 1000 - Date.now()));
  }
}
