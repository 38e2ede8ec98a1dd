import { expect, test, type WebSocketRoute } from '@playwright/test';
import type { SendMessageBody } from '@chat/shared';
import { API_URL } from './env';
import {
  makePerson,
  messageBodies,
  registerViaApi,
  registerViaUi,
  send,
  startConversation,
} from './fixtures';

test('after the real-time link drops, reconnecting fetches what was missed', async ({
  page,
  request,
}) => {
  const milo = makePerson('milo');
  const lena = makePerson('lena');
  const miloAuth = await registerViaApi(request, milo);

  // Control the page's Socket.IO link: while `offline`, open sockets are closed and new attempts are held
  // unanswered (as on a dead network) until the link comes back. REST stays up throughout.
  let offline = false;
  const open = new Set<WebSocketRoute>();
  const held: WebSocketRoute[] = [];
  const wire = (ws: WebSocketRoute) => {
    const server = ws.connectToServer();
    open.add(ws);
    ws.onMessage((frame) => server.send(frame));
    server.onMessage((frame) => ws.send(frame));
    ws.onClose(() => open.delete(ws));
  };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => (offline ? held.push(ws) : wire(ws)));
  await page.route(/\/socket\.io\/.*transport=polling/, (route) =>
    offline ? route.abort() : route.fallback(),
  );

  await registerViaUi(page, lena);
  await startConversation(page, milo);
  await send(page, 'Talk later?');
  await expect(page.getByTestId('message').filter({ hasText: 'Talk later?' })).toHaveAttribute(
    'data-status',
    'sent',
  );
  const conversationId = page.url().split('/c/')[1] ?? '';

  offline = true;
  for (const ws of open) await ws.close({ code: 1001 });
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();

  // Milo answers (over REST) while Lena's page cannot hear it.
  const body: SendMessageBody = {
    clientMessageId: crypto.randomUUID(),
    body: 'Sure, ping me when you are back',
  };
  const sent = await request.post(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${miloAuth.accessToken}` },
    data: body,
  });
  expect(sent.ok(), await sent.text()).toBe(true);
  await page.waitForTimeout(1_000);
  await expect(page.getByText(body.body, { exact: true })).toHaveCount(0);

  offline = false;
  for (const ws of held.splice(0)) wire(ws);
  // The held attempt (or Socket.IO's next one) now connects, and on connect the page catches up by seq.
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeHidden({
    timeout: 15_000,
  });
  await expect(messageBodies(page)).toHaveText(['Talk later?', body.body]);
  await expect(
    page.getByTestId('conversation-item').filter({ hasText: milo.displayName }),
  ).toContainText(body.body);
});
