import { Module, type DynamicModule } from '@nestjs/common';
import { MongooseModule, type MongooseModuleOptions } from '@nestjs/mongoose';
import { AttachmentsRepository } from '../attachments.repository.js';
import { BlocksRepository } from '../blocks.repository.js';
import { ConversationsRepository } from '../conversations.repository.js';
import { InstanceRepository } from '../instance.repository.js';
import { MessagesRepository } from '../messages.repository.js';
import { SessionsRepository } from '../sessions.repository.js';
import { StorageHealth } from '../storage.health.js';
import { UsersRepository } from '../users.repository.js';
import { MongoAttachmentsRepository } from './mongo-attachments.repository.js';
import { MongoBlocksRepository } from './mongo-blocks.repository.js';
import { MongoConversationsRepository } from './mongo-conversations.repository.js';
import { MongoInstanceRepository } from './mongo-instance.repository.js';
import { MongoMessagesRepository } from './mongo-messages.repository.js';
import { MongoSessionsRepository } from './mongo-sessions.repository.js';
import { MongoStorageHealth } from './mongo-storage.health.js';
import { MongoUsersRepository } from './mongo-users.repository.js';
import {
  AttachmentSchema,
  BlockSchema,
  ConversationSchema,
  InstanceSettingsSchema,
  InviteSchema,
  MessageSchema,
  MODEL,
  MONGO_CONNECTION_NAME,
  ReportSchema,
  SessionSchema,
  UserSchema,
} from './mongo.schemas.js';

export interface MongoStorageOptions {
  /** Database name; overrides the one in the URL's path (tests use a fresh name per run). */
  dbName?: string;
  /** How long to wait for a reachable server at start, in milliseconds (default 5 000). */
  serverSelectionTimeoutMS?: number;
  /** Connection attempts at start before the app gives up (default 3, one second apart). */
  connectAttempts?: number;
}

/** How long a write waits for a majority of the replica set to acknowledge it, in milliseconds. */
export const WRITE_CONCERN_TIMEOUT_MS = 10_000;
/** How long a socket may stay silent during an operation before the driver gives up on it, in milliseconds. */
export const SOCKET_TIMEOUT_MS = 30_000;

/**
 * Options of the adapter's Mongoose connection (pure, unit-tested):
 * - `sanitizeFilter`: every filter object whose key starts with `$` and that the adapter did not mark with
 *   `mongoose.trusted()` is wrapped in `$eq`, so a value from a request can never become an operator
 *   (`{ "$ne": null }`); see mongoosejs.com/docs/api/mongoose.html#Mongoose.prototype.sanitizeFilter().
 *   `strictQuery: 'throw'` is set on every schema (mongo.schemas.ts).
 * - `autoIndex` + `autoCreate`: collections and declared indexes are created at start (awaited in
 *   MongoStorageHealth.onModuleInit).
 * - write concern `{ w: 'majority', j: true, wtimeoutMS }`: a write resolves once it is in the journal of a
 *   majority of the replica set (on a standalone server: its own journal), which is what "ack only after the
 *   message is durably stored" needs; MongoDB's default `w: 1` without `j` may lose the last ~100 ms of writes on
 *   a crash (MongoDB manual, "Write Concern" and "Journaling"). `wtimeoutMS` bounds the wait for the majority: on
 *   a replica set that has lost its majority a write fails after WRITE_CONCERN_TIMEOUT_MS (a WriteConcernError;
 *   the write may still be on the primary, which an idempotent resend then finds) instead of waiting forever.
 *   (The driver's `timeoutMS` would bound every operation, but this driver major ignores it.)
 * - `bufferCommands: false`: while the connection is down, Mongoose fails an operation at once instead of
 *   queueing it for `bufferTimeoutMS` (10 s): the request answers 503 (storage unavailable) right away. The
 *   driver still waits up to `serverSelectionTimeoutMS` for a server to pick (a failover takes a few seconds).
 * - `socketTimeoutMS`: a socket silent for SOCKET_TIMEOUT_MS is closed and its operation fails, so a server
 *   that stops answering mid-operation cannot hold a request forever (the driver's default is no limit).
 * - `retryAttempts`/`retryDelay` (@nestjs/mongoose): a few quick retries at start instead of its default
 *   nine attempts three seconds apart, so a wrong DATABASE_URL fails the start within seconds.
 */
