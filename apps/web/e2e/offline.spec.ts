import { expect, test, type Page } from '@playwright/test';
import type { MessagePage } from '@chat/shared';
import { API_URL } from './env';
import {
  controlSocketLink,
  conversationItem,
  messageBodies,
  openConversationId,
  send,
  signUpWithContacts,
  startConversation,
  twoPeopleInConversation,
} from './fixtures';

/** The bubble of one message (by its exact text) on a page. */
function bubble(page: Page, text: string) {
  return page.getByTestId('message').filter({ has: page.getByText(text, { exact: true }) });
}

test('offline on both sides: every message arrives exactly once, in order, on both sides', async ({
  browser,
}) => {
  const [
    { person: ana, context: anaContext, page: anaPage },
    { context: benContext, page: benPage },
  ] = await twoPeopleInConversation(browser, 'ana', 'ben');
  await send(anaPage, 'Hello Ben');
  await conversationItem(benPage, ana).click();
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
  // Page loads and REST keep working while the link is cut, so the page can be reloaded while its message is
  // still in the outbox.
  const link = await controlSocketLink(page);
  const [, dan] = await signUpWithContacts(page, request, 'cleo', 'dan');
  await startConversation(page, dan);
  const conversationId = openConversationId(page);

  await link.cut();
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();
  await send(page, 'Sent across a reload');
  await expect(bubble(page, 'Sent across a reload')).toHaveAttribute('data-status', 'pending');

  await page.reload();
  // Restored from IndexedDB, still pending (the link is still down).
  await expect(bubble(page, 'Sent across a reload')).toHaveAttribute('data-status', 'pending');

  link.restore();
  await expect(bubble(page, 'Sent across a reload')).toHaveAttribute('data-status', 'sent', {
    timeout: 20_000,
  });
  await expect(page.getByText('Sent across a reload', { exact: true })).toHaveCount(1);

  const history = await request.get(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${dan.auth.accessToken}` },
  });
  expect(history.ok(), await history.text()).toBe(true);
  const bodies = ((await history.json()) as MessagePage).items.map((m) => m.body);
  expect(bodies).toEqual(['Sent across a reload']);
});

test('read receipts: the tick turns read when the recipient opens the conversation; presence and typing show', async ({
  browser,
}) => {
  const [
    { person: eva, context: evaContext, page: evaPage },
    { person: finn, context: finnContext, page: finnPage },
  ] = await twoPeopleInConversation(browser, 'eva', 'finn');

  // Finn is connected (on the list), so the message reaches a device of his: delivered, not read.
  await send(evaPage, 'Did you see this?');
  const mine = bubble(evaPage, 'Did you see this?');
  await expect(mine).toHaveAttribute('data-receipt', 'delivered');
  await expect(evaPage.getByTestId('presence-line')).toHaveText('online');
  await expect(finnPage).toHaveTitle('(1) Relay chat');

  await conversationItem(finnPage, eva).click();
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
