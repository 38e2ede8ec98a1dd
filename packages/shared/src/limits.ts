/**
 * Limits both sides enforce. The API validates against them (and is the authority); the web app uses them to
 * disable a button or show a counter before a request is made.
 */
export const LIMITS = {
  /** Message body, in UTF-16 code units (JavaScript string length) after trimming. */
  MESSAGE_BODY_MIN: 1,
  MESSAGE_BODY_MAX: 4000,
  /** Username: 3..32 of [a-z0-9_.-], unique case-insensitively. */
  USERNAME_MIN: 3,
  USERNAME_MAX: 32,
  /** Display name, in characters after trimming. */
  DISPLAY_NAME_MIN: 1,
  DISPLAY_NAME_MAX: 64,
  /**
   * Password, in UTF-8 bytes. 72 is bcrypt's input limit: longer passwords are refused rather than silently
   * truncated (source: the bcrypt paper, Provos & Mazieres 1999; node.bcrypt.js README "Security Issues").
   */
  PASSWORD_MIN_BYTES: 8,
  PASSWORD_MAX_BYTES: 72,
  /** History pages (messages per request). */
  HISTORY_PAGE_DEFAULT: 50,
  HISTORY_PAGE_MAX: 100,
  /** Conversation list pages. */
  CONVERSATION_PAGE_DEFAULT: 30,
  CONVERSATION_PAGE_MAX: 100,
  /** Directory search pages. */
  USER_SEARCH_PAGE_DEFAULT: 20,
  USER_SEARCH_PAGE_MAX: 50,
  /** Directory search query length, in characters. */
  USER_SEARCH_QUERY_MAX: 64,
  /** Client message ids are UUIDs (36 characters). */
  CLIENT_MESSAGE_ID_MAX: 36,
  /** Largest Socket.IO frame the server accepts, in bytes (Socket.IO's `maxHttpBufferSize`). */
  SOCKET_MAX_PAYLOAD_BYTES: 64 * 1024,
  /** Largest JSON REST body, in bytes. */
  REST_MAX_BODY_BYTES: 64 * 1024,
} as const;

/** Allowed username shape; lower-case is not required, uniqueness ignores case. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
