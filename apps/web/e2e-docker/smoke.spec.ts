import { expect, test } from '@playwright/test';
import { messageBodies, send, twoPeopleInConversation } from '../e2e/fixtures';
import { loaded, makePng } from '../e2e/images';

test('two people sign up, chat and share an image; a reload keeps the history', async ({
  browser,
}) => {
  const [ada, bob] = await twoPeopleInConversation(browser, 'ada', 'bob');
  await send(ada.page, 'Hello from the container');
  await expect(
    ada.page.getByTestId('message').filter({ hasText: 'Hello from the container' }),
  ).toHaveAttribute('data-status', 'sent');

  // Bob sees it live, answers, and Ada sees the answer.
  await bob.page
    .getByTestId('conversation-item')
    .filter({ hasText: ada.person.displayName })
    .click();
  await expect(messageBodies(bob.page)).toHaveText(['Hello from the container']);
  await send(bob.page, 'Hello back');
  await expect(messageBodies(ada.page)).toHaveText(['Hello from the container', 'Hello back']);

  // An image: uploaded to the API container's UPLOAD_DIR, thumbnailed there, served to the other person.
  await ada.page.getByTestId('attach-input').setInputFiles({
    name: 'sunset.png',
    mimeType: 'image/png',
    buffer: makePng(320, 240, [230, 120, 40]),
  });
  await expect(ada.page.locator('[data-testid="tray-item"][data-status="done"]')).toHaveCount(1);
  await send(ada.page, 'A picture');
  const bobImage = bob.page.getByTestId('message').filter({ hasText: 'A picture' });
  await expect(bobImage.getByTestId('attachment-image')).toBeVisible();
  await expect.poll(() => loaded(bob.page, 'attachment-image')).toBe(true);

  // A reload reads everything back from the database (and the image from the disk).
  await bob.page.reload();
  await expect(messageBodies(bob.page)).toHaveText([
    'Hello from the container',
    'Hello back',
    'A picture',
  ]);
  await expect.poll(() => loaded(bob.page, 'attachment-image')).toBe(true);

  await ada.context.close();
  await bob.context.close();
});
