import { Injectable, Logger } from '@nestjs/common';
import { type Attachment, ErrorCode } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { isId } from '../common/ids.js';
import { AppConfig } from '../config/app-config.js';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { AttachmentsRepository } from '../storage/attachments.repository.js';
import { MessagesRepository } from '../storage/messages.repository.js';
import type { AttachmentRecord } from '../storage/storage.types.js';
import { toAttachment } from './attachment.mapper.js';
import { FileStorage, type OpenedFile } from './file-storage.js';
import { extensionOf, sanitizeFileName } from './file-names.js';
import { classifyUpload } from './file-types.js';
import { makeThumbnail, reencodeImage } from './image-processing.js';
import { LocalFileStorage, unlinkQuietly } from './local-file-storage.js';
import type { UploadedFile } from './uploaded-file.js';

/** The rolling window of the daily quota, in milliseconds. */
const QUOTA_WINDOW_MS = 24 * 60 * 60 * 1000;
/** Records removed per cleanup batch (bounded work per query). */
const CLEANUP_BATCH = 100;

/** A file to stream back, with what the response headers need. */
export interface Download {
  file: OpenedFile;
  mimeType: string;
  /** Display name (sanitised) for Content-Disposition. */
  name: string;
  /** Served inline (re-encoded raster images and thumbnails) or as a download (everything else). */
  inline: boolean;
  /** Strong validator: content behind an id never changes. */
  etag: string;
}

/**
 * Attachments: upload to a conversation (unsent until a message claims it), delete while unsent, authorised
 * download, and removal of attachments never sent. The bytes go to FileStorage, the metadata to
 * AttachmentsRepository. Claiming by a message happens in MessagesRepository.append (see MessagesService.send).
 */
@Injectable()
export class AttachmentsService {
  private readonly logger = new Logger(AttachmentsService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly access: ConversationAccess,
    private readonly attachments: AttachmentsRepository,
    private readonly messages: MessagesRepository,
    private readonly storage: FileStorage,
  ) {}

  /**
   * Checks made before the upload's bytes are read (UploadPreconditionsGuard): the caller is an active member,
   * and has quota left.
   * @throws AppError CONVERSATION_NOT_FOUND (404), MEMBERSHIP_ENDED (403), UPLOAD_QUOTA_EXCEEDED (429)
   */
  async checkCanUpload(conversationId: string, userId: string, now = new Date()): Promise<void> {
    await this.access.requireWrite(conversationId, userId);
    const used = await this.usedQuota(userId, now);
    if (used >= this.config.uploadDailyQuotaBytes) throw quotaExceeded();
  }

  /**
   * Stores an uploaded file as an unsent attachment of the conversation. The type comes from the bytes; images
   * are re-encoded (metadata stripped) and get a WebP thumbnail. The scratch file is always removed; on any
   * failure nothing is stored (files written so far are deleted, no record is made).
   * @param file the scratch file from ScratchFileEngine, or undefined when the request carried none
   * @throws AppError VALIDATION_FAILED (no file), EMPTY_FILE (400), UNSUPPORTED_MEDIA_TYPE (415: type not
   *   allowed, or declared image type does not match), IMAGE_TOO_LARGE (413), UPLOAD_QUOTA_EXCEEDED (429),
   *   and the membership errors of checkCanUpload
   */
  async upload(
    userId: string,
    conversationId: string,
    file: UploadedFile | undefined,
    now = new Date(),
  ): Promise<Attachment> {
    if (!file) throw noFile();
    const scratch = [file.path];
    const stored: string[] = [];
    try {
      await this.checkCanUpload(conversationId, userId, now);
      if (file.size === 0) throw new AppError(ErrorCode.EMPTY_FILE, 'The file is empty.');
      let name = sanitizeFileName(file.originalName, '');
      const classified = await classifyUpload(file.path, file.declaredMime, name);
      if (!classified.ok) throw unsupported(classified.reason);
      const type = classified.type;
      if (name === '') name = `file.${type.ext}`;

      let mimeType = type.mimeType;
      let width: number | null = null;
      let height: number | null = null;
      let thumbnailKey: string | null = null;
      const storageKey = this.storage.newKey();
      let size: number;
      if (type.kind === 'image') {
        const output = this.scratchPath();
        scratch.push(output);
        const image = await reencodeImage(file.path, type.mimeType, output);
        ({ mimeType, width, height } = image);
        if (mimeType !== type.mimeType) name = withExtension(name, 'webp');
        const thumb = await makeThumbnail(output);
        size = (await this.storage.putFile(storageKey, output)).size;
        stored.push(storageKey);
        thumbnailKey = `${storageKey}-thumb`;
        await this.storage.put(thumbnailKey, thumb.data);
        stored.push(thumbnailKey);
      } else {
        size = (await this.storage.putFile(storageKey, file.path)).size;
        stored.push(storageKey);
      }
      // The pre-check saw the quota before this file; refuse the one that would pass it.
      if ((await this.usedQuota(userId, now)) + size > this.config.uploadDailyQuotaBytes) {
        throw quotaExceeded();
      }
      const record = await this.attachments.create({
        conversationId,
        uploaderId: userId,
        kind: type.kind,
        name,
        mimeType,
        size,
        width,
        height,
        storageKey,
        thumbnailKey,
      });
      stored.length = 0;
      return toAttachment(record);
    } finally {
      await Promise.all([
        ...scratch.map((p) => unlinkQuietly(p).catch(() => undefined)),
        ...stored.map((k) => this.storage.delete(k).catch(() => undefined)),
      ]);
    }
  }

