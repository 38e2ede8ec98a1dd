import { expect, test, type Locator, type Page } from '@playwright/test';
import { makePerson, registerViaApi, signUpWithContacts, startConversation } from './fixtures';
import { makePng } from './images';

/** Opens something with `opener`, checks `opened` is shown, presses Escape, and expects the focus back on `opener`. */
async function escapeReturnsFocus(page: Page, opener: Locator, opened: Locator): Promise<void> {
  await opener.focus();
  await page.keyboard.press('Enter');
  await expect(opened).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(opened).toBeHidden();
  await expect(opener).toBeFocused();
}

test('after a failed sign-in the focus is on the error; after a missing field, on the field', async ({
  page,
  request,
}) => {
  const ana = makePerson('ana');
  await registerViaApi(request, ana);
  await page.goto('/login');
  await page.getByLabel('Username').fill(ana.username);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByLabel('Password')).toBeFocused();

  await page.getByLabel('Password').fill('not-the-password');
  await page.getByLabel('Password').press('Enter');
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong' })).toHaveText(
    'Wrong username or password.',
  );
  await expect(page.getByRole('alert').filter({ hasText: 'Wrong' })).toBeFocused();
});

test('Escape closes every dialog and panel and gives the focus back to what opened it', async ({
  page,
  request,
}) => {
  const [, ben] = await signUpWithContacts(page, request, 'ana', 'ben');
  await escapeReturnsFocus(
    page,
    page.getByRole('button', { name: 'New chat' }),
    page.getByLabel('Search people'),
  );
  await escapeReturnsFocus(
    page,
    page.getByRole('button', { name: 'New group' }),
    page.getByRole('dialog', { name: 'New group' }),
  );
  await escapeReturnsFocus(
    page,
    page.getByRole('button', { name: 'Your profile and picture' }),
    page.getByRole('dialog', { name: 'Your profile' }),
  );

  await startConversation(page, ben);
  await page
    .getByTestId('attach-input')
    .setInputFiles([
      { name: 'dune.png', mimeType: 'image/png', buffer: makePng(200, 120, [200, 160, 60]) },
    ]);
  await page.getByLabel('Message', { exact: true }).press('Enter');
  await escapeReturnsFocus(
    page,
    page.getByRole('button', { name: 'Open image dune.png' }),
    page.getByTestId('lightbox'),
  );
});

test('Tab and Shift+Tab stay inside the New group dialog', async ({ page, request }) => {
  await signUpWithContacts(page, request, 'ana');
  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await expect(dialog.getByLabel('Group name')).toBeFocused();
  for (const key of ['Tab', 'Shift+Tab']) {
    for (let i = 0; i < 8; i += 1) {
      await page.keyboard.press(key);
      const inside = await dialog.evaluate((el) => el.contains(document.activeElement));
      expect(inside, `${key} #${i + 1}`).toBe(true);
    }
  }
});
