import { expect, test } from '@playwright/test';
import { conversationItem, signUpWithContacts, startConversation } from './fixtures';

const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

test('the conversation list filters by name as one types, and Escape clears the filter', async ({
  page,
  request,
}) => {
  const [, ben, cy] = await signUpWithContacts(page, request, 'ana', 'ben', 'cy');
  await startConversation(page, ben);
  await startConversation(page, cy);
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);

  const filter = page.getByLabel('Filter conversations');
  await filter.fill(cy.displayName.toUpperCase());
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await expect(conversationItem(page, cy)).toBeVisible();
  await filter.fill(ben.username);
  await expect(page.getByTestId('conversation-item')).toHaveCount(1);
  await expect(conversationItem(page, ben)).toBeVisible();
  await filter.fill('nobody by this name');
  await expect(page.getByTestId('conversation-item')).toHaveCount(0);
  await expect(
    page.getByRole('status').filter({ hasText: 'No conversation is called' }),
  ).toBeVisible();
  if (screenshotDir) await page.screenshot({ path: `${screenshotDir}/filter-empty.png` });

  await filter.press('Escape');
  await expect(filter).toHaveValue('');
  await expect(filter).toBeFocused();
  await expect(page.getByTestId('conversation-item')).toHaveCount(2);
});
