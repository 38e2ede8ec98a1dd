/**
 * Message search benchmark: prints figures, asserts nothing about time.
 *
 * Run (in apps/api):
 *   pnpm exec tsx bench/search.bench.ts                       # in-memory PGlite
 *   pnpm exec tsx bench/search.bench.ts postgres://postgres@127.0.0.1:5432/test
 *                                                             # a temporary database on that server, dropped after
 * Sizes from the environment: BENCH_MESSAGES (default 1,000,000), BENCH_CONVERSATIONS (default 1,000),
 * BENCH_QUERIES (default 200); BENCH_KEEP=1 keeps the PostgreSQL database for EXPLAIN (drop it yourself). `BENCH_MESSAGES=20000 BENCH_CONVERSATIONS=50 BENCH_QUERIES=20` is a smoke run.
 *
 * Data: 200 users; conversations of 10 members each; messages of 4..14 words drawn from a 5,000-word vocabulary
 * with a Zipf-like skew (word rank = floor(5000^u), u uniform: a few very common words, a long tail), spread over
 * one year. They are bulk-loaded with multi-row inserts straight into the table (50,000 rows a statement, the
 * texts sent as one array parameter and unnested by the server; no repository per row); the GIN index is dropped for the load and built after, as PostgreSQL's manual advises for bulk
 * loads, "Populating a Database", 14.4). Searches go through MessagesRepository.search, the code the API runs
 * (one statement + the page's attachments), for two people: one in 100 conversations (100k messages readable at
 * the default size) and one in all of them. Queries: two words of rank 20..1000 (common but not stop-word common),
 * then the same with the second word still being typed (prefix), first page of 20.
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { openSqlDatabase, type SqlDatabase } from '../src/storage/sql/sql-database.js';
import { sqlStorageOver } from '../src/storage/sql/sql-storage.js';

const MESSAGES = Number(process.env.BENCH_MESSAGES ?? 1_000_000);
const CONVERSATIONS = Number(process.env.BENCH_CONVERSATIONS ?? 1_000);
const QUERIES = Number(process.env.BENCH_QUERIES ?? 200);
const USERS = 200;
const MEMBERS = 10;
const VOCABULARY = 5_000;
const BATCH = 50_000;
const postgresUrl = process.argv[2];

/** Deterministic pseudo-random numbers (mulberry32), so runs draw the same queries. */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Pronounceable made-up words ("tomaber", "kilu"...), distinct, some with accents to exercise unaccent. */
function vocabulary(n: number): string[] {
  const rnd = random(7);
  const syllables = [
    'ka',
    'lo',
    'mi',
    'ne',
    'su',
    'ta',
    'be',
    'ri',
    'do',
    'fé',
    'gu',
    'pa',
    'zo',
    'vi',
    'ché',
    'ru',
  ];
  const words = new Set<string>();
  while (words.size < n) {
    const length = 2 + Math.floor(rnd() * 3);
    let word = '';
    for (let i = 0; i < length; i++) word += syllables[Math.floor(rnd() * syllables.length)];
    words.add(word);
  }
  return [...words];
}

function stats(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) =>
    sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
  const mean = sorted.reduce((s, x) => s + x, 0) / sorted.length;
  return `mean ${mean.toFixed(1)} ms, p50 ${at(0.5).toFixed(1)} ms, p95 ${at(0.95).toFixed(1)} ms, max ${at(1).toFixed(1)} ms (n=${sorted.length})`;
}

