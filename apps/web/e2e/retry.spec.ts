import { expect, test } from '@playwright/test';
import type { MessagePage } from '@chat/shared';
import { API_URL } from './env';
import { makePerson, registerViaApi, registerViaUi, send, startConversation } from './fixtures';

test('a send whose confirmation is lost shows as failed, and Retry stores it exactly once', async ({
  page,
  request,
}) => {
  const kai = makePerson('kai');
  const jill = makePerson('jill');
  const kaiAuth = await registerViaApi(request, kai);

  // Sit between the page and the API's Socket.IO endpoint. While `swallow` is set, every frame from the
  // server that mentions it (the ack and the echo to the sender's own room) is dropped: the server stores
  // the message, but the page never hears back.
  let swallow: string | null = null;
  await page.routeWebSocket(/\/socket\.io\//, (ws) => {
    const server = ws.connectToServer();
    ws.onMessage((frame) => server.send(frame));
    server.onMessage((frame) => {
      if (swallow && typeof frame === 'string' && frame.includes(swallow)) return;
      ws.send(frame);
    });
  });

  await registerViaUi(page, jill);
  await startConversation(page, kai);
  await send(page, 'First, confirmed at once');
  await expect(
    page.getByTestId('message').filter({ hasText: 'First, confirmed at once' }),
  ).toHaveAttribute('data-status', 'sent');

  const text = 'Second, confirmation lost';
  swallow = text;
  await send(page, text);
  const second = page.getByTestId('message').filter({ hasText: text });
  await expect(second).toHaveAttribute('data-status', 'pending');
  // The outbox tries 3 times (SEND_ACK_TIMEOUT_MS 10 s each, with up to 1 s and 2 s of backoff between) first.
  await expect(second).toHaveAttribute('data-status', 'failed', { timeout: 45_000 });
  await expect(second.getByRole('alert')).toContainText('did not confirm');

  swallow = null;
  await second.getByRole('button', { name: 'Retry' }).click();
  await expect(second).toHaveAttribute('data-status', 'sent');
  await expect(page.getByText(text, { exact: true })).toHaveCount(1);

  // The retry reused the clientMessageId, so the server kept one copy, not two.
  const conversationId = page.url().split('/c/')[1];
  const history = await request.get(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${kaiAuth.accessToken}` },
  });
  expect(history.ok(), await history.text()).toBe(true);
  const bodies = ((await history.json()) as MessagePage).items.map((m) => m.body);
  expect(bodies).toEqual(['First, confirmed at once', text]);
});
