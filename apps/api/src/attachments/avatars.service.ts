import { Injectable, Logger } from '@nestjs/common';
import { type ConversationSummary, ErrorCode, LIMITS, type SelfUser } from '@chat/shared';
import { AppError } from '../common/app-error.js';
import { ConversationAccess } from '../conversations/conversation-access.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { GroupsService } from '../conversations/groups.service.js';
import { InstanceAdmins } from '../instance/instance-admins.js';
import { DomainEvents } from '../events/domain-events.js';
import { ConversationsRepository } from '../storage/conversations.repository.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toPublicUser, toSelfUser } from '../users/user.mapper.js';
import { fileUrls } from './attachment.mapper.js';
import { FileStorage, type OpenedFile } from './file-storage.js';
import { sanitizeFileName } from './file-names.js';
import { classifyUpload } from './file-types.js';
import { makeAvatars } from './image-processing.js';
import { unlinkQuietly } from './local-file-storage.js';
import type { UploadedFile } from './uploaded-file.js';

/** Avatar sizes served: `?size=` picks one. */
export const AVATAR_SIZES = [LIMITS.AVATAR_SIZE, LIMITS.AVATAR_SMALL_SIZE] as const;
export type AvatarSize = (typeof AVATAR_SIZES)[number];

/** An avatar id is the storage key of its large rendition (32 hex); the small one is `<id>-<size>`. */
const AVATAR_ID = /^[a-f0-9]{32}$/;
const AVATAR_URL = /^\/api\/avatars\/([a-f0-9]{32})$/;

/**
 * Profile and group pictures. Each new picture gets a new id, so its URL (`/api/avatars/<id>`) never changes
 * content and can be cached as immutable; the old files are deleted once the new URL is stored. Changes are
 * published: a person's picture as `user.updated` (fanned out as `user:updated` to everyone who shares a
 * conversation with them, and their own devices); a group's as `conversation.changed` with a
 * `group_avatar_changed` system message.
 */
@Injectable()
export class AvatarsService {
  private readonly logger = new Logger(AvatarsService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly conversationsRepo: ConversationsRepository,
    private readonly access: ConversationAccess,
    private readonly conversations: ConversationsService,
    private readonly groups: GroupsService,
    private readonly events: DomainEvents,
    private readonly storage: FileStorage,
    private readonly admins: InstanceAdmins,
  ) {}

  /**
   * Sets the caller's picture from an uploaded image (cropped square, 256 px and 64 px WebP, metadata dropped).
   * @throws AppError VALIDATION_FAILED (no file), EMPTY_FILE, UNSUPPORTED_MEDIA_TYPE (not an image we decode),
   *   IMAGE_TOO_LARGE; UNAUTHENTICATED when the account is gone
   */
  async setUserAvatar(userId: string, file: UploadedFile | undefined): Promise<SelfUser> {
    const avatarUrl = await this.storeAvatar(file);
    return this.applyUserAvatar(userId, avatarUrl);
  }

  /** Removes the caller's picture (back to initials). */
  async removeUserAvatar(userId: string): Promise<SelfUser> {
    return this.applyUserAvatar(userId, null);
  }

  /**
   * Sets a group's picture (group admins). Admin rights are checked before the image is processed (no work for
   * a refusal) and again when the picture is applied (see applyGroupAvatar).
   * @throws AppError as ConversationAccess.requireAdmin, and as setUserAvatar for the file
   */
  async setGroupAvatar(
    userId: string,
    conversationId: string,
    file: UploadedFile | undefined,
  ): Promise<ConversationSummary> {
    try {
      await this.access.requireAdmin(conversationId, userId);
    } catch (error) {
      if (file) await unlinkQuietly(file.path).catch(() => undefined);
      throw error;
    }
    const avatarUrl = await this.storeAvatar(file);
    return this.applyGroupAvatar(userId, conversationId, avatarUrl);
  }

  /** Removes a group's picture (group admins; checked in applyGroupAvatar). @throws AppError as requireAdmin */
  async removeGroupAvatar(userId: string, conversationId: string): Promise<ConversationSummary> {
    return this.applyGroupAvatar(userId, conversationId, null);
  }

  /**
   * An avatar file for any signed-in user who has its URL (decided, see docs/security.md): a person's picture is
   * part of the profile every signed-in person may find in the directory, so restricting the file further would
   * hide nothing the profile does not already show. Avatar ids are 128-bit random and change on every new picture
   * (the old files are deleted), so a URL cannot be guessed and stops working once replaced or removed; a group's
   * picture URL is only handed out to its members.
   * @param size one of AVATAR_SIZES
   * @throws AppError NOT_FOUND for an unknown or malformed id
   */
  async open(avatarId: string, size: AvatarSize): Promise<OpenedFile> {
    const file = AVATAR_ID.test(avatarId) ? await this.storage.open(keyOf(avatarId, size)) : null;
    if (!file) throw new AppError(ErrorCode.NOT_FOUND, 'Not found.');
    return file;
  }

