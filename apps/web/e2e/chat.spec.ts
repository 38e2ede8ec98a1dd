import { expect, test } from '@playwright/test';
import { conversationItem, messageBodies, send, twoPeopleInConversation } from './fixtures';

/** Set E2E_SCREENSHOT_DIR to keep a picture of the chat screen (for a human look; never asserted). */
const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

test('two people chat in real time, and a reload keeps the session and the whole history', async ({
  browser,
}) => {
  // Both sign up; Ada finds Bob and opens a direct conversation.
  const [
    { person: ada, context: adaContext, page: adaPage },
    { context: bobContext, page: bobPage },
  ] = await twoPeopleInConversation(browser, 'ada', 'bob');
  const conversationUrl = adaPage.url();

  await send(adaPage, 'Hi Bob, this is Ada.');
  const adaFirst = adaPage.getByTestId('message').filter({ hasText: 'Hi Bob, this is Ada.' });
  await expect(adaFirst).toHaveAttribute('data-own', 'true');
  await expect(adaFirst).toHaveAttribute('data-status', 'sent');

  // Bob never reloads: the conversation and the message arrive over the socket.
  const bobItem = conversationItem(bobPage, ada);
  await expect(bobItem).toContainText('Hi Bob, this is Ada.');
  await expect(bobItem.getByLabel('1 unread')).toBeVisible();
  await bobItem.click();
  await expect(bobPage).toHaveURL(conversationUrl);
  await expect(bobPage.getByRole('heading', { name: ada.displayName })).toBeVisible();
  await expect(
    bobPage.getByTestId('message').filter({ hasText: 'Hi Bob, this is Ada.' }),
  ).toHaveAttribute('data-own', 'false');
  await expect(bobItem.getByLabel(/unread/)).toHaveCount(0);

  await send(bobPage, 'Hello Ada!\nGood to hear from you.');
  await expect(
    adaPage.getByTestId('message').filter({ hasText: 'Good to hear from you.' }),
  ).toHaveAttribute('data-own', 'false');

  await send(adaPage, 'Shall we meet at noon?');
  await expect(
    bobPage.getByTestId('message').filter({ hasText: 'Shall we meet at noon?' }),
  ).toBeVisible();
  await send(bobPage, 'Noon works.');
  await expect(adaPage.getByTestId('message').filter({ hasText: 'Noon works.' })).toBeVisible();

  const expected = [
    'Hi Bob, this is Ada.',
    'Hello Ada!\nGood to hear from you.',
    'Shall we meet at noon?',
    'Noon works.',
  ];
  await expect(messageBodies(adaPage)).toHaveText(expected);
  await expect(messageBodies(bobPage)).toHaveText(expected);
  // Every own message ends up confirmed by the server, none left pending or failed.
  await expect(adaPage.locator('[data-testid="message"][data-own="true"]')).toHaveCount(2);
  await expect(
    adaPage.locator('[data-testid="message"][data-own="true"]:not([data-status="sent"])'),
  ).toHaveCount(0);

  // A reload restores the session through the refresh cookie and shows the whole history in order.
  await bobPage.reload();
  await expect(bobPage).toHaveURL(conversationUrl);
  await expect(messageBodies(bobPage)).toHaveText(expected);
  await expect(bobPage.locator('[data-testid="message"][data-own="true"]')).toHaveCount(2);
  await expect(
    bobPage.locator('[data-testid="message"][data-own="true"][data-status="sent"]'),
  ).toHaveCount(2);

  // After the reload Bob's socket is live again: a new message from Ada still arrives without reloading.
  await send(adaPage, 'See you then.');
  await expect(bobPage.getByTestId('message').filter({ hasText: 'See you then.' })).toBeVisible();

  if (screenshotDir) await adaPage.screenshot({ path: `${screenshotDir}/chat-desktop.png` });
  await adaContext.close();
  await bobContext.close();
});
