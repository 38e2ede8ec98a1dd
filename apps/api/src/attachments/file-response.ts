import { pipeline } from 'node:stream/promises';
import type { Request, Response } from 'express';
import { contentDisposition } from './file-names.js';
import type { OpenedFile } from './file-storage.js';

/** What `sendFile` needs to answer a file GET. */
export interface FileAnswer {
  file: OpenedFile;
  mimeType: string;
  name: string;
  inline: boolean;
  etag: string;
}

/**
 * Streams a stored file with the headers every file response carries:
 * - `Content-Disposition`: inline only for images we re-encoded; `attachment` with the sanitised name otherwise;
 * - `X-Content-Type-Options: nosniff` and `Content-Security-Policy: default-src 'none'; sandbox`, so even a file
 *   opened directly cannot run script or load anything (OWASP File Upload Cheat Sheet);
 * - `Cross-Origin-Resource-Policy: cross-origin`: the web app may be on another port or host than the API, and a
 *   browser judges two ports of one IP address (127.0.0.1, a LAN or server address) not same-site, so `same-site`
 *   blanks every image there. Loosening CORP exposes nothing: an `<img>` on another site gets no credentials (the
 *   media cookie is SameSite=Lax and no page can add an Authorization header to it), so it gets 401;
 * - `Cache-Control: private, max-age=31536000, immutable` and a strong ETag: content behind a URL never
 *   changes; `If-None-Match` gets 304 without a body.
 */
export async function sendFile(req: Request, res: Response, answer: FileAnswer): Promise<void> {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Content-Security-Policy', "default-src 'none'; sandbox");
  res.setHeader('Cross-Origin-Resource-Policy', 'cross-origin');
  res.setHeader('Cache-Control', 'private, max-age=31536000, immutable');
  res.setHeader('ETag', answer.etag);
  const ifNoneMatch = req.headers['if-none-match'];
  if (typeof ifNoneMatch === 'string' && ifNoneMatch.split(/\s*,\s*/).includes(answer.etag)) {
    answer.file.stream.destroy();
    res.status(304).end();
    return;
  }
  res.setHeader('Content-Type', answer.mimeType);
  res.setHeader('Content-Length', String(answer.file.size));
  res.setHeader(
    'Content-Disposition',
    contentDisposition(answer.inline ? 'inline' : 'attachment', answer.name),
  );
  res.status(200);
  try {
    await pipeline(answer.file.stream, res);
  } catch {
    // The client went away mid-download; nothing to answer any more.
  }
}
