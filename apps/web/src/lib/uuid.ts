/**
 * A random RFC 4122 version 4 UUID for client message ids.
 * `crypto.randomUUID` exists only in secure contexts (https, localhost, 127.0.0.1); opening the app over
 * plain http on a LAN address lacks it, so fall back to `crypto.getRandomValues` (available everywhere),
 * setting the version and variant bits as RFC 4122 section 4.4 describes.
 */
export function newUuid(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6]! & 0x0f) | 0x40;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
