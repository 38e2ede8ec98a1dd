import { expect, test } from '@playwright/test';
import type { AuthResponse, SendMessageBody } from '@chat/shared';
import { API_URL } from './env';
import {
  createGroup,
  makePerson,
  registerViaApi,
  registerViaUi,
  send,
  startConversation,
} from './fixtures';

test('only new messages from others are announced, through their own live region', async ({
  page,
  request,
}) => {
  const ana = makePerson('ana');
  const ben = makePerson('ben');
  const benAuth: AuthResponse = await registerViaApi(request, ben);
  await registerViaUi(page, ana);
  await startConversation(page, ben);
  await send(page, 'Hi Ben');
  await expect(page.getByTestId('message').filter({ hasText: 'Hi Ben' })).toHaveAttribute(
    'data-status',
    'sent',
  );

  // The virtualised log is not live: rows mounted while scrolling would be read out.
  await expect(page.getByRole('log', { name: 'Messages' })).toHaveAttribute('aria-live', 'off');
  const announcer = page.getByTestId('new-message-announcer');
  await expect(announcer).toHaveAttribute('aria-live', 'polite');
  await expect(announcer).toHaveText(''); // own messages and the loaded history are not announced

  const conversationId = page.url().split('/c/')[1] ?? '';
  const reply = await request.post(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${benAuth.accessToken}` },
    data: {
      clientMessageId: crypto.randomUUID(),
      body: 'Hello from Ben',
    } satisfies SendMessageBody,
  });
  expect(reply.ok(), await reply.text()).toBe(true);
  await expect(announcer).toHaveText(`${ben.displayName}: Hello from Ben`);
});

test('the group info panel takes focus when opened and gives it back when closed', async ({
  page,
  request,
}) => {
  const cy = makePerson('cy');
  const dee = makePerson('dee');
  await registerViaApi(request, dee);
  await registerViaUi(page, cy);
  await createGroup(page, 'Focus club', [dee]);

  const opener = page.getByRole('button', { name: 'Group info' });
  await opener.click();
  await expect(page.getByRole('heading', { name: 'Group info' })).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(page.getByTestId('group-panel')).toHaveCount(0);
  await expect(opener).toBeFocused();
});
