import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectConnection } from '@nestjs/mongoose';
import type { Connection } from 'mongoose';
import { StorageHealth } from '../storage.health.js';
import { MONGO_CONNECTION_NAME } from './mongo.schemas.js';

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

  constructor(@InjectConnection(MONGO_CONNECTION_NAME) private readonly connection: Connection) {
    super();
  }

  /**
   * Waits until every collection and declared index of every model compiled on the connection exists (all of
   * them: the models are listed by the connection, so a new one cannot be forgotten here).
   * @throws the index build error.
   */
  async onModuleInit(): Promise<void> {
    const started = Date.now();
    const models = Object.values(this.connection.models);
    await Promise.all(models.map((model) => model.init()));
    this.logger.log(
      `MongoDB collections and indexes of ${models.length} models ready in ${Date.now() - started} ms`,
    );
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
