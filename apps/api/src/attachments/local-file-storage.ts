import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open as openFile, readdir, rename, stat, unlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Readable } from 'node:stream';
import {
  FileStorage,
  type OpenedFile,
  STORAGE_KEY_PATTERN,
  type StoredFile,
} from './file-storage.js';

/**
 * FileStorage on the local disk under one root folder (UPLOAD_DIR; a named volume in docker-compose):
 *
 * - `objects/<aa>/<bb>/<key>`: stored files, sharded by the first bytes of sha256(key) so no folder grows past a
 *   few thousand entries (65,536 leaf folders);
 * - `tmp/`: scratch files, on the same file system so that the final `rename` is atomic (POSIX rename(2)).
 *
 * Keys are checked against STORAGE_KEY_PATTERN before any path is built, so even a bug elsewhere cannot turn a
 * key into `../`.
 */
export class LocalFileStorage extends FileStorage {
  readonly root: string;
  readonly objectsDir: string;
  readonly tmpDir: string;

  /** @param root the upload folder; relative paths resolve against the process's cwd */
  constructor(root: string) {
    super();
    this.root = resolve(root);
    this.objectsDir = join(this.root, 'objects');
    this.tmpDir = join(this.root, 'tmp');
  }

  /** Creates the folders; call once at start. */
  async init(): Promise<void> {
    await mkdir(this.objectsDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  newKey(): string {
    return randomBytes(16).toString('hex');
  }

  /** A fresh scratch path under `tmp/` (nothing is created). */
  scratchPath(): string {
    return join(this.tmpDir, `${randomBytes(16).toString('hex')}.part`);
  }

  async put(key: string, source: Buffer | Readable): Promise<StoredFile> {
    const target = this.pathOf(key);
    const scratch = this.scratchPath();
    try {
      const handle = await openFile(scratch, 'wx');
      try {
        if (Buffer.isBuffer(source)) await handle.writeFile(source);
        else for await (const chunk of source) await handle.write(chunk as Buffer);
        // Durable before it becomes visible: a crash after rename must not leave a truncated file.
        await handle.sync();
      } finally {
        await handle.close();
      }
      return await this.moveIn(scratch, target, key);
    } catch (error) {
      await unlinkQuietly(scratch);
      throw error;
    }
  }

  async putFile(key: string, localPath: string): Promise<StoredFile> {
    const target = this.pathOf(key);
    return this.moveIn(localPath, target, key);
  }

  async open(key: string): Promise<OpenedFile | null> {
    if (!STORAGE_KEY_PATTERN.test(key)) return null;
    const path = this.pathOf(key);
    try {
      const info = await stat(path);
      if (!info.isFile()) return null;
      return { stream: createReadStream(path), size: info.size };
    } catch (error) {
      if (isNotFound(error)) return null;
      throw error;
    }
  }

  /**
   * Removes scratch files last modified before `cutoff` (left by a crash mid-upload; live uploads touch theirs
   * continuously). @returns how many were removed
   */
  async sweepScratch(cutoff: Date): Promise<number> {
    let removed = 0;
    let names: string[];
    try {
      names = await readdir(this.tmpDir);
    } catch (error) {
      if (isNotFound(error)) return 0;
      throw error;
    }
    for (const name of names) {
      const path = join(this.tmpDir, name);
      try {
        if ((await stat(path)).mtime < cutoff) {
          await unlinkQuietly(path);
          removed += 1;
        }
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return removed;
  }

  async delete(key: string): Promise<void> {
    if (!STORAGE_KEY_PATTERN.test(key)) return;
    await unlinkQuietly(this.pathOf(key));
  }

  private async moveIn(from: string, to: string, key: string): Promise<StoredFile> {
    await mkdir(join(to, '..'), { recursive: true });
    await rename(from, to);
    const info = await stat(to);
    return { key, size: info.size };
  }

  private pathOf(key: string): string {
    if (!STORAGE_KEY_PATTERN.test(key)) throw new Error('malformed storage key');
    const shard = createHash('sha256').update(key).digest('hex');
    return join(this.objectsDir, shard.slice(0, 2), shard.slice(2, 4), key);
  }
}

/** Removes a file, ignoring "not found". */
export async function unlinkQuietly(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}

function isNotFound(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | null)?.code === 'ENOENT';
}
