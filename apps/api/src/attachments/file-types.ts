import { createReadStream } from 'node:fs';
import { fileTypeFromFile } from 'file-type';
import type { AttachmentKind } from '@chat/shared';
import { extensionOf } from './file-names.js';

/** How an accepted upload is treated. */
export interface AcceptedType {
  kind: AttachmentKind;
  /** Type from the bytes (for images: of the input; re-encoding may change it, see image-processing.ts). */
  mimeType: string;
  /** Canonical extension for fallback names. */
  ext: string;
}

/**
 * Raster images we decode and re-encode with sharp. HEIC is left out: the prebuilt libvips of sharp decodes
 * AVIF but not HEVC-coded HEIF, so HEIC photos would fail anyway. SVG is never an image here (it is XML that can
 * carry scripts) and is refused like HTML.
 */
export const IMAGE_TYPES: ReadonlyMap<string, string> = new Map([
  ['image/jpeg', 'jpg'],
  ['image/png', 'png'],
  ['image/webp', 'webp'],
  ['image/gif', 'gif'],
  ['image/avif', 'avif'],
]);

/**
 * Files kept as they are (download only, `Content-Disposition: attachment`), recognised by their magic numbers.
 * OOXML (docx/xlsx/pptx) and OpenDocument are ZIP containers that file-type tells apart by their manifest.
 */
export const FILE_TYPES: ReadonlySet<string> = new Set([
  'application/pdf',
  'application/zip',
  'application/gzip',
  'application/x-7z-compressed',
  'application/x-tar',
  'application/rtf',
  'application/epub+zip',
  'application/x-cfb', // legacy .doc/.xls/.ppt (OLE compound file)
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  'application/vnd.oasis.opendocument.text',
  'application/vnd.oasis.opendocument.spreadsheet',
  'application/vnd.oasis.opendocument.presentation',
  'audio/mpeg',
  'audio/ogg',
  'audio/wav',
  'audio/x-wav',
  'audio/mp4',
  'audio/x-m4a',
  'video/mp4',
  'video/webm',
  'video/quicktime',
]);

/**
 * Plain text has no magic number. It is accepted only when the name says so (one of these extensions) AND the
 * bytes are valid UTF-8 without NUL; it is then served as `text/plain; charset=utf-8`, always as a download.
 * HTML, SVG, XML and scripts are text too, and are refused: they are what makes a download dangerous inline.
 */
export const TEXT_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ['txt', 'text/plain'],
  ['md', 'text/markdown'],
  ['csv', 'text/csv'],
  ['log', 'text/plain'],
]);

/** Image extensions a name may claim; used to spot a declared image whose bytes are something else. */
const CLAIMED_IMAGE_EXTENSIONS: ReadonlyMap<string, string> = new Map([
  ['jpg', 'image/jpeg'],
  ['jpeg', 'image/jpeg'],
  ['jpe', 'image/jpeg'],
  ['jfif', 'image/jpeg'],
  ['png', 'image/png'],
  ['apng', 'image/png'],
  ['webp', 'image/webp'],
  ['gif', 'image/gif'],
  ['avif', 'image/avif'],
  ['heic', 'image/heic'],
  ['heif', 'image/heif'],
  ['bmp', 'image/bmp'],
  ['tif', 'image/tiff'],
  ['tiff', 'image/tiff'],
  ['svg', 'image/svg+xml'],
  ['ico', 'image/x-icon'],
]);

/** Outcome of `classifyUpload`. */
export type Classification =
  { ok: true; type: AcceptedType } | { ok: false; reason: 'not_allowed' | 'declared_mismatch' };

/**
 * Decides what an upload is from its bytes (file-type's magic numbers; the text rule above when there are none)
 * and refuses a declared image whose content differs: a name ending `.png` or a `Content-Type: image/png` part
 * must hold PNG bytes (image/jpg counts as image/jpeg). Neither the name nor the header ever picks the type.
 * @param path scratch file with the upload
 * @param declaredMime the part's Content-Type as the client sent it
 * @param name the sanitised display name
 */
export async function classifyUpload(
  path: string,
  declaredMime: string,
  name: string,
): Promise<Classification> {
  const sniffed = await fileTypeFromFile(path);
  const claimed = declaredImageTypes(declaredMime, name);
  if (sniffed) {
    const imageExt = IMAGE_TYPES.get(sniffed.mime);
    if (
      claimed.size > 0 &&
      (imageExt === undefined || [...claimed].some((c) => c !== sniffed.mime))
    ) {
      return { ok: false, reason: 'declared_mismatch' };
    }
    if (imageExt !== undefined)
      return { ok: true, type: { kind: 'image', mimeType: sniffed.mime, ext: imageExt } };
    if (FILE_TYPES.has(sniffed.mime)) {
      return { ok: true, type: { kind: 'file', mimeType: sniffed.mime, ext: sniffed.ext } };
    }
    return { ok: false, reason: 'not_allowed' };
  }
  if (claimed.size > 0) return { ok: false, reason: 'declared_mismatch' };
  const ext = extensionOf(name);
  const textMime = TEXT_EXTENSIONS.get(ext);
  if (textMime !== undefined && (await isUtf8TextFile(path))) {
    return { ok: true, type: { kind: 'file', mimeType: textMime, ext } };
  }
  return { ok: false, reason: 'not_allowed' };
}

/** Image types the client claimed through the part's Content-Type and/or the name's extension. */
function declaredImageTypes(declaredMime: string, name: string): Set<string> {
  const claimed = new Set<string>();
  const mime = declaredMime.split(';')[0]?.trim().toLowerCase() ?? '';
  if (mime.startsWith('image/'))
    claimed.add(mime === 'image/jpg' || mime === 'image/pjpeg' ? 'image/jpeg' : mime);
  const fromExt = CLAIMED_IMAGE_EXTENSIONS.get(extensionOf(name));
  if (fromExt) claimed.add(fromExt);
  return claimed;
}

/** True when the whole file is valid UTF-8 without NUL bytes (streamed; a fatal TextDecoder in stream mode). */
export async function isUtf8TextFile(path: string): Promise<boolean> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  try {
    for await (const chunk of createReadStream(path)) {
      const bytes = chunk as Buffer;
      if (bytes.includes(0)) return false;
      decoder.decode(bytes, { stream: true });
    }
    decoder.decode();
    return true;
  } catch {
    return false;
  }
}
