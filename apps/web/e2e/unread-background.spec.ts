import { expect, test, type Page } from '@playwright/test';
import { conversationItem, send, twoPeopleInConversation } from './fixtures';

/**
 * Playwright keeps every page "focused and visible" (focus emulation), so a background window is simulated the
 * way the browser would report it: `document.visibilityState` turns hidden and `visibilitychange` fires.
 */
async function setVisible(page: Page, visible: boolean): Promise<void> {
  await page.evaluate((value) => {
    Object.defineProperty(document, 'visibilityState', {
      configurable: true,
      get: () => (value ? 'visible' : 'hidden'),
    });
    document.dispatchEvent(new Event('visibilitychange'));
  }, visible);
}

test('the open conversation in a background window counts new messages as unread until the person looks again', async ({
  browser,
}) => {
  const [
    { person: ana, context: anaContext, page: anaPage },
    { context: benContext, page: benPage },
  ] = await twoPeopleInConversation(browser, 'ana', 'ben');
  await send(anaPage, 'First, while Ben looks');
  const benItem = conversationItem(benPage, ana);
  await benItem.click();
  await expect(
    benPage.getByTestId('message').filter({ hasText: 'First, while Ben looks' }),
  ).toBeVisible();
  await expect(benPage).toHaveTitle('Relay chat');
  await expect(
    anaPage.getByTestId('message').filter({ hasText: 'First, while Ben looks' }),
  ).toHaveAttribute('data-receipt', 'read');

  // Ben's window goes to the background with the conversation still open.
  await setVisible(benPage, false);
  await send(anaPage, 'Second, Ben is away');
  await expect(
    benPage.getByTestId('message').filter({ hasText: 'Second, Ben is away' }),
  ).toBeVisible();
  await expect(benPage).toHaveTitle('(1) Relay chat');
  await expect(benItem.getByLabel('1 unread')).toBeVisible();
  const second = anaPage.getByTestId('message').filter({ hasText: 'Second, Ben is away' });
  await expect(second).toHaveAttribute('data-receipt', 'delivered');

  // Ben comes back: the badge and title clear, and Ana sees it read.
  await setVisible(benPage, true);
  await expect(benPage).toHaveTitle('Relay chat');
  await expect(benItem.getByLabel(/unread/)).toHaveCount(0);
  await expect(second).toHaveAttribute('data-receipt', 'read');
  await anaContext.close();
  await benContext.close();
});
