import { expect, test } from '@playwright/test';
import { conversationItem, send, signUpWithContacts, startConversation } from './fixtures';

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);
const UPLOADS = /\/api\/conversations\/[^/]+\/attachments$/;

test('a send waiting for its upload survives switching conversations; a lone failed upload says so', async ({
  page,
  request,
}) => {
  const [, ben, cleo] = await signUpWithContacts(page, request, 'ana', 'ben', 'cleo');
  await startConversation(page, cleo);
  await send(page, 'Hi Cleo');
  await startConversation(page, ben);

  // A slow upload: the send is held until it finishes, and Ana moves on meanwhile.
  let failUploads = false;
  await page.route(UPLOADS, async (route) => {
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    if (failUploads) {
      await route.fulfill({
        status: 415,
        json: {
          statusCode: 415,
          code: 'UNSUPPORTED_MEDIA_TYPE',
          message: 'This file type is not allowed.',
        },
      });
    } else {
      await route.continue();
    }
  });
  await page
    .getByTestId('attach-input')
    .setInputFiles([{ name: 'report.pdf', mimeType: 'application/pdf', buffer: PDF }]);
  await send(page, 'With the report');
  await expect(
    page.getByRole('status').filter({ hasText: 'Sending when the uploads finish…' }),
  ).toBeVisible();
  await conversationItem(page, cleo).click();
  await expect(page.getByRole('heading', { name: cleo.displayName })).toBeVisible();

  await conversationItem(page, ben).click();
  const message = page.getByTestId('message').filter({ hasText: 'With the report' });
  await expect(message).toHaveAttribute('data-status', 'sent');
  await expect(message.getByTestId('attachment-file')).toContainText('report.pdf');

  // Only a file, and its upload fails: an error, not a silent nothing.
  failUploads = true;
  await page
    .getByTestId('attach-input')
    .setInputFiles([{ name: 'broken.pdf', mimeType: 'application/pdf', buffer: PDF }]);
  await page.getByRole('button', { name: 'Send message' }).click();
  await expect(page.getByText('Message not sent: the file could not be uploaded.')).toBeVisible();
  await expect(page.getByTestId('message')).toHaveCount(1);
});
