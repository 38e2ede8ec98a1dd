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
  /** People mentioned by one message (distinct user ids). */
  MENTIONS_PER_MESSAGE: 50,
  /** Message search: results per page, and the query's length in characters. */
  SEARCH_PAGE_DEFAULT: 20,
  SEARCH_PAGE_MAX: 50,
  SEARCH_QUERY_MAX: 200,
  /** Messages on each side of the one a history window is centred on (GET .../messages/around). */
  HISTORY_AROUND_DEFAULT: 25,
  HISTORY_AROUND_MAX: 50,
  /** Client message ids are UUIDs (36 characters). */
  CLIENT_MESSAGE_ID_MAX: 36,
  /** Largest Socket.IO frame the server accepts, in bytes (Socket.IO's `maxHttpBufferSize`). */
  SOCKET_MAX_PAYLOAD_BYTES: 64 * 1024,
  /** Largest JSON REST body, in bytes. */
  REST_MAX_BODY_BYTES: 64 * 1024,
  /** Group name, in characters after trimming. */
  GROUP_TITLE_MIN: 1,
  GROUP_TITLE_MAX: 100,
  /** Members of a group, the creator included (so 1..255 others at creation). */
  GROUP_MEMBERS_MAX: 256,
  /** Groups in common listed on a person's profile (the most recently active ones). */
  GROUPS_IN_COMMON_MAX: 50,
  /** Default per-file upload limit in bytes (the API's UPLOAD_MAX_FILE_BYTES may set another; it is the authority). */
  ATTACHMENT_MAX_BYTES_DEFAULT: 25 * 1024 * 1024,
  /** Attachments in one message. */
  ATTACHMENTS_PER_MESSAGE: 10,
  /** Images above this many pixels are refused before decoding (decompression bombs): 40 megapixels. */
  IMAGE_MAX_PIXELS: 40_000_000,
  /** Longest edge of image thumbnails, in pixels. */
  THUMBNAIL_SIZE: 320,
  /** Avatar edge, in pixels (square), and the small size for lists. */
  AVATAR_SIZE: 256,
  AVATAR_SMALL_SIZE: 64,
  /** Displayed file names, in characters. */
  FILE_NAME_MAX: 255,
  /**
   * Typing: a client sends `typing:update` at most once per TYPING_THROTTLE_MS while typing; a typing state that
   * is not renewed expires after TYPING_TTL_MS on both sides.
   */
  TYPING_THROTTLE_MS: 2_500,
  TYPING_TTL_MS: 6_000,
  /** A report's reason, in characters after trimming. */
  REPORT_REASON_MIN: 1,
  REPORT_REASON_MAX: 1000,
  /** An invite link: how many registrations it allows, and how long it may live (hours). */
  INVITE_MAX_USES_MAX: 1000,
  INVITE_TTL_HOURS_MAX: 30 * 24,
  /** Admin lists (accounts, reports, invites) page sizes. */
  ADMIN_PAGE_DEFAULT: 50,
  ADMIN_PAGE_MAX: 100,
  /** Distinct emoji on one message (a person may react with several; each emoji counts once). */
  REACTIONS_PER_MESSAGE_MAX: 20,
  /**
   * A reaction is one emoji grapheme; this bounds its length in UTF-16 code units (the longest RGI emoji ZWJ and
   * tag sequences are 14..15 code units, so 32 leaves room without letting text through).
   */
  REACTION_EMOJI_MAX_LENGTH: 32,
  /** Quote of a replied-to message (ReplyQuote.snippet), in characters before the ellipsis. */
  REPLY_SNIPPET_MAX: 120,
  /** Changes feed pages (changed messages per request). */
  CHANGES_PAGE_DEFAULT: 100,
  CHANGES_PAGE_MAX: 200,
} as const;

/** Allowed username shape; lower-case is not required, uniqueness ignores case. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]+$/;
