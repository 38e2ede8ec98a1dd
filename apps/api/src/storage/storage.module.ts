import {
  Global,
  Inject,
  Logger,
  Module,
  type DynamicModule,
  type OnApplicationShutdown,
  type Provider,
} from '@nestjs/common';
import { AttachmentsRepository } from './attachments.repository.js';
import { BlocksRepository } from './blocks.repository.js';
import { ConversationsRepository } from './conversations.repository.js';
import { parseDatabaseUrl, type DatabaseTarget } from './database-url.js';
import { InstanceRepository } from './instance.repository.js';
import { MessagesRepository } from './messages.repository.js';
import { MongoStorageModule } from './mongo/mongo-storage.module.js';
import { SessionsRepository } from './sessions.repository.js';
import { createSqlStorage, type SqlStorage } from './sql/sql-storage.js';
import { StorageHealth } from './storage.health.js';
import { UsersRepository } from './users.repository.js';

export interface StorageModuleOptions {
  /** DATABASE_URL as configured; see `parseDatabaseUrl` for the accepted forms. Unset: `./.data/pglite`. */
  databaseUrl?: string;
}

/** Injection token of the adapter bundle (internal to this module). */
const SQL_STORAGE = Symbol('SQL_STORAGE');

/**
 * Storage for the whole app. `forRoot` picks the adapter from the database URL, opens it and applies migrations
 * while the app initialises (so the app fails to start, naming the reason, when the database is unusable), and
 * closes it when the app shuts down (`app.close()`, or a signal once `enableShutdownHooks()` is on).
 *
 * Provides, globally: UsersRepository, SessionsRepository, ConversationsRepository, MessagesRepository,
 * AttachmentsRepository, BlocksRepository, InstanceRepository, StorageHealth.
 */
@Global()
@Module({})
export class StorageModule implements OnApplicationShutdown {
  private readonly logger = new Logger(StorageModule.name);

  constructor(@Inject(StorageHealth) private readonly health: StorageHealth) {}

  /**
   * `mongodb://` and `mongodb+srv://` URLs select the MongoDB adapter (MongoStorageModule, which connects and
   * builds its indexes while the app initialises); every other form selects the SQL adapter.
   * @throws Error for a malformed or unsupported DATABASE_URL.
   */
  static forRoot(options: StorageModuleOptions = {}): DynamicModule {
    const target = parseDatabaseUrl(options.databaseUrl);
    if (target.kind === 'mongodb') {
      return {
        module: StorageModule,
        global: true,
        imports: [MongoStorageModule.forRoot(target.url)],
        // Re-exporting the adapter module exports its port tokens (the same seven as below).
        exports: [MongoStorageModule],
      };
    }
    const sqlTarget: Exclude<DatabaseTarget, { kind: 'mongodb' }> = target;
    const fromStorage = <T>(
      provide: abstract new (...args: never[]) => T,
      pick: (s: SqlStorage) => T,
    ): Provider => ({
      provide,
      useFactory: pick,
      inject: [SQL_STORAGE],
    });
    return {
      module: StorageModule,
      global: true,
      providers: [
        { provide: SQL_STORAGE, useFactory: () => createSqlStorage(sqlTarget) },
        fromStorage(UsersRepository, (s) => s.users),
        fromStorage(SessionsRepository, (s) => s.sessions),
        fromStorage(ConversationsRepository, (s) => s.conversations),
        fromStorage(MessagesRepository, (s) => s.messages),
        fromStorage(AttachmentsRepository, (s) => s.attachments),
        fromStorage(BlocksRepository, (s) => s.blocks),
        fromStorage(InstanceRepository, (s) => s.instance),
        fromStorage(StorageHealth, (s) => s.health),
      ],
      exports: [
        UsersRepository,
        SessionsRepository,
        ConversationsRepository,
        MessagesRepository,
        AttachmentsRepository,
        BlocksRepository,
        InstanceRepository,
        StorageHealth,
      ],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.health.close();
    this.logger.log(`storage closed (${this.health.driver})`);
  }
}
