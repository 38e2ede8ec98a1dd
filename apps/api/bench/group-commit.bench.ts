/**
 * Group-commit benchmark: would appending several messages in one statement (and one commit) make a message
 * cheaper for PostgreSQL? Prints figures, asserts nothing about time.
 *
 * Run (in apps/api), with a PostgreSQL server on this machine (its CPU is read from /proc):
 *   pnpm exec tsx bench/group-commit.bench.ts [postgres://postgres@127.0.0.1:5432/postgres]
 * A temporary database is made on that server and dropped after. Size: BENCH_APPENDS (default 6,000) per variant.
 *
 * Setup: 200 people in 20 groups of 10, ANALYZE. Variants, each appending BENCH_APPENDS text messages:
 * - `prepared statement per message`: the lone append statement (APPEND_STATEMENT: one call of the append
 *   function) as a named prepared statement, one message each, 20 in flight (one per group): how the API appended
 *   before group commit;
 * - `N a statement, one call a message`: the batch statement before migration 0009 (the append function, whose
 *   statements' plans PL/pgSQL caches for the session, called once per message) with N messages of N different
 *   groups, 2 to 8 statements in flight. One round trip, one statement and one commit then carry N messages;
 * - `N a statement, as a set`: the repository's batch statement now (APPEND_BATCH_STATEMENT,
 *   chat_append_messages_v8: the batch locked, checked and stored in two statements whatever its size), the same
 *   batches;
 * - `repository (group commit)`: MessagesRepository.append, what the API runs now, 20 appends in flight (one per
 *   group), batched by its GroupCommitQueue.
 * Figures per message: PostgreSQL CPU (every `postgres` process, from /proc), this process's CPU (the client
 * side: node-postgres, and for the last variant the repository), the whole machine's busy CPU (the cross-check),
 * and the rate reached.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { postgresUnderTest } from '../src/storage/contract/sql-harness.js';
import { testEnvironment } from '../src/storage/contract/probe-postgres.mjs';
import {
  APPEND_BATCH_STATEMENT,
  APPEND_PARAMETER_TYPES,
  APPEND_STATEMENT,
} from '../src/storage/sql/sql-messages.repository.js';
import { postgresCpuSample, postgresCpuSecondsBetween, sampleMachine } from './load/processes.js';

/**
 * The batch statement before the set append (migration 0009): the one-message function, chat_append_message_v7,
 * called once per element of the batch, in the array's order. Kept here as the set statement's baseline; the
 * function stays in the database for API processes of the previous version.
 */
const PER_MESSAGE_BATCH_STATEMENT = `
  SELECT r.*
    FROM jsonb_array_elements($1::jsonb) WITH ORDINALITY AS b(m, ord)
    CROSS JOIN LATERAL chat_append_message_v7(${APPEND_PARAMETER_TYPES.map((type, i) => `(b.m->>${i})::${type}`).join(', ')}) AS r
   ORDER BY b.ord
`;
const APPENDS = Number(process.env.BENCH_APPENDS ?? 6000);
const GROUPS = 20;
const MEMBERS = 10;
const BODY = 'a message of a few words, as most are';

interface Group {
  id: string;
  members: string[];
}

/** Figures of one variant. */
interface Figures {
  stored: number;
  ms: number;
  clientCpuMs: number;
  postgresCpuMs: number;
  /** Busy CPU time of the whole machine (every process, the kernel included): the cross-check. */
  machineCpuMs: number;
}

async function measure(run: () => Promise<void>, count: () => Promise<number>): Promise<Figures> {
  const before = await count();
  const cpu = process.cpuUsage();
  const postgres = postgresCpuSample();
  const machine = sampleMachine();
  const start = performance.now();
  await run();
  const ms = performance.now() - start;
  const used = process.cpuUsage(cpu);
  const postgresCpuMs = postgresCpuSecondsBetween(postgres, postgresCpuSample()) * 1000;
  // /proc/stat counts in clock ticks of 10 ms (USER_HZ 100).
  const machineCpuMs = (sampleMachine().busy - machine.busy) * 10;
  return {
    stored: (await count()) - before,
    ms,
    clientCpuMs: (used.user + used.system) / 1000,
    postgresCpuMs,
    machineCpuMs,
  };
}

