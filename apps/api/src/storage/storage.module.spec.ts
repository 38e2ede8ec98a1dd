import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConversationsRepository } from './conversations.repository.js';
import { MessagesRepository } from './messages.repository.js';
import { MongoStorageModule } from './mongo/mongo-storage.module.js';
import { SessionsRepository } from './sessions.repository.js';
import { createSqlStorage } from './sql/sql-storage.js';
import { StorageHealth } from './storage.health.js';
import { StorageModule } from './storage.module.js';
import { UsersRepository } from './users.repository.js';

// The module on a PGlite data folder (the default runtime mode), so this file also proves data survives a
// restart. One fresh PGlite per file (1-2 s on an idle machine); the reopen at the end skips initdb and is cheap.
describe('StorageModule', () => {
  const root = mkdtempSync(join(tmpdir(), 'chat-storage-module-'));
  const dataDir = join(root, 'nested', 'pglite');
  let app: INestApplicationContext;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [StorageModule.forRoot({ databaseUrl: `pglite://${dataDir}` })],
    }).compile();
    app = await moduleRef.init();
  });
  afterAll(async () => {
    await app?.close(); // already closed by the shutdown test unless it failed; closing twice is harmless
    rmSync(root, { recursive: true, force: true });
  });

  it('provides every repository over a migrated database', async () => {
    const users = app.get(UsersRepository);
    const conversations = app.get(ConversationsRepository);
    const messages = app.get(MessagesRepository);
    expect(app.get(SessionsRepository)).toBeDefined();
    const alice = await users.create({
      username: 'alice',
      displayName: 'Alice',
      passwordHash: 'h',
    });
    const bob = await users.create({ username: 'bob', displayName: 'Bob', passwordHash: 'h' });
    const { conversation } = await conversations.findOrCreateDirect(alice.id, bob.id, alice.id);
    const sent = await messages.append({
      conversationId: conversation.id,
      senderId: alice.id,
      clientMessageId: 'c1',
      kind: 'text',
      body: 'hi',
    });
    expect(sent.message.seq).toBe(1);
  });

  it('reports health for the pglite driver', async () => {
    const health = app.get(StorageHealth);
    expect(health.driver).toBe('pglite');
    await expect(health.ping()).resolves.toBeGreaterThanOrEqual(0);
  });

  it('routes mongodb:// and mongodb+srv:// URLs to the MongoDB adapter module (no connection made here)', () => {
    for (const databaseUrl of [
      'mongodb://localhost:27017/chat',
      'mongodb+srv://cluster.example.net/chat',
    ]) {
      const dynamic = StorageModule.forRoot({ databaseUrl });
      expect(dynamic.global).toBe(true);
      expect(dynamic.imports?.map((m) => (m as { module?: unknown }).module)).toEqual([
        MongoStorageModule,
      ]);
      expect(dynamic.exports).toEqual([MongoStorageModule]);
    }
  });

  // Last: it shuts the shared app down.
  it('closes the database on application shutdown, leaving the data in its folder', async () => {
    const health = app.get(StorageHealth);
    await app.close();
    await expect(health.ping()).rejects.toThrow();

    // Reopening migrates again (a no-op) and finds what the app stored.
    const reopened = await createSqlStorage({ kind: 'pglite', dataDir });
    try {
      const alice = await reopened.users.findByUsername('ALICE');
      expect(alice).toMatchObject({ displayName: 'Alice' });
      const { items } = await reopened.conversations.listForUser(alice!.id, { limit: 10 });
      expect(items.map((item) => item.lastMessage?.body)).toEqual(['hi']);
    } finally {
      await reopened.health.close();
    }
  });
});
