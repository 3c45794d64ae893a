/**
 * Who a request runs as: the one caller type every layer shares (the HTTP
 * pipeline sets it, the handlers pass it on, the database acts as it).
 *
 * @module
 */
import type { JWTPayload } from "jose";

/** A verified token's payload (Supabase access-token claims). */
export interface VerifiedClaims extends JWTPayload {
  role?: string;
  email?: string;
  phone?: string;
  session_id?: string;
  is_anonymous?: boolean;
  aal?: string;
  /** The lab role the Custom Access Token hook added (`admin`), or null. */
  user_role?: string | null;
}

/** The verified caller of one request, built once by `requireUser`. */
export interface Caller {
  /** `auth.users.id` (the token's `sub`). */
  userId: string;
  /** The full verified payload; the db layer puts it in `request.jwt.claims`. */
  claims: VerifiedClaims;
  /** The request's correlation id (`app.correlation_id` in SQL). */
  correlationId: string;
}

/** What the database needs of a caller to act as them. */
export type DbCaller = Pick<Caller, "claims" | "correlationId">;
