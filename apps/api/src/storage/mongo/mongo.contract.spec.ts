/**
 * The storage contract on MongoDB, through the very module the app uses (MongoStorageModule.forRoot), in a
 * database named for this run (`chat_contract_<random>`) and dropped after.
 *
 * Which server:
 * 1. MONGODB_URI set (e.g. mongodb://127.0.0.1:27017): that server. If it cannot be reached the suite FAILS:
 *    asking for a server that is not there is a broken setup, not a reason to skip.
 * 2. Otherwise mongodb-memory-server, which starts a throw-away mongod from its binary cache or downloads one
 *    (MONGOMS_* variables configure it, e.g. MONGOMS_SYSTEM_BINARY=/usr/bin/mongod). Bounded by
 *    MONGOMS_START_TIMEOUT_MS below.
 * 3. Neither: the suite is SKIPPED (reported by Jest as skipped, never as passed) with one printed line giving
 *    the reason, on every machine including CI: machines without MongoDB, like this project's CI, must not fail.
 *
 * This is test configuration, read here rather than through the app's config module on purpose (as the
 * PostgreSQL contract spec does).
 */
import { afterAll, describe, expect, it } from '@jest/globals';
import { getConnectionToken, getModelToken } from '@nestjs/mongoose';
import { Test } from '@nestjs/testing';
import type { Connection, Model } from 'mongoose';
import { randomBytes, randomUUID } from 'node:crypto';
import { AttachmentsRepository } from '../attachments.repository.js';
import { BlocksRepository } from '../blocks.repository.js';
import { ConversationsRepository } from '../conversations.repository.js';
import { alicePairedWithBob } from '../contract/contract-context.js';
import { describeStorageContract, type StorageUnderTest } from '../contract/storage.contract.js';
import { InstanceRepository } from '../instance.repository.js';
import { MessagesRepository } from '../messages.repository.js';
import { SessionsRepository } from '../sessions.repository.js';
import { StorageHealth } from '../storage.health.js';
import { UsersRepository } from '../users.repository.js';
import { MONGO_MODELS, MongoStorageModule } from './mongo-storage.module.js';
import { declaredIndexNames, MODEL, MONGO_CONNECTION_NAME } from './mongo.schemas.js';

/** How long mongodb-memory-server may take to find or fetch a binary and start it (a cached binary: ~1 s). */
const MONGOMS_START_TIMEOUT_MS = 30_000;

type Target = { uri: string; source: string; stop: () => Promise<void> } | { skip: string };

/** Picks the server (see the file comment). */
async function resolveTarget(): Promise<Target> {
  const configured = process.env.MONGODB_URI?.trim();
  if (configured) return { uri: configured, source: 'MONGODB_URI', stop: async () => {} };

  // mongodb-memory-server prints its whole download error through console.warn; one line of ours is enough.
  const warn = console.warn;
  console.warn = () => {};
  let timer: NodeJS.Timeout | undefined;
  let gaveUp = false;
  try {
    const { MongoMemoryServer } = await import('mongodb-memory-server');
    const starting = MongoMemoryServer.create();
    // A start that finishes after we gave up must not leave a mongod running.
    starting.then((late) => (gaveUp ? late.stop() : undefined)).catch(() => {});
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`no mongod within ${MONGOMS_START_TIMEOUT_MS / 1000} s`)),
        MONGOMS_START_TIMEOUT_MS,
      );
    });
    const server = await Promise.race([starting, timeout]);
    return {
      uri: server.getUri(),
      source: 'mongodb-memory-server',
      stop: async () => void (await server.stop()),
    };
  } catch (error) {
    gaveUp = true;
    const reason = (error instanceof Error ? error.message : String(error))
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 200);
    return { skip: `MONGODB_URI is unset and mongodb-memory-server has no mongod (${reason})` };
  } finally {
    clearTimeout(timer);
    console.warn = warn;
  }
}

/**
 * Opens the adapter through MongoStorageModule in a fresh database; reset empties every collection (keeping the
 * indexes), close drops the database.
 */
