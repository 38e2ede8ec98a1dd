import type { AttachmentKind } from '@chat/shared';
import type { AttachmentRecord } from './storage.types.js';

export interface CreateAttachmentInput {
  conversationId: string;
  uploaderId: string;
  kind: AttachmentKind;
  name: string;
  mimeType: string;
  size: number;
  width: number | null;
  height: number | null;
  storageKey: string;
  thumbnailKey: string | null;
}

/**
 * Port for attachment records (the bytes live in FileStorage). An attachment is uploaded to a conversation, unsent
 * (messageId null) until a message claims it (MessagesRepository.append), and removed after a grace period if it
 * is never sent.
 */
export abstract class AttachmentsRepository {
  abstract create(input: CreateAttachmentInput): Promise<AttachmentRecord>;
  abstract findById(id: string): Promise<AttachmentRecord | null>;
  /**
   * Deletes an unsent attachment of this uploader. @returns the deleted record (so its files can be removed), or
   * null when there is no such unsent attachment of theirs.
   */
  abstract deleteUnsent(id: string, uploaderId: string): Promise<AttachmentRecord | null>;
  /**
   * Deletes up to `limit` attachments that are still unsent and were created before `cutoff`.
   * @returns the deleted records, so their files can be removed
   */
  abstract deleteUnsentOlderThan(cutoff: Date, limit: number): Promise<AttachmentRecord[]>;
  /** Total bytes (stored sizes, sent or not) the user uploaded at or after `since`, for the daily quota. */
  abstract sumBytesSince(uploaderId: string, since: Date): Promise<number>;
}
