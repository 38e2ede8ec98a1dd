/**
 * Port for the storage lifecycle: health probes and shutdown. Each adapter module provides it.
 */
export abstract class StorageHealth {
  /** 'pglite', 'postgres' or 'mongodb'. */
  abstract readonly driver: string;
  /** Round trip of a trivial query, in milliseconds. @throws when the database does not answer. */
  abstract ping(): Promise<number>;
  /** Closes connections; called once on shutdown. */
  abstract close(): Promise<void>;
}
