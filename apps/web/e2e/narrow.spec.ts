import { expect, test } from '@playwright/test';
import {
  answerConfirm,
  conversationItem,
  messageBodies,
  send,
  signUpWithContacts,
  startConversation,
} from './fixtures';

const screenshotDir = process.env.E2E_SCREENSHOT_DIR;

test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });

test('on a 375 px screen the list and the conversation are separate views', async ({
  page,
  request,
}) => {
  const [, gus] = await signUpWithContacts(page, request, 'finn', 'gus');

  // The list fills the screen; no pane is shown next to it.
  await expect(page.getByText('Select a conversation, or start a new one.')).toBeHidden();

  await startConversation(page, gus);
  await expect(page.getByRole('button', { name: 'New chat' })).toBeHidden();

  await send(page, 'Hello from a small screen');
  const mine = page.getByTestId('message').filter({ hasText: 'Hello from a small screen' });
  await expect(mine).toHaveAttribute('data-status', 'sent');
  await expect(messageBodies(page)).toHaveText(['Hello from a small screen']);

  // Nothing may overflow sideways at this width.
  const overflow = await page.evaluate(
    () => document.documentElement.scrollWidth - document.documentElement.clientWidth,
  );
  expect(overflow).toBeLessThanOrEqual(0);
  if (screenshotDir) await page.screenshot({ path: `${screenshotDir}/chat-375.png` });

  // The header keeps one row: block, report and notifications wait behind "Conversation options".
  const header = page.locator('.pane-header');
  expect((await header.boundingBox())!.height).toBeLessThan(70);
  const options = page.getByRole('button', { name: 'Conversation options' });
  await expect(page.getByTestId('block-button')).toBeHidden();
  await options.click();
  await expect(options).toHaveAttribute('aria-expanded', 'true');
  await expect(page.getByTestId('block-button')).toBeVisible();
  await expect(page.getByTestId('report-person')).toBeVisible();
  if (screenshotDir) await page.screenshot({ path: `${screenshotDir}/options-375.png` });
  // By keyboard: the panel follows the button in tab order; Escape closes it and gives the focus back.
  await page.getByTestId('notification-level').selectOption('mentions');
  await expect(page.getByTestId('notification-level')).toHaveValue('mentions');
  await page.getByTestId('notification-level').press('Escape');
  await expect(page.getByTestId('block-button')).toBeHidden();
  await expect(options).toBeFocused();
  await expect(options).toHaveAttribute('aria-expanded', 'false');
  await options.press('Enter');
  // Escape on the button itself closes it too.
  await options.press('Escape');
  await expect(options).toHaveAttribute('aria-expanded', 'false');
  await options.press('Enter');
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('block-button')).toBeFocused();
  // Tab past the last action: the focus moves on and the panel closes behind it.
  await page.getByTestId('notification-level').focus();
  await page.keyboard.press('Tab');
  await expect(page.getByTestId('block-button')).toBeHidden();
  await options.press('Enter');
  // A press outside closes it.
  await page.getByLabel('Message', { exact: true }).click();
  await expect(page.getByTestId('block-button')).toBeHidden();

  await page.getByRole('link', { name: 'Back to conversations' }).click();
  await expect(page).toHaveURL(/\/c$/);
  await expect(conversationItem(page, gus)).toContainText('You: Hello from a small screen');

  // An action from the options panel closes it when it has gone through; the focus goes back to its button.
  await conversationItem(page, gus).click();
  await options.click();
  await page.getByTestId('block-button').click();
  await answerConfirm(page, `Block ${gus.displayName}?`, 'Block');
  await expect(page.getByTestId('blocked-banner')).toBeVisible();
  await expect(page.getByTestId('block-button')).toBeHidden();
  await expect(options).toBeFocused();
});