async function openTarget(): Promise<{ database: SqlDatabase; drop: () => Promise<void> }> {
  if (!postgresUrl)
    return {
      database: await openSqlDatabase({ kind: 'pglite', dataDir: null }),
      drop: async () => {},
    };
  const name = `chat_search_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.pathname = `/${name}`;
  const database = await openSqlDatabase({ kind: 'postgres', url: url.toString() });
  return {
    database,
    drop: async () => {
      if (process.env.BENCH_KEEP === '1') {
        console.log(`kept database ${name} (BENCH_KEEP=1): drop it yourself`);
        return;
      }
      const dropper = new pg.Client({ connectionString: postgresUrl });
      await dropper.connect();
      await dropper.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await dropper.end();
    },
  };
}

async function main(): Promise<void> {
  const started = performance.now();
  const { database, drop } = await openTarget();
  const storage = sqlStorageOver(database);
  const db = database.db;
  const exec = (query: ReturnType<typeof sql>) => db.execute(query);
  console.log(
    `search bench: ${postgresUrl ? 'PostgreSQL (temporary database)' : 'PGlite (in memory)'}; ${MESSAGES} messages, ${CONVERSATIONS} conversations; node ${process.version}`,
  );
  try {
    const userIds: string[] = [];
    for (let i = 0; i < USERS; i++) {
      const user = await storage.users.create({
        username: `sb${i}`,
        displayName: `Search Bench ${i}`,
        passwordHash: 'x',
      });
      userIds.push(user.id);
    }
    const reader = userIds[0]!; // member of the first 100 conversations
    const everywhere = userIds[1]!; // member of all of them
    const words = vocabulary(VOCABULARY);
    const users = `{${userIds.join(',')}}`;

    let t0 = performance.now();
    // Conversations and members: member k of conversation c is user (c * 7 + k) % USERS, plus the two readers.
    await exec(sql`
      INSERT INTO conversations (id, type, title, created_by, last_seq, last_activity_at, created_at, updated_at)
      SELECT gen_random_uuid(), 'group', 'Bench ' || c, (${users}::uuid[])[1 + (c * 7) % ${USERS}], 0, now(), now(), now()
        FROM generate_series(0, ${CONVERSATIONS - 1}::int) AS c`);
    await exec(sql`CREATE TEMP TABLE bench_conv AS
      SELECT id, row_number() OVER (ORDER BY id) - 1 AS c FROM conversations`);
    await exec(sql`
      INSERT INTO conversation_members (conversation_id, user_id, role, joined_at)
      SELECT DISTINCT ON (bc.id, u.user_id) bc.id, u.user_id, 'member', now() - interval '400 days'
        FROM bench_conv bc,
             LATERAL (SELECT (${users}::uuid[])[1 + (bc.c * 7 + k) % ${USERS}] AS user_id
                        FROM generate_series(0, ${MEMBERS - 1}::int) AS k
                      UNION ALL SELECT ${everywhere}::uuid
                      UNION ALL SELECT ${reader}::uuid WHERE bc.c < 100) AS u`);
    console.log(`setup (users, conversations, members): ${(performance.now() - t0).toFixed(0)} ms`);

    t0 = performance.now();
    await exec(sql`DROP INDEX messages_search_idx`);
    await exec(sql`CREATE TEMP TABLE bench_users AS
      SELECT k::int - 1 AS k, id FROM unnest(${users}::uuid[]) WITH ORDINALITY AS u(id, k)`);
    const perConversation = Math.ceil(MESSAGES / CONVERSATIONS);
    const textRnd = random(1);
    for (let from = 0; from < MESSAGES; from += BATCH) {
      const to = Math.min(MESSAGES, from + BATCH);
      // Bodies are drawn here (fast in JS) and sent as one array per statement: a multi-row insert of BATCH rows.
      const bodies: string[] = [];
      for (let i = from; i < to; i++) {
        const count = 4 + Math.floor(textRnd() * 11);
        const parts: string[] = [];
        for (let w = 0; w < count; w++)
          parts.push(words[Math.max(0, Math.floor(Math.pow(VOCABULARY, textRnd())) - 1)]!);
        bodies.push(parts.join(' '));
      }
      const bodyArray = `{${bodies.map((body) => `"${body}"`).join(',')}}`;
      // Message i belongs to conversation i % CONVERSATIONS with seq i / CONVERSATIONS + 1; its sender is one of
      // that conversation's members; its time steps 30 s per message towards now.
      await exec(sql`
        INSERT INTO messages (id, conversation_id, seq, sender_id, client_message_id, kind, body, created_at)
        SELECT gen_random_uuid(), bc.id, (b.i - 1 + ${from}::int) / ${CONVERSATIONS}::int + 1, bu.id,
               'b' || (b.i - 1 + ${from}::int), 'text', b.body,
               now() - (${MESSAGES}::int - (b.i - 1 + ${from}::int)) * interval '30 seconds'
          FROM unnest(${bodyArray}::text[]) WITH ORDINALITY AS b(body, i)
          JOIN bench_conv bc ON bc.c = (b.i - 1 + ${from}::int) % ${CONVERSATIONS}::int
          JOIN bench_users bu ON bu.k = (bc.c * 7 + (b.i - 1 + ${from}::int) % ${MEMBERS}::int) % ${USERS}::int`);
      process.stdout.write(
        `  loaded ${to} messages, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`,
      );
    }
    await exec(sql`UPDATE conversations SET last_seq = ${perConversation}::int`);
    const loadMs = performance.now() - t0;
    t0 = performance.now();
    await exec(sql`CREATE INDEX messages_search_idx ON messages USING gin (search_vector)`);
    await exec(sql`ANALYZE`);
    console.log(
      `bulk load: ${(loadMs / 1000).toFixed(1)} s (${Math.round(MESSAGES / (loadMs / 1000))} rows/s); GIN index + ANALYZE: ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );

    const rnd = random(42);
    const pick = () => words[20 + Math.floor(Math.pow(980, rnd()))]!;
    const pairs = Array.from({ length: QUERIES }, () => [pick(), pick()] as const);
    for (const [who, label] of [
      [reader, 'member of 100 conversations'],
      [everywhere, `member of all ${CONVERSATIONS} conversations`],
    ] as const) {
      for (const mode of ['two words', 'two words, second being typed (prefix)'] as const) {
        const samples: number[] = [];
        let hits = 0;
        // Two warm-up queries (plan caches, first page reads), not counted.
        for (const [i, [a, b]] of [...pairs.slice(0, 2), ...pairs].entries()) {
          const query =
            mode === 'two words' ? `${a} ${b}` : `${a} ${b.slice(0, Math.max(2, b.length - 2))}`;
          const start = performance.now();
          const page = await storage.messages.search({ userId: who, query, limit: 20 });
          if (i >= 2) {
            samples.push(performance.now() - start);
            hits += page.items.length;
          }
        }
        console.log(
          `search, ${label}, ${mode}: ${stats(samples)}; ${(hits / samples.length).toFixed(1)} hits per page`,
        );
      }
    }
  } finally {
    await storage.health.close();
    await drop();
  }
  console.log(`total ${((performance.now() - started) / 1000).toFixed(0)} s`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
