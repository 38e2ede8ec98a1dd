import { describeStorageContract } from '../contract/storage.contract.js';
import { pgliteUnderTest } from '../contract/sql-harness.js';

// One in-memory PGlite for the whole file (a new instance costs 1-2 s); TRUNCATE between tests.
describeStorageContract('sql on pglite (in memory)', pgliteUnderTest);
