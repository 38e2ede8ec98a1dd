import { expect, test } from '@playwright/test';
import type { SendMessageBody } from '@chat/shared';
import { API_URL } from './env';
import {
  controlSocketLink,
  conversationItem,
  messageBodies,
  openConversationId,
  send,
  signUpWithContacts,
  startConversation,
} from './fixtures';

test('after the real-time link drops, reconnecting fetches what was missed', async ({
  page,
  request,
}) => {
  // REST stays up while the link is cut.
  const link = await controlSocketLink(page);
  const [, milo] = await signUpWithContacts(page, request, 'lena', 'milo');
  await startConversation(page, milo);
  await send(page, 'Talk later?');
  await expect(page.getByTestId('message').filter({ hasText: 'Talk later?' })).toHaveAttribute(
    'data-status',
    'sent',
  );
  const conversationId = openConversationId(page);

  await link.cut();
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeVisible();

  // Milo answers (over REST) while Lena's page cannot hear it.
  const body: SendMessageBody = {
    clientMessageId: crypto.randomUUID(),
    body: 'Sure, ping me when you are back',
  };
  const sent = await request.post(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${milo.auth.accessToken}` },
    data: body,
  });
  expect(sent.ok(), await sent.text()).toBe(true);
  await page.waitForTimeout(1_000);
  await expect(page.getByText(body.body, { exact: true })).toHaveCount(0);

  link.restore();
  // The held attempt (or Socket.IO's next one) now connects, and on connect the page catches up by seq.
  await expect(page.getByRole('status').filter({ hasText: 'Offline' })).toBeHidden({
    timeout: 15_000,
  });
  await expect(messageBodies(page)).toHaveText(['Talk later?', body.body]);
  await expect(conversationItem(page, milo)).toContainText(body.body);
});
