import { expect, test } from '@playwright/test';
import {
  conversationItem,
  makePerson,
  registerViaUi,
  pickEmoji,
  send,
  signUpWithContacts,
  startConversation,
  twoPeopleInConversation,
} from './fixtures';

test('a first-time visitor at / sees what Relay is and how to get in; a signed-in person goes on to the chat', async ({
  page,
}) => {
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1, name: 'Relay' })).toBeVisible();
  await expect(page.getByText('Loading')).toHaveCount(0);
  await page.getByRole('link', { name: 'Create an account' }).click();
  await expect(page).toHaveURL(/\/register$/);

  await registerViaUi(page, makePerson('lia'));
  await page.goto('/');
  await expect(page).toHaveURL(/\/c$/);
});

test('at 375 px a long URL in the last message keeps the conversation list inside the screen', async ({
  browser,
}) => {
  const [{ person: ada, page: adaPage }, { page: bobPage }] = await twoPeopleInConversation(
    browser,
    'ada',
    'bob',
  );
  const url = `https://example.com/${'very-long-path-segment-'.repeat(12)}end`;
  await send(adaPage, url);

  await bobPage.setViewportSize({ width: 375, height: 740 });
  await conversationItem(bobPage, ada).click();
  await expect(bobPage.getByTestId('message-text').getByRole('link')).toHaveAttribute('href', url);
  await bobPage.getByRole('link', { name: 'Back to conversations' }).click();
  await expect(conversationItem(bobPage, ada)).toBeVisible();

  const widths = await bobPage.evaluate(() => ({
    page: document.documentElement.scrollWidth,
    viewport: window.innerWidth,
  }));
  expect(widths.page).toBeLessThanOrEqual(widths.viewport);
  for (const control of [
    bobPage.getByRole('button', { name: 'Sign out' }),
    bobPage.getByRole('button', { name: 'New group' }),
    conversationItem(bobPage, ada).locator('time'),
  ]) {
    const box = await control.boundingBox();
    expect(box).not.toBeNull();
    expect(box!.x + box!.width).toBeLessThanOrEqual(375);
  }
  // The time's tooltip gives the full date and time.
  await expect(conversationItem(bobPage, ada).locator('time')).toHaveAttribute('title', /\d{4}/);
});

test('a half-written message stays as a draft across conversations and reloads, and goes on send and sign-out', async ({
  page,
  request,
}) => {
  const [me, ana, ben] = await signUpWithContacts(page, request, 'kim', 'ana', 'ben');
  await startConversation(page, ana);
  const composer = page.getByLabel('Message', { exact: true });
  // Opening a chat puts the caret in the composer.
  await expect(composer).toBeFocused();
  await composer.fill('Half a thought for Ana');
  await startConversation(page, ben);
  await expect(composer).toHaveValue('');

  // The list shows the draft under Ana's conversation.
  await expect(conversationItem(page, ana).getByTestId('draft-preview')).toHaveText(
    'Draft: Half a thought for Ana',
  );

  await page.reload();
  await expect(conversationItem(page, ana).getByTestId('draft-preview')).toBeVisible();
  // By keyboard through the list: Down from the filter to the first conversation (Ben's, the newest), Down to
  // Ana's, Up back to Ben's and up to the filter, then down to Ana's and Enter opens it.
  const filter = page.getByLabel('Filter conversations');
  await filter.focus();
  await page.keyboard.press('ArrowDown');
  await expect(conversationItem(page, ben)).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(conversationItem(page, ana)).toBeFocused();
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  await expect(filter).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/c\/.+/);
  await expect(page.getByRole('heading', { name: ana.displayName })).toBeVisible();
  await expect(composer).toHaveValue('Half a thought for Ana');

  await composer.press('Enter');
  await expect(page.getByTestId('message-text')).toHaveText(['Half a thought for Ana']);
  await expect(composer).toHaveValue('');
  await startConversation(page, ben);
  await expect(conversationItem(page, ana).getByTestId('draft-preview')).toHaveCount(0);

  // A deliberate sign-out deletes the person's drafts from the browser.
  await composer.fill('Never sent to Ben');
  await conversationItem(page, ana).click();
  await expect(conversationItem(page, ben).getByTestId('draft-preview')).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.getByLabel('Username').fill(me.username);
  await page.getByLabel('Password').fill(me.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(conversationItem(page, ben)).toBeVisible();
  await expect(page.getByTestId('draft-preview')).toHaveCount(0);
});

test('the emoji button opens a picker bundled with the app; a chosen emoji goes in at the caret', async ({
  page,
  request,
}) => {
  const outside: string[] = [];
  page.on('request', (req) => {
    const { hostname } = new URL(req.url());
    if (!['localhost', '127.0.0.1'].includes(hostname)) outside.push(req.url());
  });
  const [, ana] = await signUpWithContacts(page, request, 'eli', 'ana');
  await startConversation(page, ana);
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill('Nice work ');

  const button = page.getByRole('button', { name: 'Insert emoji' });
  await button.click();
  const picker = page.getByTestId('emoji-picker');
  await expect(picker).toBeVisible();
  await pickEmoji(page, 'thumbs up');
  await expect(composer).toHaveValue('Nice work 👍');
  // The caret is back in the composer, after the emoji, to keep typing.
  await expect(composer).toBeFocused();

  // Esc closes it and gives focus back to the button.
  await button.click();
  await expect(picker).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(picker).toHaveCount(0);
  await expect(button).toBeFocused();

  await composer.press('End');
  await composer.press('Enter');
  await expect(page.getByTestId('message-text')).toHaveText(['Nice work 👍']);
  expect(outside).toEqual([]);
});
