import type { Attachment } from '@chat/shared';
import type { AttachmentRecord } from '../storage/storage.types.js';

/**
 * The one place file URLs are built (paths on the API origin; clients prefix the API base URL). They never change
 * for a given id, which is what lets downloads be cached as immutable.
 */
export const fileUrls = {
  attachmentContent: (id: string): string => `/api/attachments/${encodeURIComponent(id)}/content`,
  attachmentThumbnail: (id: string): string =>
    `/api/attachments/${encodeURIComponent(id)}/thumbnail`,
  /** A new avatar id (hence a new URL) is made for every new picture. */
  avatar: (avatarId: string): string => `/api/avatars/${avatarId}`,
};

/** Domain attachment -> wire attachment (with its download and thumbnail URLs). */
export function toAttachment(a: AttachmentRecord): Attachment {
  return {
    id: a.id,
    conversationId: a.conversationId,
    kind: a.kind,
    name: a.name,
    mimeType: a.mimeType,
    size: a.size,
    width: a.width,
    height: a.height,
    url: fileUrls.attachmentContent(a.id),
    thumbnailUrl: a.thumbnailKey ? fileUrls.attachmentThumbnail(a.id) : null,
    createdAt: a.createdAt.toISOString(),
  };
}
