/**
 * Storage benchmark: prints figures, asserts nothing about time.
 *
 * Run (in apps/api):
 *   pnpm exec tsx bench/storage.bench.ts                      # in-memory PGlite
 *   pnpm exec tsx bench/storage.bench.ts postgres://postgres@127.0.0.1:5432/test
 *                                                             # a temporary database on that server, dropped after
 *
 * Measures: opening + migrating; message appends per second, sequential and 20-way concurrent (into one hot
 * conversation, and spread over 20 conversations); listForUser latency (first page of 30, and walking every page)
 * for a member of 200 conversations with a few messages each. Sizes are modest so a run takes seconds.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { postgresUnderTest, pgliteUnderTest } from '../src/storage/contract/sql-harness.js';
import type { StorageUnderTest } from '../src/storage/contract/storage.contract.js';
import type { UserRecord } from '../src/storage/storage.types.js';

const SEQUENTIAL_APPENDS = 1000;
const CONCURRENCY = 20;
const APPENDS_PER_WORKER = 50;
const CONVERSATIONS = 200;
const MESSAGES_PER_CONVERSATION = 3;
const LIST_RUNS = 50;
const PAGE = 30;

const postgresUrl = process.argv[2];

function stats(samplesMs: number[]): string {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return `mean ${mean.toFixed(2)} ms, p50 ${at(0.5).toFixed(2)} ms, p95 ${at(0.95).toFixed(2)} ms, max ${at(1).toFixed(2)} ms`;
}

async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const value = await fn();
  return [value, performance.now() - start];
}

async function main(): Promise<void> {
  const label = postgresUrl
    ? 'sql on postgresql (temporary database)'
    : 'sql on pglite (in memory)';
  const [storage, openMs] = await timed<StorageUnderTest>(() =>
    postgresUrl ? postgresUnderTest(postgresUrl) : pgliteUnderTest(),
  );
  console.log(`storage bench: ${label}; node ${process.version}`);
  console.log(`open + migrate: ${openMs.toFixed(0)} ms`);
  const { users, conversations, messages } = storage.repos;
  try {
    const makeUser = (i: number) =>
      users.create({ username: `bench${i}`, displayName: `Bench User ${i}`, passwordHash: 'x' });
    const me = await makeUser(0);
    const others: UserRecord[] = [];
    for (let i = 1; i <= CONVERSATIONS; i++) others.push(await makeUser(i));
    const convIds: string[] = [];
    for (const other of others) {
      convIds.push(
        (await conversations.findOrCreateDirect(me.id, other.id, me.id)).conversation.id,
      );
    }
    const send = (conversationId: string, sender: UserRecord) =>
      messages.append({
        conversationId,
        senderId: sender.id,
        clientMessageId: randomUUID(),
        kind: 'text',
        body: 'benchmark message body of a realistic, short length',
      });
    const hot = convIds[0]!;

    const [, seqMs] = await timed(async () => {
      for (let i = 0; i < SEQUENTIAL_APPENDS; i++) await send(hot, me);
    });
    console.log(
      `append, sequential: ${SEQUENTIAL_APPENDS} in ${seqMs.toFixed(0)} ms = ` +
        `${((SEQUENTIAL_APPENDS / seqMs) * 1000).toFixed(0)} msg/s`,
    );

    const total = CONCURRENCY * APPENDS_PER_WORKER;
    const worker = async (conversationId: string) => {
      for (let i = 0; i < APPENDS_PER_WORKER; i++) await send(conversationId, me);
    };
    const [, hotMs] = await timed(() =>
      Promise.all(Array.from({ length: CONCURRENCY }, () => worker(hot))),
    );
    console.log(
      `append, ${CONCURRENCY}-way concurrent, one conversation: ${total} in ${hotMs.toFixed(0)} ms = ` +
        `${((total / hotMs) * 1000).toFixed(0)} msg/s`,
    );
    const [, spreadMs] = await timed(() =>
      Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => worker(convIds[i + 1]!))),
    );
    console.log(
      `append, ${CONCURRENCY}-way concurrent, ${CONCURRENCY} conversations: ${total} in ${spreadMs.toFixed(0)} ms = ` +
        `${((total / spreadMs) * 1000).toFixed(0)} msg/s`,
    );
    const hotSeq = (await conversations.findById(hot))?.lastSeq;
    console.log(`  (hot conversation lastSeq ${hotSeq}, expected ${SEQUENTIAL_APPENDS + total})`);

    // Give every conversation a few messages from the other side, so last messages and unread counts are real.
    for (const [i, conversationId] of convIds.entries()) {
      for (let m = 0; m < MESSAGES_PER_CONVERSATION; m++) await send(conversationId, others[i]!);
    }

    const firstPage: number[] = [];
    for (let run = 0; run < LIST_RUNS; run++) {
      const [page, ms] = await timed(() => conversations.listForUser(me.id, { limit: PAGE }));
      if (page.items.length !== PAGE)
        throw new Error(`expected a full page, got ${page.items.length}`);
      firstPage.push(ms);
    }
    console.log(
      `listForUser, first page of ${PAGE} among ${CONVERSATIONS} conversations (${LIST_RUNS} runs): ${stats(firstPage)}`,
    );

    const walks: number[] = [];
    for (let run = 0; run < 10; run++) {
      const [count, ms] = await timed(async () => {
        let cursor: string | null = null;
        let seen = 0;
        do {
          const page = await conversations.listForUser(me.id, { cursor, limit: PAGE });
          seen += page.items.length;
          cursor = page.nextCursor;
        } while (cursor);
        return seen;
      });
      if (count !== CONVERSATIONS) throw new Error(`walk saw ${count} conversations`);
      walks.push(ms);
    }
    console.log(
      `listForUser, walking all ${Math.ceil(CONVERSATIONS / PAGE)} pages (10 runs): ${stats(walks)}`,
    );

    const history: number[] = [];
    for (let run = 0; run < LIST_RUNS; run++) {
      history.push((await timed(() => messages.listPage(hot, { limit: 50 })))[1]);
    }
    console.log(`listPage, newest 50 of ${hotSeq} messages (${LIST_RUNS} runs): ${stats(history)}`);
  } finally {
    await storage.close();
  }
}

await main();
