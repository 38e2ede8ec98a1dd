import { describe, expect, it } from 'vitest';
import type { SystemEvent } from '@chat/shared';
import { conversation, member, message, user } from '@/testing/factories';
import { systemText } from './system-text';
import { conversationPeople } from './people';

const event = (system: SystemEvent, body: string) =>
  message(1, { kind: 'system', system, body, senderId: system.actorId ?? 'ana' });

/** A group of Ana (the viewer), Ben and Cy, where Dee has left. */
const group = conversation({
  type: 'group',
  title: 'Team',
  members: [
    member('ana', { user: user('ana', { displayName: 'Ana Silva' }) }),
    member('ben', { user: user('ben', { displayName: 'Ben Okafor' }) }),
  ],
  formerMembers: [user('dee', { displayName: 'Dee Park' })],
});

describe('systemText', () => {
  it('always calls the viewer "You", whoever else the event names', () => {
    const created = event(
      { type: 'group_created', actorId: 'ana', title: 'Team', memberIds: ['ben', 'dee'] },
      'Ana Silva created the group “Team”',
    );
    expect(systemText(created, group, 'ana')).toBe('You created the group “Team”');
    const added = event(
      { type: 'members_added', actorId: 'ana', userIds: ['dee'] },
      'Ana Silva added Dee Park',
    );
    expect(systemText(added, group, 'ana')).toBe('You added Dee Park');
    const addedMe = event(
      { type: 'members_added', actorId: 'ben', userIds: ['ana'] },
      'Ben Okafor added Ana Silva',
    );
    expect(systemText(addedMe, group, 'ana')).toBe('Ben Okafor added you');
  });

  it('names former members from formerMembers, not "Someone" or the stored text', () => {
    const removed = event(
      { type: 'member_removed', actorId: 'ben', userId: 'dee' },
      'Ben (old name) removed Dee',
    );
    expect(systemText(removed, group, 'ana')).toBe('Ben Okafor removed Dee Park');
  });

  it('keeps "You" even when someone in the event is unknown to the client', () => {
    const added = event(
      { type: 'members_added', actorId: 'ana', userIds: ['ghost'] },
      'Ana Silva added Gone Person',
    );
    expect(systemText(added, group, 'ana')).toBe('You added Someone');
    // Without the viewer in it, the stored text (which has the name) is the better reading.
    const other = event(
      { type: 'members_added', actorId: 'ben', userIds: ['ghost'] },
      'Ben Okafor added Gone Person',
    );
    expect(systemText(other, group, 'ana')).toBe('Ben Okafor added Gone Person');
  });
});

describe('conversationPeople', () => {
  it('holds members and former members, a member winning over a stale former entry', () => {
    const people = conversationPeople(
      conversation({
        members: [member('ana', { user: user('ana', { displayName: 'New name' }) })],
        formerMembers: [user('ana', { displayName: 'Old name' }), user('dee')],
      }),
    );
    expect(people.get('ana')?.displayName).toBe('New name');
    expect(people.get('dee')?.id).toBe('dee');
    expect(people.has('nobody')).toBe(false);
  });
});
