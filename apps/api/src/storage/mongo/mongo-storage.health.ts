import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectConnection, InjectModel } from '@nestjs/mongoose';
import type { Connection, Model } from 'mongoose';
import { StorageHealth } from '../storage.health.js';
import {
  MODEL,
  MONGO_CONNECTION_NAME,
  type ConversationDoc,
  type MessageDoc,
  type SessionDoc,
  type UserDoc,
} from './mongo.schemas.js';

/**
 * StorageHealth on MongoDB, and the place where start-up waits for the declared indexes.
 *
 * Indexes: the connection has `autoIndex` and `autoCreate` on, so Mongoose starts `createCollection` and
 * `createIndexes` for each model as it is compiled; `onModuleInit` awaits those (`Model.init()` returns the same
 * memoised promise), so the app only starts serving once every unique index exists, and fails to start, naming
 * the index, when one cannot be built (for example duplicates left by an older version). Indexes that are no
 * longer declared are left alone (no `syncIndexes`): dropping indexes is a migration decision, not a start-up
 * side effect, and an older process may still be running beside this one during a rolling deploy.
 */
@Injectable()
export class MongoStorageHealth extends StorageHealth implements OnModuleInit {
  readonly driver = 'mongodb';
  private readonly logger = new Logger('MongoStorage');
  private closed: Promise<void> | null = null;

  constructor(
    @InjectConnection(MONGO_CONNECTION_NAME) private readonly connection: Connection,
    @InjectModel(MODEL.user, MONGO_CONNECTION_NAME) private readonly users: Model<UserDoc>,
    @InjectModel(MODEL.session, MONGO_CONNECTION_NAME) private readonly sessions: Model<SessionDoc>,
    @InjectModel(MODEL.conversation, MONGO_CONNECTION_NAME)
    private readonly conversations: Model<ConversationDoc>,
    @InjectModel(MODEL.message, MONGO_CONNECTION_NAME) private readonly messages: Model<MessageDoc>,
  ) {
    super();
  }

  /** Waits until every collection and declared index exists. @throws the index build error. */
  async onModuleInit(): Promise<void> {
    const started = Date.now();
    await Promise.all(
      [this.users, this.sessions, this.conversations, this.messages].map((model) => model.init()),
    );
    this.logger.log(`MongoDB collections and indexes ready in ${Date.now() - started} ms`);
  }

  /** Round trip of the `ping` command, in milliseconds. @throws when the server does not answer. */
  async ping(): Promise<number> {
    const db = this.connection.db;
    if (!db) throw new Error('MongoDB connection is not open');
    const started = performance.now();
    await db.command({ ping: 1 });
    return performance.now() - started;
  }

  /** Closes the connection pool; later calls wait for the first. */
  close(): Promise<void> {
    this.closed ??= this.connection.close();
    return this.closed;
  }
}
