/**
 * Storage contract, the UsersRepository port: creation and uniqueness, lookups, directory search and its
 * pagination, profile, presence (lastSeenAt) and avatar fields. Declared by `describeStorageContract`
 * (storage.contract.ts), which opens the adapter and hands over its repositories and factories, so every adapter
 * runs it.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import { InvalidCursorError, UniqueViolationError } from '../storage.errors.js';
import {
  DELETED_DISPLAY_NAME,
  deletedUsername,
  type UsersRepository,
} from '../users.repository.js';
import { byString, pause, type ContractContext } from './contract-context.js';

/** Declares the users contract against the adapter behind `ctx`. */
export function describeUsersContract(ctx: ContractContext): void {
  const { makeUser, makeDirect } = ctx;
  let users: UsersRepository;

  describe('users', () => {
    beforeEach(() => {
      ({ users } = ctx.repos());
    });

    it('creates a user with an id and timestamps', async () => {
      const user = await users.create({
        username: 'Alice',
        displayName: 'Alice A',
        passwordHash: 'h',
      });
      expect(user).toEqual({
        id: expect.any(String),
        username: 'Alice',
        displayName: 'Alice A',
        passwordHash: 'h',
        avatarUrl: null,
        lastSeenAt: null,
        lastSeenVisibility: 'contacts',
        groupAddPolicy: 'contacts',
        deactivatedAt: null,
        deletedAt: null,
        createdAt: expect.any(Date),
        updatedAt: expect.any(Date),
      });
      expect(await users.findById(user.id)).toEqual(user);
    });

    it('refuses a username taken in another letter case with UniqueViolationError("username")', async () => {
      await makeUser({ username: 'Alice' });
      const clash = makeUser({ username: 'aLICE' });
      await expect(clash).rejects.toBeInstanceOf(UniqueViolationError);
      await expect(clash).rejects.toMatchObject({ constraint: 'username' });
      const page = await users.search({ query: '', limit: 10 });
      expect(page.items.map((u) => u.username)).toEqual(['Alice']);
    });

    it('finds by username in any letter case, keeping the spelling as typed', async () => {
      const alice = await makeUser({ username: 'AliCe' });
      expect(await users.findByUsername('alice')).toEqual(alice);
      expect(await users.findByUsername('ALICE')).toEqual(alice);
      expect(await users.findByUsername('alic')).toBeNull();
    });

    it('returns null for unknown and malformed ids', async () => {
      const alice = await makeUser();
      await expect(users.findById('not-an-id')).resolves.toBeNull();
      await expect(users.findById('')).resolves.toBeNull();
      // A well-formed id of this adapter that names no user: a conversation's.
      const bob = await makeUser();
      const conversation = await makeDirect(alice, bob);
      await expect(users.findById(conversation.id)).resolves.toBeNull();
    });

    it('finds many by ids, leaving out unknown and malformed ones', async () => {
      const [a, b, c] = [await makeUser(), await makeUser(), await makeUser()];
      const conversation = await makeDirect(a, b);
      const found = await users.findManyByIds([c.id, a.id, 'junk', conversation.id, a.id]);
      expect(found.map((u) => u.id).sort(byString)).toEqual([a.id, c.id].sort(byString));
      await expect(users.findManyByIds([])).resolves.toEqual([]);
    });

    it('searches by username prefix and by display-name word prefix, case-insensitively', async () => {
      const ada = await makeUser({ username: 'ada_l', displayName: 'Ada Lovelace' });
      const grace = await makeUser({ username: 'ghopper', displayName: 'Grace Brewster Hopper' });
      const alan = await makeUser({ username: 'Turing', displayName: 'Alan' });
      const names = async (query: string) =>
        (await users.search({ query, limit: 50 })).items.map((u) => u.id);
      expect(await names('ADA')).toEqual([ada.id]);
      expect(await names('love')).toEqual([ada.id]);
      expect(await names('hop')).toEqual([grace.id]);
      expect(await names('brew')).toEqual([grace.id]);
      expect(await names('tur')).toEqual([alan.id]);
      expect(await names('a')).toEqual([ada.id, alan.id]); // 'ada_l' by username, 'Alan' by display name
      // Infixes do not match: neither inside a username nor inside a word.
      expect(await names('velace')).toEqual([]);
      expect(await names('ring')).toEqual([]);
      expect(await names('  GRACE ')).toEqual([grace.id]);
    });

    it('treats LIKE wildcards and backslashes in the query literally', async () => {
      const underscore = await makeUser({ username: 'under_score', displayName: 'U One' });
      await makeUser({ username: 'underXscore', displayName: 'U Two' });
      const percent = await makeUser({ username: 'pct', displayName: '100% Sure' });
      await makeUser({ username: 'pct2', displayName: '1000 Sure' });
      const slash = await makeUser({ username: 'slash', displayName: 'back\\slash' });
      const names = async (query: string) =>
        (await users.search({ query, limit: 50 })).items.map((u) => u.id);
      expect(await names('under_')).toEqual([underscore.id]);
      expect(await names('100%')).toEqual([percent.id]);
      expect(await names('%')).toEqual([]);
      expect(await names('_')).toEqual([]);
      expect(await names('back\\')).toEqual([slash.id]);
      expect(await names('\\')).toEqual([]);
    });

    it('excludes the given user from the results', async () => {
      const me = await makeUser({ username: 'sam1' });
      const other = await makeUser({ username: 'sam2' });
      const page = await users.search({ query: 'sam', excludeUserId: me.id, limit: 10 });
      expect(page.items.map((u) => u.id)).toEqual([other.id]);
    });

    it('pages through results by (lower-cased username, id) with no duplicates or omissions', async () => {
      const names = ['delta', 'Alpha', 'charlie', 'Echo', 'bravo', 'foxtrot', 'golf'];
      for (const username of names) await makeUser({ username, displayName: 'Same Name' });
      const expected = [...names].sort((x, y) => byString(x.toLowerCase(), y.toLowerCase()));
      for (const limit of [1, 2, 3, 7, 8]) {
        const got: string[] = [];
        const sizes: number[] = [];
        let cursor: string | null = null;
        do {
          const page = await users.search({ query: 'same', cursor, limit });
          got.push(...page.items.map((u) => u.username));
          sizes.push(page.items.length);
          cursor = page.nextCursor;
        } while (cursor !== null && sizes.length < 20);
        expect(got).toEqual(expected);
        // No trailing empty page: the last page is cut exactly at the end.
        expect(sizes.at(-1)).toBeGreaterThan(0);
        expect(sizes.length).toBe(Math.ceil(names.length / limit));
      }
    });

    it('returns an empty page when nothing matches, and when there are no users', async () => {
      await expect(users.search({ query: 'anything', limit: 5 })).resolves.toEqual({
        items: [],
        nextCursor: null,
      });
      await makeUser({ username: 'zed' });
      await expect(users.search({ query: 'nobody', limit: 5 })).resolves.toEqual({
        items: [],
        nextCursor: null,
      });
    });

    it('lists everyone, in order, for an empty query', async () => {
      await makeUser({ username: 'b' });
      await makeUser({ username: 'A' });
      const page = await users.search({ query: '', limit: 10 });
      expect(page.items.map((u) => u.username)).toEqual(['A', 'b']);
      expect(page.nextCursor).toBeNull();
    });

    it('refuses a cursor it did not issue', async () => {
      await makeUser();
      await expect(
        users.search({ query: '', cursor: 'garbage!', limit: 5 }),
      ).rejects.toBeInstanceOf(InvalidCursorError);
      const notOurs = Buffer.from(JSON.stringify({ x: 1 })).toString('base64url');
      await expect(users.search({ query: '', cursor: notOurs, limit: 5 })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it('updates the display name and the update time', async () => {
      const user = await makeUser({ displayName: 'Old' });
      await pause();
      const updated = await users.updateProfile(user.id, { displayName: 'New Name' });
      expect(updated).toMatchObject({
        id: user.id,
        username: user.username,
        displayName: 'New Name',
      });
      expect(updated!.updatedAt.getTime()).toBeGreaterThan(user.updatedAt.getTime());
      expect(await users.findById(user.id)).toEqual(updated);
      expect(await users.updateProfile(user.id, {})).toEqual(updated);
      const conversationId = (await makeDirect(user, await makeUser())).id;
      await expect(users.updateProfile(conversationId, { displayName: 'x' })).resolves.toBeNull();
      await expect(users.updateProfile('junk', { displayName: 'x' })).resolves.toBeNull();
    });
  });

  describe('users: presence and avatar', () => {
    it('records lastSeenAt, never moving it backwards, without touching updatedAt', async () => {
      const { users } = ctx.repos();
      const user = await makeUser();
      const at = new Date(Date.now() - 60_000);
      await users.setLastSeen(user.id, at);
      expect(await users.findById(user.id)).toEqual({ ...user, lastSeenAt: at });
      await users.setLastSeen(user.id, new Date(at.getTime() - 1000));
      expect((await users.findById(user.id))?.lastSeenAt).toEqual(at);
      const later = new Date(at.getTime() + 5000);
      await users.setLastSeen(user.id, later);
      expect((await users.findById(user.id))?.lastSeenAt).toEqual(later);
      await expect(users.setLastSeen('junk', at)).resolves.toBeUndefined();
      const conversation = await makeDirect(user, await makeUser());
      await expect(users.setLastSeen(conversation.id, at)).resolves.toBeUndefined();
    });

    it('sets and clears the avatar, leaving the other field alone', async () => {
      const { users } = ctx.repos();
      const user = await makeUser({ displayName: 'Ana' });
      const withAvatar = await users.updateProfile(user.id, { avatarUrl: '/avatars/1.webp' });
      expect(withAvatar).toMatchObject({ displayName: 'Ana', avatarUrl: '/avatars/1.webp' });
      const renamed = await users.updateProfile(user.id, { displayName: 'Ana B' });
      expect(renamed).toMatchObject({ displayName: 'Ana B', avatarUrl: '/avatars/1.webp' });
      const cleared = await users.updateProfile(user.id, { avatarUrl: null });
      expect(cleared).toMatchObject({ displayName: 'Ana B', avatarUrl: null });
      expect(await users.findById(user.id)).toEqual(cleared);
    });
    it('deactivates and reactivates an account, keeping the first deactivation time', async () => {
      const alice = await makeUser({ username: 'alice' });
      const first = new Date('2026-01-01T00:00:00.000Z');
      const off = await users.setDeactivated(alice.id, first);
      expect(off).toMatchObject({ id: alice.id, deactivatedAt: first, deletedAt: null });
      const again = await users.setDeactivated(alice.id, new Date('2026-02-01T00:00:00.000Z'));
      expect(again?.deactivatedAt).toEqual(first);
      expect((await users.findById(alice.id))?.deactivatedAt).toEqual(first);
      const on = await users.setDeactivated(alice.id, null);
      expect(on?.deactivatedAt).toBeNull();
      await expect(users.setDeactivated('junk', first)).resolves.toBeNull();
    });

    it('keeps deactivated accounts out of the directory but in the admin scope; deleted ones out of both', async () => {
      const alice = await makeUser({ username: 'alice' });
      const alma = await makeUser({ username: 'alma' });
      const alvar = await makeUser({ username: 'alvar' });
      await users.setDeactivated(alma.id, new Date());
      await users.markDeleted(alvar.id, new Date());
      const ids = async (scope?: 'directory' | 'admin', query = 'al') =>
        (await users.search({ query, limit: 10, ...(scope ? { scope } : {}) })).items.map(
          (u) => u.id,
        );
      expect(await ids()).toEqual([alice.id]);
      expect(await ids('directory')).toEqual([alice.id]);
      expect(await ids('admin')).toEqual([alice.id, alma.id]);
      expect(await ids('admin', '')).toEqual([alice.id, alma.id]);
      expect(await ids('admin', 'deleted')).toEqual([]);
    });

    it('turns a deleted account into a tombstone and frees its username', async () => {
      const alice = await makeUser({ username: 'Alice', displayName: 'Alice A' });
      await users.updateProfile(alice.id, { avatarUrl: '/api/avatars/x' });
      await users.setDeactivated(alice.id, new Date());
      const at = new Date('2026-03-01T00:00:00.000Z');
      const tomb = await users.markDeleted(alice.id, at);
      expect(tomb).toMatchObject({
        id: alice.id,
        username: deletedUsername(alice.id),
        displayName: DELETED_DISPLAY_NAME,
        passwordHash: '!',
        avatarUrl: null,
        deactivatedAt: null,
        deletedAt: at,
      });
      expect(await users.findByUsername('alice')).toBeNull();
      const again = await users.markDeleted(alice.id, new Date('2026-04-01T00:00:00.000Z'));
      expect(again?.deletedAt).toEqual(at);
      // A deleted account cannot be switched back on.
      await expect(users.setDeactivated(alice.id, null)).resolves.toBeNull();
      // The username can be registered again by someone else (a different account).
      const newAlice = await makeUser({ username: 'alice' });
      expect(newAlice.id).not.toBe(alice.id);
      await expect(users.markDeleted('junk', at)).resolves.toBeNull();
    });
  });
}
