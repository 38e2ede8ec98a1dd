import { expect, test } from '@playwright/test';
import { twoPeopleInConversation } from './fixtures';

const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

test('a new display name is saved and shows live for the people one talks to', async ({
  browser,
}) => {
  const [ana, ben] = await twoPeopleInConversation(browser, 'ana', 'ben');
  await expect(
    ben.page.getByTestId('conversation-item').filter({ hasText: ana.person.displayName }),
  ).toBeVisible();

  await ana.page.getByRole('button', { name: 'Your profile and picture' }).click();
  const dialog = ana.page.getByRole('dialog', { name: 'Your profile' });
  await dialog.getByLabel('Display name').fill('   ');
  await dialog.getByRole('button', { name: 'Save name' }).click();
  await expect(dialog.getByText('Enter a name.')).toBeVisible();
  await dialog.getByLabel('Display name').fill('  Ana Renamed ');
  await dialog.getByRole('button', { name: 'Save name' }).click();
  await expect(dialog.getByRole('status')).toHaveText('Name saved.');
  if (screenshotDir) await ana.page.screenshot({ path: `${screenshotDir}/profile-name.png` });
  await ana.page.keyboard.press('Escape');
  await expect(ana.page.locator('.me-name')).toHaveText('Ana Renamed');

  // Ben's list and open conversation follow without a reload.
  const item = ben.page.getByTestId('conversation-item').filter({ hasText: 'Ana Renamed' });
  await expect(item).toBeVisible();
  await item.click();
  await expect(ben.page.getByRole('heading', { name: 'Ana Renamed' })).toBeVisible();

  await ana.context.close();
  await ben.context.close();
});
