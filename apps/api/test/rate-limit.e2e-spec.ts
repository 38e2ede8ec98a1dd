/**
 * The per-person write limit (WriteRateLimiter) over real sockets and REST: 1 write a second after a burst of 3.
 * Each test's writes go out together (emitted without waiting), so they reach the server within one window even on
 * a slow machine.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { type Ack, ErrorCode, type Message } from '@chat/shared';
import { connect, type ClientSocket } from './support/sockets.js';
import { callAs, directPair, useTestApp } from './support/suite.js';

const t = useTestApp({ WRITE_RATE_PER_SECOND: '1', WRITE_RATE_BURST: '3' });
const call = callAs(t);

/** Emits `count` sends at once and resolves with their acks in order. */
function sendBurst(socket: ClientSocket, conversationId: string, count: number) {
  return Promise.all(
    Array.from(
      { length: count },
      (_, i) =>
        socket.timeout(5000).emitWithAck('message:send', {
          conversationId,
          clientMessageId: randomUUID(),
          body: `burst ${i}`,
        }) as Promise<Ack<Message>>,
    ),
  );
}

describe('write rate limit', () => {
  it('refuses a socket send beyond the burst with RATE_LIMITED and retryAfterMs, and accepts it after the wait', async () => {
    const { a, b, conversation } = await directPair(t, 'rl');
    const aSocket = await connect(t.baseUrl, a.accessToken);
    const bSocket = await connect(t.baseUrl, b.accessToken);

    const acks = await sendBurst(aSocket, conversation.id, 4);
    expect(acks.slice(0, 3).every((ack) => ack.ok)).toBe(true);
    const refused = acks[3]!;
    expect(refused).toEqual({
      ok: false,
      error: {
        code: ErrorCode.RATE_LIMITED,
        message: expect.any(String),
        retryAfterMs: expect.any(Number),
      },
    });
    const wait = refused.ok ? 0 : refused.error.retryAfterMs!;
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(1000);

    // Someone else's allowance is their own: b still sends at once.
    const [bAck] = await sendBurst(bSocket, conversation.id, 1);
    expect(bAck?.ok).toBe(true);

    // Nothing of the refused send was stored: history holds the three, then b's.
    await new Promise((resolve) => setTimeout(resolve, wait));
    const [again] = await sendBurst(aSocket, conversation.id, 1);
    expect(again).toMatchObject({ ok: true, data: { seq: 5 } });
  });

  it('counts typing and receipts against the same allowance', async () => {
    const { a, conversation } = await directPair(t, 'rt');
    const socket = await connect(t.baseUrl, a.accessToken);
    const typing = socket
      .timeout(5000)
      .emitWithAck('typing:update', { conversationId: conversation.id, typing: true });
    const receipt = socket
      .timeout(5000)
      .emitWithAck('receipt:update', { conversationId: conversation.id, readSeq: 0 });
    const [typingAck, receiptAck, [sendAck, refusedAck]] = await Promise.all([
      typing,
      receipt,
      sendBurst(socket, conversation.id, 2),
    ]);
    expect([typingAck.ok, receiptAck.ok, sendAck?.ok]).toEqual([true, true, true]);
    expect(refusedAck).toMatchObject({ ok: false, error: { code: ErrorCode.RATE_LIMITED } });
  });

  it('answers the REST twin beyond the limit with 429, Retry-After and retryAfterMs', async () => {
    const { a, conversation } = await directPair(t, 'rr');
    const path = `/api/conversations/${conversation.id}/messages`;
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        call(a, 'POST', path, { clientMessageId: randomUUID(), body: 'x' }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 429]);
    const refused = results.find((r) => r.status === 429)!;
    expect(refused.body).toMatchObject({
      statusCode: 429,
      code: ErrorCode.RATE_LIMITED,
      retryAfterMs: expect.any(Number),
    });
    expect(refused.headers.get('retry-after')).toBe('1');
  });
});
