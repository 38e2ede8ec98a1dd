import { Readable } from 'node:stream';
import { Injectable, Logger } from '@nestjs/common';
import { ZipArchive, type Archiver } from 'archiver';
import { ErrorCode, LIMITS, type ConversationSummary, type Message } from '@chat/shared';
import { sanitizeFileName } from '../attachments/file-names.js';
import { AvatarsService } from '../attachments/avatars.service.js';
import { FileStorage } from '../attachments/file-storage.js';
import { AppError } from '../common/app-error.js';
import { ConversationsService } from '../conversations/conversations.service.js';
import { toMessage } from '../conversations/conversation.mapper.js';
import { InstanceAdmins } from '../instance/instance-admins.js';
import { MessagesRepository } from '../storage/messages.repository.js';
import type { AttachmentRecord, UserRecord } from '../storage/storage.types.js';
import { UsersRepository } from '../storage/users.repository.js';
import { toSelfUser } from '../users/user.mapper.js';

/** Version of the archive's layout (in profile.json), bumped when it changes. */
export const EXPORT_FORMAT_VERSION = 1;

const README = `Your data from Relay.

profile.json            your profile as the server holds it (no password, no sessions)
conversations.json      every conversation you can read: type, title, members, your standing (active or left)
messages/<id>.json      every message you can read in that conversation, oldest first (as the API sends them;
                        "mine": true on yours). A conversation you left ends where you left it.
files/                  the files you sent (attachments) and your profile picture

Other people's files are not included: they are theirs (you can download them in the app while you can read them).
`;

/**
 * "Download my data": one ZIP archive (JSON + files) of everything of a person's, built while it is sent. The
 * archive is produced by archiver (the zip library most Node projects use); entries are added one after another,
 * each waited for (its `entry` event) before the next is read from the database, so the memory used is one page
 * of messages or one file's stream buffer, whatever the size of the history.
 */
@Injectable()
export class AccountExportService {
  private readonly logger = new Logger(AccountExportService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly conversations: ConversationsService,
    private readonly messages: MessagesRepository,
    private readonly files: FileStorage,
    private readonly avatars: AvatarsService,
    private readonly admins: InstanceAdmins,
  ) {}

  /**
   * Starts the archive of `userId` and returns it as a readable stream (ZIP bytes); entries are produced as it is
   * read. A failure midway (database gone) destroys the stream with the error: the download ends short and the
   * archive is unreadable, never silently incomplete.
   * @throws AppError UNAUTHENTICATED when the account no longer exists
   */
  async archive(userId: string): Promise<{ stream: Readable; fileName: string }> {
    const user = await this.users.findById(userId);
    if (!user || user.deletedAt) {
      throw new AppError(ErrorCode.UNAUTHENTICATED, 'The account no longer exists.');
    }
    const archive = new ZipArchive({ zlib: { level: 6 } });
    this.fill(archive, user).catch((error: unknown) => {
      this.logger.error({ err: error }, 'the data export failed midway');
      archive.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    const day = new Date().toISOString().slice(0, 10);
    return { stream: archive, fileName: `relay-data-${user.username}-${day}.zip` };
  }

  private async fill(archive: Archiver, user: UserRecord): Promise<void> {
    let failure: Error | null = null;
    archive.on('error', (error) => {
      failure = error;
    });
    const add = (source: string | Readable, name: string) =>
      new Promise<void>((resolve, reject) => {
        if (failure) return reject(failure);
        const onError = (error: Error) => reject(error);
        archive.once('error', onError);
        archive.once('entry', () => {
          archive.off('error', onError);
          resolve();
        });
        archive.append(source, { name });
      });

    await add(README, 'README.txt');
    await add(
      json({
        format: EXPORT_FORMAT_VERSION,
        exportedAt: new Date().toISOString(),
        user: toSelfUser(user, await this.admins.isAdmin(user)),
      }),
      'profile.json',
    );

    const conversations: ConversationSummary[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.conversations.list(user.id, {
        ...(cursor ? { cursor } : {}),
        limit: LIMITS.CONVERSATION_PAGE_MAX,
      });
      conversations.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    await add(
      json(
        conversations.map((c) => ({
          id: c.id,
          type: c.type,
          title: c.title,
          status: c.status,
          members: c.members.map((m) => ({ user: m.user, role: m.role, joinedAt: m.joinedAt })),
          lastSeq: c.lastSeq,
        })),
      ),
      'conversations.json',
    );

    const mine: AttachmentRecord[] = [];
    for (const conversation of conversations) {
      await add(
        Readable.from(this.history(conversation, user.id, mine)),
        `messages/${conversation.id}.json`,
      );
    }
    for (const attachment of mine) {
      const file = await this.files.open(attachment.storageKey);
      if (!file) continue;
      await add(file.stream, `files/${attachment.id}-${sanitizeFileName(attachment.name, 'file')}`);
    }
    const avatar = await this.avatars.openByUrl(user.avatarUrl);
    if (avatar) await add(avatar.stream, 'files/profile-picture.webp');
    await archive.finalize();
  }

  /**
   * The JSON array of the messages `userId` can read in `conversation`, page by page (oldest first), collecting
   * the attachments they sent into `mine`.
   */
  private async *history(
    conversation: ConversationSummary,
    userId: string,
    mine: AttachmentRecord[],
  ): AsyncGenerator<string> {
    // lastSeq of a summary is already capped at a former member's departure.
    const untilSeq = conversation.lastSeq;
    yield '[';
    let after = 0;
    let first = true;
    for (;;) {
      const page = await this.messages.listPage(conversation.id, {
        after,
        limit: LIMITS.HISTORY_PAGE_MAX,
        untilSeq,
      });
      for (const record of page.items) {
        const message: Message & { mine: boolean } = {
          ...toMessage(record),
          mine: record.senderId === userId,
        };
        if (record.senderId === userId) {
          mine.push(...record.attachments.filter((a) => a.uploaderId === userId));
        }
        yield (first ? '\n' : ',\n') + JSON.stringify(message);
        first = false;
        after = record.seq;
      }
      if (!page.hasMore || page.items.length === 0) break;
    }
    yield '\n]\n';
  }
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
