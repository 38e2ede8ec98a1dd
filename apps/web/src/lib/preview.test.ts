import { describe, expect, it } from 'vitest';
import type { Attachment } from '@chat/shared';
import { conversation, member, message, user } from '@/testing/factories';
import { conversationPreview, messageGist } from './preview';

function attachment(kind: Attachment['kind'], name: string): Attachment {
  return {
    id: name,
    conversationId: 'c1',
    kind,
    name,
    mimeType: kind === 'image' ? 'image/webp' : 'application/pdf',
    size: 10,
    width: kind === 'image' ? 10 : null,
    height: kind === 'image' ? 10 : null,
    url: `/api/attachments/${name}/content`,
    thumbnailUrl: kind === 'image' ? `/api/attachments/${name}/thumbnail` : null,
    createdAt: '2026-11-20T10:00:00.000Z',
  };
}

describe('messageGist', () => {
  it('folds white space in the text', () => {
    expect(messageGist(message(1, { body: '  line one\n\n line   two ' }))).toBe(
      'line one line two',
    );
  });

  it('shows the text without its Markdown', () => {
    expect(
      messageGist(message(1, { body: 'Hike at **Mount Tam**, see [the map](https://x.example)' })),
    ).toBe('Hike at Mount Tam, see the map');
  });

  it('names photos and files when there is no text', () => {
    const photo = attachment('image', 'a.jpg');
    const pdf = attachment('file', 'report.pdf');
    expect(messageGist(message(1, { body: '', attachments: [photo] }))).toBe('Photo');
    expect(messageGist(message(1, { body: '', attachments: [photo, photo, photo] }))).toBe(
      '3 photos',
    );
    expect(messageGist(message(1, { body: '', attachments: [pdf] }))).toBe('report.pdf');
    expect(messageGist(message(1, { body: '', attachments: [photo, pdf, photo] }))).toBe(
      'report.pdf and 2 more',
    );
  });

  it('says a deleted message was deleted', () => {
    const tombstone = message(1, {
      body: '',
      deletedAt: '2026-11-21T10:00:00.000Z',
      deletedBy: 'author',
    });
    expect(messageGist(tombstone)).toBe('Message deleted');
    expect(conversationPreview(conversation({ lastMessage: tombstone }), 'alice')).toBe(
      'Message deleted',
    );
  });

  it('prefers the text when there is both', () => {
    expect(messageGist(message(1, { body: 'look', attachments: [attachment('image', 'x')] }))).toBe(
      'look',
    );
  });
});

describe('conversationPreview', () => {
  it('says when there are no messages yet', () => {
    expect(conversationPreview(conversation(), 'alice')).toBe('No messages yet');
  });

  it('prefixes the viewer’s own messages with You', () => {
    const c = conversation({ lastMessage: message(3, { senderId: 'alice', body: 'hi' }) });
    expect(conversationPreview(c, 'alice')).toBe('You: hi');
    expect(conversationPreview(c, 'bob')).toBe('hi');
  });

  it('names the sender by first name in groups, and not in direct conversations', () => {
    const members = [
      member('alice'),
      member('bob', { user: user('bob', { displayName: 'Bob Marley' }) }),
    ];
    const last = message(4, { senderId: 'bob', body: 'see you' });
    expect(
      conversationPreview(conversation({ type: 'group', members, lastMessage: last }), 'alice'),
    ).toBe('Bob: see you');
    expect(conversationPreview(conversation({ members, lastMessage: last }), 'alice')).toBe(
      'see you',
    );
  });

  it('leaves out a sender the viewer cannot name', () => {
    const last = message(4, { senderId: 'gone', body: 'old news' });
    expect(conversationPreview(conversation({ type: 'group', lastMessage: last }), 'alice')).toBe(
      'old news',
    );
  });
});
