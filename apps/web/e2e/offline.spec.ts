import { expect, test, type Page, type WebSocketRoute } from '@playwright/test';
import type { MessagePage } from '@chat/shared';
import { API_URL } from './env';
import {
  makePerson,
  messageBodies,
  registerViaApi,
  registerViaUi,
  send,
  startConversation,
} from './fixtures';

/** The bubble of one message (by its exact text) on a page. */
function bubble(page: Page, text: string) {
  return page.getByTestId('message').filter({ has: page.getByText(text, { exact: true }) });
}

test('offline on both sides: every message arrives exactly once, in order, on both sides', async ({
  browser,
}) => {
  const ana = makePerson('ana');
  const ben = makePerson('ben');
  const anaContext = await browser.newContext();
  const benContext = await browser.newContext();
  const anaPage = await anaContext.newPage();
  const benPage = await benContext.newPage();
  await registerViaUi(anaPage, ana);
  await registerViaUi(benPage, ben);
  await startConversation(anaPage, ben);
  await send(anaPage, 'Hello Ben');
  await benPage.getByTestId('conversation-item').filter({ hasText: ana.displayName }).click();
  await expect(messageBodies(benPage)).toHaveText(['Hello Ben']);

  // Ben's network goes away. Ana writes; Ben cannot hear it.
  await benContext.setOffline(true);
  await expect(benPage.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
  await send(anaPage, 'Are you there?');
  await expect(bubble(anaPage, 'Are you there?')).toHaveAttribute('data-status', 'sent');

  // Ben writes two messages while offline: shown at once, pending.
  await send(benPage, 'Writing from the tunnel');
  await send(benPage, 'Second one, still offline');
  await expect(bubble(benPage, 'Writing from the tunnel')).toHaveAttribute(
    'data-status',
    'pending',
  );
  await expect(bubble(benPage, 'Second one, still offline')).toHaveAttribute(
    'data-status',
    'pending',
  );
  await expect(bubble(benPage, 'Writing from the tunnel')).toHaveAttribute(
    'data-receipt',
    'pending',
  );
  await expect(benPage.getByText('Are you there?', { exact: true })).toHaveCount(0);

  // Back online: Ben's outbox drains (same clientMessageIds) and his page catches up by seq.
  await benContext.setOffline(false);
  const expected = [
    'Hello Ben',
    'Are you there?',
    'Writing from the tunnel',
    'Second one, still offline',
  ];
  await expect(messageBodies(benPage)).toHaveText(expected, { timeout: 20_000 });
  await expect(messageBodies(anaPage)).toHaveText(expected);
  for (const text of expected.slice(2)) {
    await expect(bubble(benPage, text)).toHaveAttribute('data-status', 'sent');
  }
  await expect(benPage.getByRole('status').filter({ hasText: 'Back online' })).toBeVisible();

  // Nothing more arrives later (no duplicate from a late retry).
  await anaPage.waitForTimeout(1_500);
  await expect(messageBodies(anaPage)).toHaveText(expected);
  await expect(messageBodies(benPage)).toHaveText(expected);
  await anaContext.close();
  await benContext.close();
});

test('a reload while a message is pending still sends it, once', async ({ page, request }) => {
  const cleo = makePerson('cleo');
  const dan = makePerson('dan');
  const danAuth = await registerViaApi(request, dan);

  // Hold the page's Socket.IO link while `blocked` (new attempts wait unanswered, as on a dead network); page
  // loads and REST keep working, so the page can be reloaded while its message is still in the outbox.
  let blocked = false;
  const open = new Set<WebSocketRoute>();
  const held: WebSocketRoute[] = [];
  const wire = (ws: WebSocketRoute) => {
    const server = ws.connectToServer();
    open.add(ws);
    ws.onMessage((frame) => server.send(frame));
    server.onMessage((frame) => ws.send(frame));
    ws.onClose(() => open.delete(ws));
  };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => (blocked ? held.push(ws) : wire(ws)));
  await page.route(/\/socket\.io\/.*transport=polling/, (route) =>
    blocked ? route.abort() : route.fallback(),
  );

  await registerViaUi(page, cleo);
  await startConversation(page, dan);
  const conversationId = page.url().split('/c/')[1] ?? '';

  blocked = true;
  for (const ws of open) await ws.close({ code: 1001 });
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
  await send(page, 'Sent across a reload');
  await expect(bubble(page, 'Sent across a reload')).toHaveAttribute('data-status', 'pending');

  await page.reload();
  // Restored from IndexedDB, still pending (the link is still down).
  await expect(bubble(page, 'Sent across a reload')).toHaveAttribute('data-status', 'pending');

  blocked = false;
  for (const ws of held.splice(0)) wire(ws);
  await expect(bubble(page, 'Sent across a reload')).toHaveAttribute('data-status', 'sent', {
    timeout: 20_000,
  });
  await expect(page.getByText('Sent across a reload', { exact: true })).toHaveCount(1);

  const history = await request.get(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${danAuth.accessToken}` },
  });
  expect(history.ok(), await history.text()).toBe(true);
  const bodies = ((await history.json()) as MessagePage).items.map((m) => m.body);
  expect(bodies).toEqual(['Sent across a reload']);
});

test('read receipts: the tick turns read when the recipient opens the conversation; presence and typing show', async ({
  browser,
}) => {
  const eva = makePerson('eva');
  const finn = makePerson('finn');
  const evaContext = await browser.newContext();
  const finnContext = await browser.newContext();
  const evaPage = await evaContext.newPage();
  const finnPage = await finnContext.newPage();
  await registerViaUi(evaPage, eva);
  await registerViaUi(finnPage, finn);
  await startConversation(evaPage, finn);

  // Finn is connected (on the list), so the message reaches a device of his: delivered, not read.
  await send(evaPage, 'Did you see this?');
  const mine = bubble(evaPage, 'Did you see this?');
  await expect(mine).toHaveAttribute('data-receipt', 'delivered');
  await expect(evaPage.getByTestId('presence-line')).toHaveText('online');
  await expect(finnPage).toHaveTitle('(1) Relay chat');

  await finnPage.getByTestId('conversation-item').filter({ hasText: eva.displayName }).click();
  await expect(mine).toHaveAttribute('data-receipt', 'read');
  await expect(finnPage).toHaveTitle('Relay chat');

  // Typing reaches the other side and goes away when the text is cleared.
  const composer = finnPage.getByLabel('Message', { exact: true });
  await composer.fill('Yes, I');
  await expect(evaPage.getByTestId('typing-line')).toHaveText(`${finn.displayName} is typing…`);
  await composer.fill('');
  await expect(evaPage.getByTestId('typing-line')).toHaveText('');

  // Finn leaves: Eva sees "last seen" after the grace period.
  await finnContext.close();
  await expect(evaPage.getByTestId('presence-line')).toHaveText(/last seen/, { timeout: 15_000 });
  await evaContext.close();
});
