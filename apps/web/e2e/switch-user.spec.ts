import { expect, test } from '@playwright/test';
import { makePerson, registerViaUi, send, signUpWithContacts, startConversation } from './fixtures';

test('signing out and in as another person in the same tab shows nothing of the first person', async ({
  page,
  request,
}) => {
  const [, ben, cleo] = await signUpWithContacts(page, request, 'ana', 'ben', 'cleo');
  await startConversation(page, ben);
  await send(page, 'only for Ben');
  await expect(page.getByTestId('message').filter({ hasText: 'only for Ben' })).toHaveAttribute(
    'data-status',
    'sent',
  );

  // Sign out with the conversation open: the sign-in page must not remember it for whoever signs in next.
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.getByLabel('Username').fill(cleo.username);
  await page.getByLabel('Password').fill(cleo.password);
  await page.getByRole('button', { name: 'Sign in' }).click();

  await expect(page).toHaveURL(/\/c$/);
  await expect(page.getByText(`@${cleo.username}`)).toBeVisible();
  await expect(page.getByText('No conversations yet.')).toBeVisible();
  await expect(page.getByTestId('conversation-item')).toHaveCount(0);
  await expect(page.getByText('only for Ben')).toHaveCount(0);
  await expect(page.getByText(ben.displayName)).toHaveCount(0);
});

test('the new-group dialog keeps focus inside, closes on Esc and gives focus back', async ({
  page,
}) => {
  await registerViaUi(page, makePerson('dora'));
  const opener = page.getByRole('button', { name: 'New group' });
  await opener.click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await expect(dialog.getByLabel('Group name')).toBeFocused();
  // Tabbing round never reaches the page behind (inert); past the last control the browser's own UI may take focus.
  for (let i = 0; i < 8; i += 1) {
    await page.keyboard.press('Tab');
    const outside = await dialog.evaluate((el) => {
      const active = document.activeElement;
      return active !== null && active !== document.body && !el.contains(active);
    });
    expect(outside).toBe(false);
  }
  await page.keyboard.press('Escape');
  await expect(dialog).toHaveCount(0);
  await expect(opener).toBeFocused();
});