export function mongoConnectionOptions(options: MongoStorageOptions = {}): MongooseModuleOptions {
  return {
    connectionName: MONGO_CONNECTION_NAME,
    ...(options.dbName ? { dbName: options.dbName } : {}),
    appName: 'relay-chat-api',
    sanitizeFilter: true,
    autoIndex: true,
    autoCreate: true,
    writeConcern: { w: 'majority', journal: true, wtimeoutMS: WRITE_CONCERN_TIMEOUT_MS },
    bufferCommands: false,
    socketTimeoutMS: SOCKET_TIMEOUT_MS,
    serverSelectionTimeoutMS: options.serverSelectionTimeoutMS ?? 5_000,
    // @nestjs/mongoose counts retries after the first attempt.
    retryAttempts: Math.max((options.connectAttempts ?? 3) - 1, 0),
    retryDelay: 1_000,
  };
}

/** The adapter's models: one per collection, compiled on its named connection. */
export const MONGO_MODELS = [
  { name: MODEL.user, schema: UserSchema },
  { name: MODEL.session, schema: SessionSchema },
  { name: MODEL.conversation, schema: ConversationSchema },
  { name: MODEL.message, schema: MessageSchema },
  { name: MODEL.attachment, schema: AttachmentSchema },
  { name: MODEL.block, schema: BlockSchema },
  { name: MODEL.instanceSettings, schema: InstanceSettingsSchema },
  { name: MODEL.invite, schema: InviteSchema },
  { name: MODEL.report, schema: ReportSchema },
] as const;

/** Every port token this module provides, bound to its MongoDB implementation. */
const PORTS = [
  { provide: UsersRepository, useExisting: MongoUsersRepository },
  { provide: SessionsRepository, useExisting: MongoSessionsRepository },
  { provide: ConversationsRepository, useExisting: MongoConversationsRepository },
  { provide: MessagesRepository, useExisting: MongoMessagesRepository },
  { provide: AttachmentsRepository, useExisting: MongoAttachmentsRepository },
  { provide: BlocksRepository, useExisting: MongoBlocksRepository },
  { provide: InstanceRepository, useExisting: MongoInstanceRepository },
  { provide: StorageHealth, useExisting: MongoStorageHealth },
];

/**
 * The MongoDB adapter as a Nest module: @nestjs/mongoose opens one named connection (`forRoot`) and compiles
 * the models on it (`forFeature`); the repositories receive their models by injection. The module exports
 * the same tokens as the SQL adapter: UsersRepository, SessionsRepository, ConversationsRepository,
 * MessagesRepository, AttachmentsRepository, BlocksRepository, InstanceRepository and StorageHealth.
 * StorageModule selects it for `mongodb://` and `mongodb+srv://` URLs.
 *
 * Why @nestjs/mongoose rather than a hand-made connection provider: it already does what such a provider would
 * (connect at init with retries, one model per schema on a named connection, close on shutdown), and the
 * contract suite builds this very module, so tests and app share the wiring. The connection is named so that
 * nothing else in the app can pick it up by accident as "the default".
 *
 * The connection string is handed to the driver untouched and never logged (it may carry a password).
 */
@Module({})
export class MongoStorageModule {
  static forRoot(url: string, options: MongoStorageOptions = {}): DynamicModule {
    return {
      module: MongoStorageModule,
      imports: [
        MongooseModule.forRoot(url, mongoConnectionOptions(options)),
        MongooseModule.forFeature([...MONGO_MODELS], MONGO_CONNECTION_NAME),
      ],
      providers: [
        MongoUsersRepository,
        MongoSessionsRepository,
        MongoConversationsRepository,
        MongoMessagesRepository,
        MongoAttachmentsRepository,
        MongoBlocksRepository,
        MongoInstanceRepository,
        MongoStorageHealth,
        ...PORTS,
      ],
      exports: PORTS.map((port) => port.provide),
    };
  }
}
