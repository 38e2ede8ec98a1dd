import { LIMITS } from '@chat/shared';

/**
 * Characters removed from display names: C0/C1 controls (NUL included), and Unicode format characters (Cf:
 * bidi embeddings and overrides such as U+202E RIGHT-TO-LEFT OVERRIDE, isolates U+2066..2069, zero-width
 * characters, the BOM). RTL overrides are how "invoice‮fdp.exe" poses as "invoiceexe.pdf" (CVE-style trick,
 * Unicode TR36 section 2.2). Idea: OWASP File Upload Cheat Sheet ("sanitise the file name").
 */
const INVISIBLE = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/gu;
/** Characters reserved in Windows file names, plus path separators: replaced so a download saves cleanly. */
const RESERVED = /[<>:"/\\|?*]/g;

/**
 * The uploader's file name made safe to show and to offer as a download name. It is only ever displayed, never
 * used to build a path (storage keys are generated). Steps: keep the last path segment (`../../x` -> `x`), NFC,
 * drop invisible characters, replace reserved ones with `_`, collapse whitespace, trim dots and spaces at the
 * ends (`..` becomes empty), cut to LIMITS.FILE_NAME_MAX characters keeping the extension.
 * @param fallback used when nothing is left (e.g. `file.pdf`)
 */
export function sanitizeFileName(raw: string | undefined, fallback: string): string {
  let name = (raw ?? '').split(/[/\\]/).pop() ?? '';
  name = name.normalize('NFC').replace(INVISIBLE, '').replace(RESERVED, '_');
  name = name.replace(/\s+/g, ' ').replace(/^[\s.]+|[\s.]+$/g, '');
  if (name === '') return fallback;
  const chars = [...name];
  if (chars.length <= LIMITS.FILE_NAME_MAX) return name;
  const dot = name.lastIndexOf('.');
  const ext = dot > 0 ? [...name.slice(dot)] : [];
  const keep = ext.length > 0 && ext.length <= 16 ? ext : [];
  return chars.slice(0, LIMITS.FILE_NAME_MAX - keep.length).join('') + keep.join('');
}

/** Lower-case extension without the dot ('' when none). */
export function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * A Content-Disposition value (RFC 6266): an ASCII-only `filename` fallback for old clients plus the exact
 * name as `filename*=UTF-8''...` (RFC 8187 percent-encoding).
 */
export function contentDisposition(type: 'inline' | 'attachment', name: string): string {
  const ascii = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `${type}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
