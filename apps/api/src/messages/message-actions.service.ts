import { Injectable, Logger } from '@nestjs/common';
import {
  type DeletedBy,
  ErrorCode,
  LIMITS,
  type Message,
  type MessageChangesPage,
} from '@chat/shared';
import { FileStorage } from '../attachments/file-storage.js';
import { AppError } from '../common/app-error.js';
import { AppConfig } from '../config/app-config.js';
import { toMessage } from '../conversations/conversation.mapper.js';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { DomainEvents } from '../events/domain-events.js';
import { AttachmentsRepository } from '../storage/attachments.repository.js';
import {
  type MessageChangeResult,
  MessagesRepository,
  type MessageTarget,
} from '../storage/messages.repository.js';
import type { AttachmentRecord, MessageRecord } from '../storage/storage.types.js';
import { MessagesService } from './messages.service.js';

/**
 * Edit, delete, react, forward, and the changes feed. Every action asks ConversationAccess first (active member;
 * reading for the source of a forward), then applies its rules to the message as stored, then lets the repository
 * make the change atomically and conditionally (so a deletion racing an edit never resurrects a body). A change that
 * changed something is published as `message.changed` (fan-out: `message:updated`); a retry that changes nothing
 * answers the message as it is and publishes nothing. Rules and codes: docs/protocol.md, "Message actions".
 */
@Injectable()
export class MessageActionsService {
  private readonly logger = new Logger(MessageActionsService.name);

  constructor(
    private readonly access: ConversationAccess,
    private readonly messages: MessagesRepository,
    private readonly attachments: AttachmentsRepository,
    private readonly files: FileStorage,
    private readonly events: DomainEvents,
    private readonly config: AppConfig,
    private readonly sending: MessagesService,
  ) {}

