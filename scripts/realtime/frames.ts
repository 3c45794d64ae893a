/**
 * LOCAL STACK: Phoenix frames as realtime-js 2.x speaks them. Protocol 1.0.0
 * sends JSON objects `{topic, event, payload, ref, join_ref}`; 2.0.0 sends
 * JSON arrays `[join_ref, ref, topic, event, payload]`, client broadcasts as
 * binary kind 3 and server broadcasts as binary kind 4
 * (realtime-js lib/serializer.ts; supabase/realtime v2_serializer.ex).
 */

/** The protocol versions realtime-js can ask for with `vsn`. */
export type Vsn = "1.0.0" | "2.0.0";

/** One Phoenix message. */
export interface Frame {
  joinRef: string | null;
  ref: string | null;
  topic: string;
  event: string;
  payload: Record<string, unknown>;
}

const USER_BROADCAST_PUSH = 3;
const USER_BROADCAST = 4;
const JSON_ENCODING = 1;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** True for a `vsn` query value this server speaks. */
export function isVsn(value: string): value is Vsn {
  return value === "1.0.0" || value === "2.0.0";
}

/** Decodes one WebSocket message; null when it is not a frame of `vsn`. */
export function decodeFrame(vsn: Vsn, data: string | ArrayBuffer): Frame | null {
  try {
    if (typeof data !== "string") return vsn === "2.0.0" ? decodeBroadcastPush(data) : null;
    const parsed = JSON.parse(data);
    if (vsn === "2.0.0") {
      if (!Array.isArray(parsed) || parsed.length !== 5) return null;
      const [joinRef, ref, topic, event, payload] = parsed;
      return frame(joinRef, ref, topic, event, payload);
    }
    return frame(
      parsed.join_ref ?? null,
      parsed.ref ?? null,
      parsed.topic,
      parsed.event,
      parsed.payload,
    );
  } catch {
    return null;
  }
}

function frame(joinRef: unknown, ref: unknown, topic: unknown, event: unknown, payload: unknown) {
  if (typeof topic !== "string" || typeof event !== "string") return null;
  return {
    joinRef: typeof joinRef === "string" ? joinRef : null,
    ref: typeof ref === "string" ? ref : null,
    topic,
    event,
    payload: payload && typeof payload === "object" ? payload as Record<string, unknown> : {},
  };
}

/** Kind 3: `channel.send({type: "broadcast"})` under 2.0.0, turned back into its text form. */
function decodeBroadcastPush(buffer: ArrayBuffer): Frame | null {
  const bytes = new Uint8Array(buffer);
  if (bytes[0] !== USER_BROADCAST_PUSH || bytes.length < 7) return null;
  const lengths = [bytes[1], bytes[2], bytes[3], bytes[4], bytes[5]];
  const encoding = bytes[6];
  let offset = 7;
  const [joinRef, ref, topic, event, meta] = lengths.map((length) => {
    const text = decoder.decode(bytes.subarray(offset, offset + length));
    offset += length;
    return text;
  });
  const body = bytes.subarray(offset);
  const payload = encoding === JSON_ENCODING ? JSON.parse(decoder.decode(body)) : body;
  return {
    joinRef: joinRef || null,
    ref: ref || null,
    topic,
    event: "broadcast",
    payload: { type: "broadcast", event, payload, ...(meta ? JSON.parse(meta) : {}) },
  };
}

/** Encodes a frame as text in `vsn`. */
export function encodeFrame(vsn: Vsn, message: Frame): string {
  const { joinRef, ref, topic, event, payload } = message;
  return vsn === "2.0.0"
    ? JSON.stringify([joinRef, ref, topic, event, payload])
    : JSON.stringify({ topic, event, payload, ref, join_ref: joinRef });
}

/**
 * A broadcast from the server (Broadcast from Database among them) whose
 * payload is JSON text: binary kind 4 under 2.0.0, a text `broadcast` event
 * under 1.0.0 (UserBroadcast.convert_to_json_broadcast).
 */
export function encodeBroadcast(
  vsn: Vsn,
  message: { topic: string; event: string; payloadJson: string; meta?: Record<string, unknown> },
): string | Uint8Array {
  if (vsn === "1.0.0") {
    const payload = `{"event":${JSON.stringify(message.event)},"payload":${message.payloadJson},` +
      `"type":"broadcast"${message.meta ? `,"meta":${JSON.stringify(message.meta)}` : ""}}`;
    return `{"topic":${
      JSON.stringify(message.topic)
    },"event":"broadcast","payload":${payload},"ref":null,"join_ref":null}`;
  }
  const topic = encoder.encode(message.topic);
  const event = encoder.encode(message.event);
  const meta = encoder.encode(message.meta ? JSON.stringify(message.meta) : "");
  const body = encoder.encode(message.payloadJson);
  const out = new Uint8Array(5 + topic.length + event.length + meta.length + body.length);
  out.set([USER_BROADCAST, topic.length, event.length, meta.length, JSON_ENCODING]);
  let offset = 5;
  for (const part of [topic, event, meta, body]) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
