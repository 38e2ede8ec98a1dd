/**
 * Storage contract, the InstanceRepository port: the settings row (registration mode, the first-user claim and
 * its race), invite links (atomic uses, expiry, revocation, release) and reports (creation, filtered newest-first
 * pages, resolution). Declared by `describeStorageContract` (storage.contract.ts), so every adapter runs it.
 */
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { InstanceRepository } from '../instance.repository.js';
import { InvalidCursorError } from '../storage.errors.js';
import { pause, type ContractContext } from './contract-context.js';

/** Declares the instance contract against the adapter behind `ctx`. */
export function describeInstanceContract(ctx: ContractContext): void {
  const { makeUser } = ctx;
  let instance: InstanceRepository;
  const inAnHour = () => new Date(Date.now() + 3_600_000);

  describe('instance', () => {
    beforeEach(() => {
      ({ instance } = ctx.repos());
    });

    it('starts with no settings, stores the registration mode and clears it', async () => {
      expect(await instance.getSettings()).toEqual({ registrationMode: null, firstUserId: null });
      expect(await instance.setRegistrationMode('invite-only')).toEqual({
        registrationMode: 'invite-only',
        firstUserId: null,
      });
      expect((await instance.getSettings()).registrationMode).toBe('invite-only');
      await instance.setRegistrationMode('closed');
      expect((await instance.getSettings()).registrationMode).toBe('closed');
      await instance.setRegistrationMode(null);
      expect((await instance.getSettings()).registrationMode).toBeNull();
    });

    it('lets exactly one of many concurrent claims record the first user, and keeps the mode', async () => {
      const people = await Promise.all([makeUser(), makeUser(), makeUser(), makeUser()]);
      const results = await Promise.all(people.map((p) => instance.claimFirstUser(p.id)));
      expect(results.filter(Boolean)).toHaveLength(1);
      const winner = people[results.indexOf(true)]!;
      expect((await instance.getSettings()).firstUserId).toBe(winner.id);
      await expect(instance.claimFirstUser(people[0]!.id)).resolves.toBe(false);
      await instance.setRegistrationMode('closed');
      expect(await instance.getSettings()).toEqual({
        registrationMode: 'closed',
        firstUserId: winner.id,
      });
    });

    it('claims the first user after the mode was set', async () => {
      const alice = await makeUser();
      await instance.setRegistrationMode('open');
      await expect(instance.claimFirstUser(alice.id)).resolves.toBe(true);
      expect(await instance.getSettings()).toEqual({
        registrationMode: 'open',
        firstUserId: alice.id,
      });
    });

    it('gives an invite exactly maxUses uses, even to concurrent callers, and gives a use back', async () => {
      const admin = await makeUser();
      const invite = await instance.createInvite({
        token: 'tok-3',
        createdBy: admin.id,
        expiresAt: inAnHour(),
        maxUses: 3,
      });
      expect(invite).toMatchObject({
        token: 'tok-3',
        createdBy: admin.id,
        maxUses: 3,
        uses: 0,
        revokedAt: null,
      });
      const now = new Date();
      const attempts = await Promise.all(
        Array.from({ length: 6 }, () => instance.consumeInvite('tok-3', now)),
      );
      const taken = attempts.filter((a) => a !== null);
      expect(taken).toHaveLength(3);
      expect(taken.map((a) => a?.uses).sort()).toEqual([1, 2, 3]);
      await expect(instance.consumeInvite('tok-3', now)).resolves.toBeNull();
      await instance.releaseInvite(invite.id);
      expect((await instance.consumeInvite('tok-3', now))?.uses).toBe(3);
      await expect(instance.consumeInvite('unknown', now)).resolves.toBeNull();
    });

    it('refuses an expired or revoked invite; never releases below zero', async () => {
      const admin = await makeUser();
      const expiring = await instance.createInvite({
        token: 'tok-exp',
        createdBy: admin.id,
        expiresAt: new Date(Date.now() + 1000),
        maxUses: 5,
      });
      await expect(
        instance.consumeInvite('tok-exp', new Date(Date.now() + 2000)),
      ).resolves.toBeNull();
      await instance.releaseInvite(expiring.id);
      const page = await instance.listInvites({ limit: 10 });
      expect(page.items[0]?.uses).toBe(0);

      const revocable = await instance.createInvite({
        token: 'tok-rev',
        createdBy: admin.id,
        expiresAt: inAnHour(),
        maxUses: 5,
      });
      const at = new Date('2026-05-01T00:00:00.000Z');
      expect((await instance.revokeInvite(revocable.id, at))?.revokedAt).toEqual(at);
      expect((await instance.revokeInvite(revocable.id, new Date()))?.revokedAt).toEqual(at);
      await expect(instance.consumeInvite('tok-rev', new Date())).resolves.toBeNull();
      await expect(instance.revokeInvite('junk', new Date())).resolves.toBeNull();
    });

    it('lists invites newest first in keyset pages', async () => {
      const admin = await makeUser();
      const made = [];
      for (let i = 0; i < 5; i++) {
        made.push(
          await instance.createInvite({
            token: `tok-${i}`,
            createdBy: admin.id,
            expiresAt: inAnHour(),
            maxUses: 1,
          }),
        );
        await pause();
      }
      const first = await instance.listInvites({ limit: 2 });
      const second = await instance.listInvites({ limit: 2, cursor: first.nextCursor });
      const third = await instance.listInvites({ limit: 2, cursor: second.nextCursor });
      expect([...first.items, ...second.items, ...third.items].map((i) => i.token)).toEqual([
        'tok-4',
        'tok-3',
        'tok-2',
        'tok-1',
        'tok-0',
      ]);
      expect(third.nextCursor).toBeNull();
      await expect(instance.listInvites({ limit: 2, cursor: 'garbage' })).rejects.toBeInstanceOf(
        InvalidCursorError,
      );
    });

    it('stores reports, lists them by status newest first, and resolves each once', async () => {
      const [reporter, reported, admin, otherAdmin] = [
        await makeUser(),
        await makeUser(),
        await makeUser(),
        await makeUser(),
      ];
      const conversation = await ctx.makeDirect(reporter, reported);
      const sentAt = new Date('2026-06-01T12:00:00.000Z');
      const aboutMessage = await instance.createReport({
        target: 'message',
        reporterId: reporter.id,
        reportedUserId: reported.id,
        conversationId: conversation.id,
        seq: 7,
        messageBody: 'rude words',
        messageSentAt: sentAt,
        reason: 'abuse',
      });
      expect(aboutMessage).toEqual({
        id: expect.any(String),
        target: 'message',
        reporterId: reporter.id,
        reportedUserId: reported.id,
        conversationId: conversation.id,
        seq: 7,
        messageBody: 'rude words',
        messageSentAt: sentAt,
        reason: 'abuse',
        status: 'open',
        createdAt: expect.any(Date),
        resolvedAt: null,
        resolvedBy: null,
      });
      await pause();
      const personInput = {
        target: 'user' as const,
        reporterId: reporter.id,
        reportedUserId: reported.id,
        conversationId: null,
        seq: null,
        messageBody: null,
        messageSentAt: null,
        reason: 'spam',
      };
      const aboutPerson = await instance.createReport(personInput);
      await pause();
      const third = await instance.createReport({ ...personInput, reason: 'more spam' });

      const all = await instance.listReports({ limit: 2 });
      const rest = await instance.listReports({ limit: 2, cursor: all.nextCursor });
      expect([...all.items, ...rest.items].map((r) => r.id)).toEqual([
        third.id,
        aboutPerson.id,
        aboutMessage.id,
      ]);

      const at = new Date('2026-06-02T00:00:00.000Z');
      const resolved = await instance.resolveReport(aboutPerson.id, admin.id, at);
      expect(resolved).toMatchObject({ status: 'resolved', resolvedAt: at, resolvedBy: admin.id });
      const later = await instance.resolveReport(aboutPerson.id, otherAdmin.id, new Date());
      expect(later).toMatchObject({ resolvedAt: at, resolvedBy: admin.id });
      expect(
        (await instance.listReports({ status: 'open', limit: 10 })).items.map((r) => r.id),
      ).toEqual([third.id, aboutMessage.id]);
      expect(
        (await instance.listReports({ status: 'resolved', limit: 10 })).items.map((r) => r.id),
      ).toEqual([aboutPerson.id]);
      await expect(instance.resolveReport('junk', admin.id, at)).resolves.toBeNull();
    });
  });
}