  /**
   * Replaces the body of the caller's own text message (trimmed; 1..LIMITS.MESSAGE_BODY_MAX, 0 allowed when it has
   * attachments), within MESSAGE_EDIT_WINDOW_MINUTES of sending when that is set. The same body again changes
   * nothing (idempotent), even after the window closed.
   * @returns the message as it is now
   * @throws AppError CONVERSATION_NOT_FOUND / MEMBERSHIP_ENDED (access), MESSAGE_NOT_FOUND,
   *   MESSAGE_NOT_MODIFIABLE (system), NOT_MESSAGE_AUTHOR, MESSAGE_DELETED, VALIDATION_FAILED, EDIT_WINDOW_CLOSED
   */
  async edit(callerId: string, ref: MessageTarget, rawBody: string): Promise<Message> {
    await this.access.requireWrite(ref.conversationId, callerId);
    const message = await this.findTarget(ref);
    if (message.kind !== 'text') throw notModifiable();
    if (message.senderId !== callerId) {
      throw new AppError(ErrorCode.NOT_MESSAGE_AUTHOR, 'Only its author can edit this message.');
    }
    if (message.deletedAt) throw deleted();
    const body = rawBody.trim();
    const minBody = message.attachments.length > 0 ? 0 : LIMITS.MESSAGE_BODY_MIN;
    if (body.length < minBody || body.length > LIMITS.MESSAGE_BODY_MAX) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'The message is empty or too long.', {
        body: [`must be ${minBody}..${LIMITS.MESSAGE_BODY_MAX} characters after trimming`],
      });
    }
    if (body === message.body) return toMessage(message);
    const windowMinutes = this.config.messageEditWindowMinutes;
    if (
      windowMinutes !== null &&
      Date.now() - message.createdAt.getTime() > windowMinutes * 60_000
    ) {
      throw new AppError(
        ErrorCode.EDIT_WINDOW_CLOSED,
        `Messages can be edited for ${windowMinutes} minutes after sending.`,
      );
    }
    return this.settle(await this.messages.editBody(ref, body));
  }

  /**
   * Deletes a message: the author's own, or anyone's by a group admin (`deletedBy` 'admin'). Its body, reactions
   * and attachments (rows, then files through FileStorage) are erased; the tombstone keeps seq, sender and times.
   * Deleting a deleted message changes nothing.
   * @returns the tombstone
   * @throws AppError CONVERSATION_NOT_FOUND / MEMBERSHIP_ENDED, MESSAGE_NOT_FOUND, MESSAGE_NOT_MODIFIABLE,
   *   ADMIN_REQUIRED (a group member deleting another's), NOT_MESSAGE_AUTHOR (direct conversation)
   */
  async delete(callerId: string, ref: MessageTarget): Promise<Message> {
    const member = await this.access.requireWrite(ref.conversationId, callerId);
    const message = await this.findTarget(ref);
    if (message.kind !== 'text') throw notModifiable();
    let deletedBy: DeletedBy = 'author';
    if (message.senderId !== callerId) {
      await this.access.requireModerator(member);
      deletedBy = 'admin';
    }
    const result = await this.messages.delete(ref, deletedBy);
    // After the commit: a file whose row is gone can no longer be downloaded, so a failure here only leaves bytes
    // behind (logged), never content anyone can reach.
    await this.removeFiles(result.removedFileKeys);
    return this.settle(result);
  }

  /**
   * Adds the caller's reaction (one emoji, validated by the DTO). Set semantics: already there changes nothing.
   * @throws AppError CONVERSATION_NOT_FOUND / MEMBERSHIP_ENDED, MESSAGE_NOT_FOUND, MESSAGE_NOT_MODIFIABLE,
   *   MESSAGE_DELETED, REACTION_LIMIT_EXCEEDED (a new emoji beyond LIMITS.REACTIONS_PER_MESSAGE_MAX distinct)
   */
  async addReaction(callerId: string, ref: MessageTarget, emoji: string): Promise<Message> {
    await this.reactable(callerId, ref);
    return this.settle(
      await this.messages.addReaction(ref, callerId, emoji, LIMITS.REACTIONS_PER_MESSAGE_MAX),
    );
  }

  /**
   * Removes the caller's reaction; one they do not have changes nothing.
   * @throws AppError as addReaction (but never REACTION_LIMIT_EXCEEDED)
   */
  async removeReaction(callerId: string, ref: MessageTarget, emoji: string): Promise<Message> {
    await this.reactable(callerId, ref);
    return this.settle(await this.messages.removeReaction(ref, callerId, emoji));
  }

  /**
   * Forwards a message: a new message in `targetConversationId` with the source's body and copies of its
   * attachments (new files and rows, so deleting the source later leaves the copy whole), marked forwarded, sent
   * as the caller (fan-out `message:new` like any send). Idempotent on (target, caller, clientMessageId): a retry
   * returns the stored copy and copies nothing.
   * @returns the new (or stored) message and whether it was stored now
   * @throws AppError CONVERSATION_NOT_FOUND (source unreadable or target not writable), MEMBERSHIP_ENDED (target),
   *   MESSAGE_NOT_FOUND (not in the source, or beyond a former member's history), MESSAGE_NOT_MODIFIABLE (system),
   *   MESSAGE_DELETED
   */
  async forward(
    callerId: string,
    source: MessageTarget,
    targetConversationId: string,
    clientMessageId: string,
  ): Promise<{ message: Message; created: boolean }> {
    const { untilSeq } = await this.access.requireRead(source.conversationId, callerId);
    const message = await this.findTarget(source);
    if (untilSeq !== undefined && message.seq > untilSeq) throw messageNotFound();
    if (message.kind !== 'text') throw notModifiable();
    if (message.deletedAt) throw deleted();
    await this.access.requireWrite(targetConversationId, callerId);
    const stored = await this.messages.findByClientId(
      targetConversationId,
      callerId,
      clientMessageId,
    );
    if (stored) return { message: toMessage(stored), created: false };

    const copies = await this.copyAttachments(message.attachments, targetConversationId, callerId);
    try {
      const result = await this.sending.send(callerId, {
        conversationId: targetConversationId,
        clientMessageId,
        body: message.body,
        attachmentIds: copies.map((c) => c.id),
        forwarded: true,
      });
      // Lost a race with the same forward: the winner's copies are the ones kept.
      if (!result.created) await this.discardCopies(copies, callerId);
      return result;
    } catch (error) {
      await this.discardCopies(copies, callerId);
      throw error;
    }
  }

  /**
   * The changes feed: messages changed after `after`, ascending by changeSeq, as the caller sees them now. A former
   * member gets changes up to their departure only, of messages up to their history's end.
   * @throws AppError CONVERSATION_NOT_FOUND when the caller never was a member
   */
  async changes(
    conversationId: string,
    callerId: string,
    query: { after: number; limit?: number },
  ): Promise<MessageChangesPage> {
    const { member, untilSeq } = await this.access.requireRead(conversationId, callerId);
    const page = await this.messages.listChanges(conversationId, {
      after: query.after,
      limit: query.limit ?? LIMITS.CHANGES_PAGE_DEFAULT,
      ...(untilSeq !== undefined
        ? { untilSeq, untilChangeSeq: member.historyUntilChangeSeq ?? 0 }
        : {}),
    });
    return { items: page.items.map(toMessage), hasMore: page.hasMore };
  }

  /** The message named by `ref` (in that conversation, not a gap), or MESSAGE_NOT_FOUND. */
  private async findTarget(ref: MessageTarget): Promise<MessageRecord> {
    const message = await this.messages.findById(ref.messageId);
    if (!message || message.conversationId !== ref.conversationId.toLowerCase()) {
      throw messageNotFound();
    }
    return message;
  }

  /** Common checks of both reaction directions. */
  private async reactable(callerId: string, ref: MessageTarget): Promise<void> {
    await this.access.requireWrite(ref.conversationId, callerId);
    const message = await this.findTarget(ref);
    if (message.kind !== 'text') throw notModifiable();
    if (message.deletedAt) throw deleted();
  }

  /**
   * A repository outcome -> the answer: the view now, published as `message.changed` when it changed.
   * @throws AppError MESSAGE_NOT_FOUND, MESSAGE_DELETED, REACTION_LIMIT_EXCEEDED
   */
  private async settle(result: MessageChangeResult): Promise<Message> {
    if (result.outcome === 'not_found' || !result.message) throw messageNotFound();
    if (result.outcome === 'deleted') throw deleted();
    if (result.outcome === 'reaction_limit') {
      throw new AppError(
        ErrorCode.REACTION_LIMIT_EXCEEDED,
        `A message can have at most ${LIMITS.REACTIONS_PER_MESSAGE_MAX} different reactions.`,
      );
    }
    const message = toMessage(result.message);
    if (result.outcome === 'changed') await this.events.publish('message.changed', { message });
    return message;
  }

  /**
   * Copies files (and thumbnails) under new keys and records them as unsent attachments of the caller in the
   * target conversation, in order; on any failure, what was copied so far is removed and the error rethrown.
   */
  private async copyAttachments(
    sources: readonly AttachmentRecord[],
    conversationId: string,
    uploaderId: string,
  ): Promise<AttachmentRecord[]> {
    const copies: AttachmentRecord[] = [];
    const keys: string[] = [];
    try {
      for (const source of sources) {
        const storageKey = await this.copyFile(source.storageKey, keys);
        const thumbnailKey = source.thumbnailKey
          ? await this.copyFile(source.thumbnailKey, keys)
          : null;
        copies.push(
          await this.attachments.create({
            conversationId,
            uploaderId,
            kind: source.kind,
            name: source.name,
            mimeType: source.mimeType,
            size: source.size,
            width: source.width,
            height: source.height,
            storageKey,
            thumbnailKey,
          }),
        );
      }
      return copies;
    } catch (error) {
      await this.discardCopies(copies, uploaderId);
      await this.removeFiles(keys);
      throw error;
    }
  }

  /** Streams a stored file into a new key (recorded in `made`). @throws Error when the source is missing */
  private async copyFile(key: string, made: string[]): Promise<string> {
    const opened = await this.files.open(key);
    if (!opened) throw new Error('the file of an attachment to forward is missing');
    const copy = this.files.newKey();
    made.push(copy);
    await this.files.put(copy, opened.stream);
    return copy;
  }

  /** Removes unsent copies (rows and files); best effort, logged. */
  private async discardCopies(
    copies: readonly AttachmentRecord[],
    uploaderId: string,
  ): Promise<void> {
    for (const copy of copies) {
      const removed = await this.attachments.deleteUnsent(copy.id, uploaderId).catch(() => null);
      if (removed)
        await this.removeFiles([
          removed.storageKey,
          ...(removed.thumbnailKey ? [removed.thumbnailKey] : []),
        ]);
    }
  }

  /** Deletes files; a failure is logged (the bytes stay, no row points at them). */
  private async removeFiles(keys: readonly string[]): Promise<void> {
    for (const key of keys) {
      try {
        await this.files.delete(key);
      } catch (error) {
        this.logger.error({ err: error }, 'could not delete the file of an erased attachment');
      }
    }
  }
}

function messageNotFound(): AppError {
  return new AppError(ErrorCode.MESSAGE_NOT_FOUND, 'Message not found.');
}

function notModifiable(): AppError {
  return new AppError(ErrorCode.MESSAGE_NOT_MODIFIABLE, 'This message cannot be changed.');
}

function deleted(): AppError {
  return new AppError(ErrorCode.MESSAGE_DELETED, 'This message was deleted.');
}
