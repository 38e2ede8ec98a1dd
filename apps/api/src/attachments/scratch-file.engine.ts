import { createWriteStream } from 'node:fs';
import { pipeline } from 'node:stream/promises';
import type { Request } from 'express';
import type { StorageEngine } from 'multer';
import { ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { answerNow } from '../common/all-exceptions.filter.js';
import { type LocalFileStorage, unlinkQuietly } from './local-file-storage.js';

/** What the engine adds to multer's file object (`req.file`). */
export interface ScratchFileInfo {
  /** Scratch file path under UPLOAD_DIR/tmp (generated; the client's name plays no part). */
  path: string;
  /** Bytes received. */
  size: number;
}

/**
 * A multer storage engine that streams the upload into a scratch file (never holding it in memory), so the type
 * can be sniffed from the bytes and images re-encoded before anything is stored for good. On any failure
 * (client abort, size limit, disk error) the scratch file is removed before multer hears of it, so a failed
 * upload leaves nothing behind. The route handler removes the scratch file when it is done with it.
 *
 * Multer's `limits.fileSize` makes busboy stop the stream at the limit and flag it `truncated`; this engine then
 * reports FILE_TOO_LARGE itself rather than keeping a cut-off file, answering it at once and closing the
 * connection (multer itself would read the rest of the body before reporting the error).
 */
export class ScratchFileEngine implements StorageEngine {
  constructor(private readonly storage: LocalFileStorage) {}

  _handleFile(
    req: Request,
    file: Express.Multer.File,
    callback: (error?: unknown, info?: Partial<Express.Multer.File>) => void,
  ): void {
    const path = this.storage.scratchPath();
    let size = 0;
    file.stream.on('data', (chunk: Buffer) => {
      size += chunk.length;
    });
    // busboy discards the rest of an oversized file but ends the part only at its closing boundary, after the
    // whole body: answer now and close the connection, so the client stops sending and nothing more is read. The
    // stream then fails (the body ends early) and the failure path below removes the scratch file.
    file.stream.once('limit', () => {
      if (req.res)
        answerNow(req.res, new AppError(ErrorCode.FILE_TOO_LARGE, 'The file is too large.'));
    });
    pipeline(file.stream, createWriteStream(path, { flags: 'wx' })).then(
      async () => {
        if ((file.stream as { truncated?: boolean }).truncated) {
          await unlinkQuietly(path);
          callback(new AppError(ErrorCode.FILE_TOO_LARGE, 'The file is too large.'));
          return;
        }
        const info: ScratchFileInfo = { path, size };
        callback(null, info);
      },
      async (error: unknown) => {
        await unlinkQuietly(path).catch(() => undefined);
        callback(error);
      },
    );
  }

  _removeFile(
    _req: Request,
    file: Express.Multer.File,
    callback: (error: Error | null) => void,
  ): void {
    unlinkQuietly(file.path).then(
      () => callback(null),
      (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
    );
  }
}