function print(label: string, f: Figures): void {
  console.log(
    `${label.padEnd(30)} | ${f.stored} stored | ${Math.round((f.stored / f.ms) * 1000)
      .toString()
      .padStart(
        5,
      )} msg/s | PostgreSQL ${(f.postgresCpuMs / f.stored).toFixed(3)} CPU ms/msg | client ${(
      f.clientCpuMs / f.stored
    ).toFixed(3)} CPU ms/msg | machine ${(f.machineCpuMs / f.stored).toFixed(3)} CPU ms/msg`,
  );
}

async function main(): Promise<void> {
  const adminUrl = process.argv[2] ?? testEnvironment().postgresUrl;
  const storage = await postgresUnderTest(adminUrl);
  const pool = new pg.Pool({ connectionString: storage.databaseUrl, max: 10 });
  try {
    const { users, conversations, messages } = storage.repos;
    const groups: Group[] = [];
    for (let g = 0; g < GROUPS; g++) {
      const members: string[] = [];
      for (let m = 0; m < MEMBERS; m++) {
        const user = await users.create({
          username: `bench_${g}_${m}`,
          displayName: `Bench ${g} ${m}`,
          passwordHash: 'x',
        });
        members.push(user.id);
      }
      const { conversation } = await conversations.createGroup({
        title: `group ${g}`,
        createdBy: members[0]!,
        memberIds: members,
      });
      groups.push({ id: conversation.id, members });
    }
    await pool.query('ANALYZE');
    const count = async () =>
      (await pool.query<{ n: number }>('SELECT count(*)::integer AS n FROM messages')).rows[0]!.n;
    console.log(
      `group-commit bench: PostgreSQL (temporary database), ${GROUPS} groups of ${MEMBERS}, ${APPENDS} appends a variant; node ${process.version}`,
    );

    let sent = 0;
    /** The append function's 16 parameters for a text message of `group` (see APPEND_STATEMENT). */
    const appendValues = (group: Group) => [
      group.id,
      group.members[sent++ % MEMBERS]!,
      randomUUID(),
      randomUUID(),
      'text',
      BODY,
      null,
      true,
      '{}',
      0,
      '{}',
      0,
      false,
      null,
      false,
      true,
    ];
    print(
      'prepared statement per message',
      await measure(async () => {
        await Promise.all(
          groups.map(async (group) => {
            for (let i = 0; i < APPENDS / GROUPS; i++) {
              await pool.query({
                name: 'bench_single',
                text: APPEND_STATEMENT,
                values: appendValues(group),
              });
            }
          }),
        );
      }, count),
    );

    const shapes = [
      ['one call a message', 'bench_per_message', PER_MESSAGE_BATCH_STATEMENT],
      ['as a set', 'bench_set', APPEND_BATCH_STATEMENT],
    ] as const;
    for (const [size, inFlight, [shape, name, text]] of [1, 5, 10, 20].flatMap((size) =>
      shapes.map((shape) => [size, size === 1 ? 8 : size === 5 ? 4 : 2, shape] as const),
    )) {
      // N different groups, sorted by id (the per-message statement locks in the array's order).
      const batch = () =>
        JSON.stringify(
          [...groups]
            .sort(() => Math.random() - 0.5)
            .slice(0, size)
            .sort((a, b) => (a.id < b.id ? -1 : 1))
            .map(appendValues),
        );
      print(
        `${size} a statement, ${shape}`,
        await measure(async () => {
          let left = APPENDS;
          await Promise.all(
            Array.from({ length: inFlight }, async () => {
              while (left > 0) {
                left -= size;
                await pool.query({
                  name,
                  text,
                  values: [batch()],
                });
              }
            }),
          );
        }, count),
      );
    }
    print(
      'repository (group commit)',
      await measure(async () => {
        await Promise.all(
          groups.map(async (group) => {
            for (let i = 0; i < APPENDS / GROUPS; i++) {
              await messages.append({
                conversationId: group.id,
                senderId: group.members[i % MEMBERS]!,
                clientMessageId: randomUUID(),
                kind: 'text',
                body: BODY,
                requireActiveSender: true,
                requireConsent: true,
              });
            }
          }),
        );
      }, count),
    );
  } finally {
    await pool.end();
    await storage.close();
  }
}

await main();
