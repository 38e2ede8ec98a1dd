import type { Request } from 'express';

/** Who is calling, as established from a verified access token (REST `req.user`, socket `socket.data`). */
export interface AuthUser {
  userId: string;
  sessionId: string;
}

/** An Express request after the JWT guard ran. */
export type AuthenticatedRequest = Request & { user: AuthUser };
