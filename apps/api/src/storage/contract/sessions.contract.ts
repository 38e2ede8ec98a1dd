/**
 * Storage contract, the SessionsRepository port: creation, rotation with reuse detection (any retired token),
 * revocation. Declared by `describeStorageContract` (storage.contract.ts), which opens the adapter and hands over
 * its repositories and factories, so every adapter runs it.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { SessionsRepository } from '../sessions.repository.js';
import { byString, type ContractContext } from './contract-context.js';

/** Declares the sessions contract against the adapter behind `ctx`. */
export function describeSessionsContract(ctx: ContractContext): void {
  const { makeUser } = ctx;
  let sessions: SessionsRepository;

  describe('sessions', () => {
    beforeEach(() => {
      ({ sessions } = ctx.repos());
    });

    const hour = 3_600_000;
    const newSession = async (tokenHash: string, expiresAt = new Date(Date.now() + hour)) => {
      const user = await makeUser();
      return sessions.create({ userId: user.id, tokenHash, userAgent: 'jest', expiresAt });
    };

    it('creates a live session', async () => {
      const expiresAt = new Date(Date.now() + hour);
      const user = await makeUser();
      const session = await sessions.create({
        userId: user.id,
        tokenHash: 'h1',
        userAgent: null,
        expiresAt,
      });
      expect(session).toEqual({
        id: expect.any(String),
        userId: user.id,
        tokenHash: 'h1',
        userAgent: null,
        createdAt: expect.any(Date),
        expiresAt,
        lastUsedAt: expect.any(Date),
        revokedAt: null,
      });
      expect(await sessions.findById(session.id)).toEqual(session);
      expect(await sessions.findById('junk')).toBeNull();
    });

    it('rotates the current token, and the new one rotates in turn', async () => {
      const session = await newSession('h1');
      const newExpiry = new Date(Date.now() + 2 * hour);
      const now = new Date();
      const result = await sessions.rotate('h1', 'h2', newExpiry, now);
      expect(result.status).toBe('rotated');
      if (result.status !== 'rotated') return;
      expect(result.session).toMatchObject({
        id: session.id,
        tokenHash: 'h2',
        expiresAt: newExpiry,
        lastUsedAt: now,
        revokedAt: null,
      });
      expect(await sessions.findById(session.id)).toEqual(result.session);
      // The new token rotates in turn.
      expect((await sessions.rotate('h2', 'h3', newExpiry, new Date())).status).toBe('rotated');
    });

    it('lets exactly one of two concurrent rotations with the same token win', async () => {
      const session = await newSession('h1');
      const expiry = new Date(Date.now() + hour);
      const results = await Promise.all([
        sessions.rotate('h1', 'h2a', expiry, new Date()),
        sessions.rotate('h1', 'h2b', expiry, new Date()),
      ]);
      const statuses = results.map((r) => r.status).sort(byString);
      // The loser presents what is, by then, the previous token: a reuse, which revokes the session.
      expect(statuses).toEqual(['reused', 'rotated']);
      expect((await sessions.findById(session.id))?.revokedAt).toEqual(expect.any(Date));
    });

    it('treats the previous token presented again as reuse and revokes the session', async () => {
      const session = await newSession('h1');
      const expiry = new Date(Date.now() + hour);
      await sessions.rotate('h1', 'h2', expiry, new Date());
      const reuse = await sessions.rotate('h1', 'h3', expiry, new Date());
      expect(reuse.status).toBe('reused');
      if (reuse.status !== 'reused') return;
      expect(reuse.session.id).toBe(session.id);
      expect(reuse.session.revokedAt).toEqual(expect.any(Date));
      // The family is dead: even the current token is refused now.
      expect(await sessions.rotate('h2', 'h4', expiry, new Date())).toEqual({
        status: 'invalid',
      });
    });

    it("a token two rotations old is 'reused' and revokes the session", async () => {
      // A thief rotated twice (h1 -> h2 -> h3) before the victim presents h1 (RFC 9700 section 4.14.2).
      const session = await newSession('h1');
      const expiry = new Date(Date.now() + hour);
      expect((await sessions.rotate('h1', 'h2', expiry, new Date())).status).toBe('rotated');
      expect((await sessions.rotate('h2', 'h3', expiry, new Date())).status).toBe('rotated');
      const now = new Date();
      const reuse = await sessions.rotate('h1', 'h4', expiry, now);
      expect(reuse).toEqual({
        status: 'reused',
        session: expect.objectContaining({ id: session.id, tokenHash: 'h3', revokedAt: now }),
      });
      // The thief's current token dies with the session.
      expect(await sessions.rotate('h3', 'h5', expiry, new Date())).toEqual({
        status: 'invalid',
      });
      expect((await sessions.findById(session.id))?.revokedAt).toEqual(now);
    });

    it('refuses expired, unknown and revoked tokens without changing anything', async () => {
      const now = new Date();
      const expired = await newSession('old', new Date(now.getTime() - 1000));
      expect(await sessions.rotate('old', 'x', new Date(now.getTime() + hour), now)).toEqual({
        status: 'invalid',
      });
      expect(await sessions.findById(expired.id)).toEqual(expired);
      // Expiry is judged against the `now` given, strictly.
      const live = await newSession('live', new Date(now.getTime() + 1000));
      expect(
        await sessions.rotate('live', 'y', new Date(), new Date(now.getTime() + 1000)),
      ).toEqual({
        status: 'invalid',
      });
      expect(await sessions.findById(live.id)).toEqual(live);

      expect(await sessions.rotate('never-issued', 'z', new Date(), now)).toEqual({
        status: 'invalid',
      });

      const revoked = await newSession('gone');
      await sessions.revoke(revoked.id, now);
      expect(await sessions.rotate('gone', 'w', new Date(now.getTime() + hour), now)).toEqual({
        status: 'invalid',
      });
      expect((await sessions.findById(revoked.id))?.revokedAt).toEqual(now);
    });

    it('revokes by the current or any retired token hash', async () => {
      const expiry = new Date(Date.now() + hour);
      const first = await newSession('a1');
      const now = new Date();
      const revoked = await sessions.revokeByTokenHash('a1', now);
      expect(revoked).toMatchObject({ id: first.id, revokedAt: now });

      const second = await newSession('b1');
      await sessions.rotate('b1', 'b2', expiry, new Date());
      expect((await sessions.revokeByTokenHash('b1', now))?.id).toBe(second.id);
      expect((await sessions.findById(second.id))?.revokedAt).toEqual(now);

      // Any retired hash, not only the previous one.
      const third = await newSession('c1');
      await sessions.rotate('c1', 'c2', expiry, new Date());
      await sessions.rotate('c2', 'c3', expiry, new Date());
      expect((await sessions.revokeByTokenHash('c1', now))?.id).toBe(third.id);
      expect((await sessions.findById(third.id))?.revokedAt).toEqual(now);

      expect(await sessions.revokeByTokenHash('unknown', now)).toBeNull();
      await expect(sessions.revoke('junk', now)).resolves.toBeUndefined();
    });
    it('revokes every live session of one user and reports which', async () => {
      const { sessions } = ctx.repos();
      const alice = await ctx.makeUser();
      const bob = await ctx.makeUser();
      const expiresAt = new Date(Date.now() + 60_000);
      const a1 = await sessions.create({
        userId: alice.id,
        tokenHash: 'ra1',
        userAgent: null,
        expiresAt,
      });
      const a2 = await sessions.create({
        userId: alice.id,
        tokenHash: 'ra2',
        userAgent: null,
        expiresAt,
      });
      const a3 = await sessions.create({
        userId: alice.id,
        tokenHash: 'ra3',
        userAgent: null,
        expiresAt,
      });
      const b1 = await sessions.create({
        userId: bob.id,
        tokenHash: 'rb1',
        userAgent: null,
        expiresAt,
      });
      await sessions.revoke(a3.id, new Date());
      const now = new Date();
      const revoked = await sessions.revokeAllForUser(alice.id, now);
      expect([...revoked].sort()).toEqual([a1.id, a2.id].sort());
      expect((await sessions.findById(a1.id))?.revokedAt).toEqual(now);
      expect((await sessions.findById(a2.id))?.revokedAt).toEqual(now);
      expect((await sessions.findById(b1.id))?.revokedAt).toBeNull();
      await expect(sessions.revokeAllForUser(alice.id, new Date())).resolves.toEqual([]);
      await expect(sessions.revokeAllForUser('junk', new Date())).resolves.toEqual([]);
    });
  });
}
