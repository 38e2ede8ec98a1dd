import type { ConversationSummary, Message } from '@chat/shared';
import { systemText } from './system-text';
import { conversationPeople } from './people';
import { plainText } from './plain-text';

/**
 * What a message carries, in a few words for a one-line preview: its text without Markdown (plainText), else its files
 * ("Photo", "3 photos", "report.pdf", "report.pdf and 2 more"); "Message deleted" for a tombstone.
 */
export function messageGist(
  message: Pick<Message, 'body' | 'attachments'> & Partial<Pick<Message, 'deletedAt'>>,
): string {
  if (message.deletedAt) return 'Message deleted';
  const text = plainText(message.body);
  if (text !== '') return text;
  const files = message.attachments;
  if (files.length === 0) return '';
  if (files.every((file) => file.kind === 'image')) {
    return files.length === 1 ? 'Photo' : `${files.length} photos`;
  }
  const first = files.find((file) => file.kind === 'file') ?? files[0]!;
  return files.length === 1 ? first.name : `${first.name} and ${files.length - 1} more`;
}

/**
 * The conversation list's line under a conversation's name: "No messages yet", a system message as the viewer
 * reads it, or the last message's gist, prefixed "You: " for the viewer's own and, in groups, with the sender's
 * first name ("Ana: see you") while the sender is a member the viewer knows.
 */
export function conversationPreview(conversation: ConversationSummary, selfId: string): string {
  const last = conversation.lastMessage;
  if (!last) return 'No messages yet';
  if (last.kind === 'system') return systemText(last, conversation, selfId);
  const gist = messageGist(last);
  if (last.senderId === selfId) return `You: ${gist}`;
  if (conversation.type === 'group') {
    const sender = conversationPeople(conversation).get(last.senderId);
    const firstName = sender?.displayName.trim().split(/\s+/)[0];
    if (firstName) return `${firstName}: ${gist}`;
  }
  return gist;
}