  /**
   * Deletes an unsent attachment of the caller (a cancelled or removed upload) and its files.
   * @throws AppError ATTACHMENT_NOT_FOUND (404) when there is no unsent attachment of theirs with this id
   */
  async deleteUnsent(id: string, userId: string): Promise<void> {
    const deleted = isId(id) ? await this.attachments.deleteUnsent(id, userId) : null;
    if (!deleted) throw notFound();
    await this.removeFiles(deleted);
  }

  /**
   * The file (or its thumbnail) if the caller may see it: an unsent attachment only by its uploader; a sent one by
   * active members of its conversation, and by former members when the message is within their history.
   * @throws AppError ATTACHMENT_NOT_FOUND (404) for anything else (one answer: ids reveal nothing)
   */
  async download(id: string, userId: string, variant: 'content' | 'thumbnail'): Promise<Download> {
    const record = isId(id) ? await this.attachments.findById(id) : null;
    if (!record || !(await this.maySee(record, userId))) throw notFound();
    const key = variant === 'content' ? record.storageKey : record.thumbnailKey;
    const file = key ? await this.storage.open(key) : null;
    if (!file) throw notFound();
    if (variant === 'thumbnail') {
      return {
        file,
        mimeType: 'image/webp',
        name: withExtension(record.name, 'webp'),
        inline: true,
        etag: `"t-${record.id}"`,
      };
    }
    return {
      file,
      mimeType: record.mimeType.startsWith('text/')
        ? `${record.mimeType}; charset=utf-8`
        : record.mimeType,
      name: record.name,
      // Only images we re-encoded ourselves are shown inline; everything else is a download.
      inline: record.kind === 'image',
      etag: `"a-${record.id}"`,
    };
  }

  /**
   * Removes attachments still unsent ATTACHMENT_UNSENT_TTL_MINUTES after upload: records first (so nothing can
   * claim them any more), then their files. Also removes scratch files older than the same period that a crash
   * may have left. Called periodically by AttachmentsCleanup; tests call it with a clock in the future.
   * @returns how many attachments were removed
   */
  async cleanupUnsent(now = new Date()): Promise<number> {
    const cutoff = new Date(now.getTime() - this.config.attachmentUnsentTtlMinutes * 60_000);
    let removed = 0;
    for (;;) {
      const batch = await this.attachments.deleteUnsentOlderThan(cutoff, CLEANUP_BATCH);
      for (const record of batch) await this.removeFiles(record);
      removed += batch.length;
      if (batch.length < CLEANUP_BATCH) break;
    }
    if (this.storage instanceof LocalFileStorage) await this.storage.sweepScratch(cutoff);
    if (removed > 0) this.logger.log(`removed ${removed} unsent attachment(s)`);
    return removed;
  }

  private async maySee(record: AttachmentRecord, userId: string): Promise<boolean> {
    if (record.messageId === null) return record.uploaderId === userId;
    let untilSeq: number | undefined;
    try {
      ({ untilSeq } = await this.access.requireRead(record.conversationId, userId));
    } catch (error) {
      if (error instanceof AppError) return false;
      throw error;
    }
    if (untilSeq === undefined) return true;
    const message = await this.messages.findById(record.messageId);
    return message !== null && message.seq <= untilSeq;
  }

  private async usedQuota(userId: string, now: Date): Promise<number> {
    return this.attachments.sumBytesSince(userId, new Date(now.getTime() - QUOTA_WINDOW_MS));
  }

  private scratchPath(): string {
    if (this.storage instanceof LocalFileStorage) return this.storage.scratchPath();
    throw new Error('image processing needs a local scratch folder');
  }

  private async removeFiles(record: AttachmentRecord): Promise<void> {
    await this.storage.delete(record.storageKey);
    if (record.thumbnailKey) await this.storage.delete(record.thumbnailKey);
  }
}

function withExtension(name: string, ext: string): string {
  const current = extensionOf(name);
  return current === '' ? `${name}.${ext}` : `${name.slice(0, -current.length)}${ext}`;
}

function noFile(): AppError {
  return new AppError(ErrorCode.VALIDATION_FAILED, 'Send one file in the form field "file".', {
    file: ['is required'],
  });
}

function notFound(): AppError {
  return new AppError(ErrorCode.ATTACHMENT_NOT_FOUND, 'Attachment not found.');
}

/**
 * The quota is a rolling window, so room comes back as earlier uploads age out of it; the wait given
 * (`Retry-After`) is the window's length, the upper bound, since finding the exact moment would cost another query
 * on an already refused request.
 */
function quotaExceeded(): AppError {
  return new AppError(
    ErrorCode.UPLOAD_QUOTA_EXCEEDED,
    'Daily upload quota used up; try again tomorrow.',
    undefined,
    { retryAfterMs: QUOTA_WINDOW_MS },
  );
}

function unsupported(reason: 'not_allowed' | 'declared_mismatch'): AppError {
  return new AppError(
    ErrorCode.UNSUPPORTED_MEDIA_TYPE,
    reason === 'declared_mismatch'
      ? 'The file is not the image it claims to be.'
      : 'This type of file is not allowed.',
  );
}