  /**
   * The large rendition behind an avatar URL of ours (for the data export), or null when the URL is not ours or
   * the file is gone.
   */
  async openByUrl(avatarUrl: string | null): Promise<OpenedFile | null> {
    const id = avatarUrl ? AVATAR_URL.exec(avatarUrl)?.[1] : undefined;
    return id ? this.storage.open(keyOf(id, LIMITS.AVATAR_SIZE)) : null;
  }

  /** Validates and renders the upload, stores both sizes. @returns the new avatarUrl */
  private async storeAvatar(file: UploadedFile | undefined): Promise<string> {
    if (!file) {
      throw new AppError(ErrorCode.VALIDATION_FAILED, 'Send one image in the form field "file".', {
        file: ['is required'],
      });
    }
    const stored: string[] = [];
    try {
      if (file.size === 0) throw new AppError(ErrorCode.EMPTY_FILE, 'The file is empty.');
      const name = sanitizeFileName(file.originalName, 'avatar');
      const classified = await classifyUpload(file.path, file.declaredMime, name);
      if (!classified.ok || classified.type.kind !== 'image') {
        throw new AppError(
          ErrorCode.UNSUPPORTED_MEDIA_TYPE,
          'A picture must be a JPEG, PNG, WebP, GIF or AVIF image.',
        );
      }
      const renditions = await makeAvatars(file.path, AVATAR_SIZES);
      const id = this.storage.newKey();
      for (const [index, size] of AVATAR_SIZES.entries()) {
        const data = renditions[index];
        if (!data) throw new Error('missing avatar rendition');
        await this.storage.put(keyOf(id, size), data);
        stored.push(keyOf(id, size));
      }
      stored.length = 0;
      return fileUrls.avatar(id);
    } finally {
      await unlinkQuietly(file.path).catch(() => undefined);
      for (const key of stored) await this.storage.delete(key).catch(() => undefined);
    }
  }

  private async applyUserAvatar(userId: string, avatarUrl: string | null): Promise<SelfUser> {
    const before = await this.users.findById(userId);
    const user = before ? await this.users.updateProfile(userId, { avatarUrl }) : null;
    if (!before || !user) {
      await this.deleteFiles(avatarUrl);
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The account no longer exists.');
    }
    if (before.avatarUrl !== avatarUrl) await this.deleteFiles(before.avatarUrl);
    await this.events.publish('user.updated', { user: toPublicUser(user) });
    return toSelfUser(user, await this.admins.isAdmin(user));
  }

  /**
   * Applies and records a group picture change in the group's serial order (GroupsService.serialized), so it is
   * never interleaved with another change of the group, and re-checks admin rights there: an admin removed or
   * demoted while the image was processing does not change the picture (the new files are deleted).
   * @throws AppError as ConversationAccess.requireAdmin; CONVERSATION_NOT_FOUND when the group is gone
   */
  private applyGroupAvatar(
    userId: string,
    conversationId: string,
    avatarUrl: string | null,
  ): Promise<ConversationSummary> {
    return this.groups.serialized(conversationId, async () => {
      const { conversation: before } = await this.access
        .requireAdmin(conversationId, userId)
        .catch(async (error: unknown) => {
          await this.deleteFiles(avatarUrl);
          throw error;
        });
      const updated = await this.conversationsRepo.updateGroup(conversationId, { avatarUrl });
      if (!updated) {
        await this.deleteFiles(avatarUrl);
        throw new AppError(ErrorCode.CONVERSATION_NOT_FOUND, 'Conversation not found.');
      }
      if (before.avatarUrl === avatarUrl) return this.conversations.get(conversationId, userId);
      await this.deleteFiles(before.avatarUrl);
      const event = await this.groups.record(conversationId, userId, {
        type: 'group_avatar_changed',
        actorId: userId,
      });
      return this.groups.fanOut(conversationId, userId, [event], []);
    });
  }

  /** Deletes the files behind an avatar URL of ours (anything else is left alone). */
  private async deleteFiles(avatarUrl: string | null): Promise<void> {
    const id = avatarUrl ? AVATAR_URL.exec(avatarUrl)?.[1] : undefined;
    if (!id) return;
    for (const size of AVATAR_SIZES) {
      await this.storage.delete(keyOf(id, size)).catch((error: unknown) => {
        this.logger.warn(`could not delete avatar file: ${String(error)}`);
      });
    }
  }
}

/** Storage key of one rendition: the id itself for the large one, `<id>-<size>` for others. */
function keyOf(avatarId: string, size: AvatarSize): string {
  return size === LIMITS.AVATAR_SIZE ? avatarId : `${avatarId}-${size}`;
}