async function mongoUnderTest(uri: string): Promise<StorageUnderTest & { connection: Connection }> {
  const dbName = `chat_contract_${randomBytes(6).toString('hex')}`;
  const moduleRef = await Test.createTestingModule({
    imports: [
      MongoStorageModule.forRoot(uri, {
        dbName,
        connectAttempts: 1,
        serverSelectionTimeoutMS: 5_000,
      }),
    ],
  }).compile();
  await moduleRef.init();
  const connection = moduleRef.get<Connection>(getConnectionToken(MONGO_CONNECTION_NAME));
  const models = Object.values(MODEL).map((name) =>
    moduleRef.get<Model<unknown>>(getModelToken(name, MONGO_CONNECTION_NAME)),
  );
  return {
    connection,
    repos: {
      users: moduleRef.get(UsersRepository),
      sessions: moduleRef.get(SessionsRepository),
      conversations: moduleRef.get(ConversationsRepository),
      messages: moduleRef.get(MessagesRepository),
      attachments: moduleRef.get(AttachmentsRepository),
      blocks: moduleRef.get(BlocksRepository),
      instance: moduleRef.get(InstanceRepository),
      health: moduleRef.get(StorageHealth),
    },
    reset: async () => {
      await Promise.all(models.map((model) => model.deleteMany({}).exec()));
    },
    close: async () => {
      try {
        await connection.dropDatabase();
      } finally {
        await moduleRef.close();
      }
    },
  };
}

const target = await resolveTarget();

if ('skip' in target) {
  process.stderr.write(`SKIPPED mongodb contract: ${target.skip}\n`);
  describe('storage contract: mongodb', () => {
    it.skip(`skipped: ${target.skip}`, () => {});
  });
} else {
  process.stderr.write(`mongodb contract: running against ${target.source}\n`);
  describeStorageContract(`mongodb (${target.source})`, () => mongoUnderTest(target.uri));
  afterAll(() => target.stop());

  describe('mongodb: beyond the contract', () => {
    it('creates every declared index at start, under its fixed name, before the first write', async () => {
      const storage = await mongoUnderTest(target.uri);
      try {
        // Each collection holds exactly the indexes its schema declares (names from the schema itself, so
        // the expectation cannot drift from the declaration).
        for (const { name, schema } of MONGO_MODELS) {
          const collection = storage.connection.model(name).collection.collectionName;
          const created = (await storage.connection.db!.collection(collection).indexes())
            .map((index) => index.name)
            .sort();
          expect({ collection, indexes: created }).toEqual({
            collection,
            indexes: declaredIndexNames(schema),
          });
        }
        // And E11000 on one of them comes out as the domain error.
        const { users } = storage.repos;
        await users.create({ username: 'Alice', displayName: 'A', passwordHash: 'h' });
        await expect(
          users.create({ username: 'ALICE', displayName: 'B', passwordHash: 'h' }),
        ).rejects.toMatchObject({ constraint: 'username' });
      } finally {
        await storage.close();
      }
    });

    it('returns the stored message to racing identical sends; a burnt seq is a gap, never a duplicate', async () => {
      const storage = await mongoUnderTest(target.uri);
      try {
        const { conversations, messages } = storage.repos;
        const { alice, bob, conversation } = await alicePairedWithBob(storage.repos);
        const clientMessageId = randomUUID();
        const results = await Promise.all(
          Array.from({ length: 8 }, () =>
            messages.append({
              conversationId: conversation.id,
              senderId: alice.id,
              clientMessageId,
              kind: 'text',
              body: 'x',
            }),
          ),
        );
        expect(results.filter((r) => r.created)).toHaveLength(1);
        const stored = results.find((r) => r.created)!.message;
        // Whatever seqs the losers burnt, the list still shows the one stored message as the last one.
        const item = await conversations.getListItem(conversation.id, bob.id);
        expect(item?.lastMessage).toEqual(stored);
      } finally {
        await storage.close();
      }
    });
  });
}
