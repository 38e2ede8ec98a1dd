import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { acceptRequestViaUi, makePerson, registerViaUi, send, startConversation } from './fixtures';
import { expectAccessible } from './axe';
import { loaded, makePng } from './images';

const PDF = Buffer.from(
  '%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n',
);

test('one person sends an image and a PDF; the other sees the thumbnail, opens the viewer and downloads the PDF', async ({
  browser,
}) => {
  const ada = makePerson('ada');
  const bob = makePerson('bob');
  const adaPage = await (await browser.newContext()).newPage();
  const bobPage = await (await browser.newContext({ acceptDownloads: true })).newPage();
  await registerViaUi(adaPage, ada);
  await registerViaUi(bobPage, bob);
  await startConversation(adaPage, bob);
  await send(adaPage, 'Hello Bob');

  await adaPage.getByTestId('attach-input').setInputFiles([
    { name: 'sunset.png', mimeType: 'image/png', buffer: makePng(400, 300, [230, 120, 40]) },
    { name: 'report.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  const tray = adaPage.getByTestId('tray-item');
  await expect(tray).toHaveCount(2);
  await expect(adaPage.locator('[data-testid="tray-item"][data-status="done"]')).toHaveCount(2);
  await send(adaPage, 'Photos and the report');
  await expect(tray).toHaveCount(0);
  const adaMessage = adaPage.getByTestId('message').filter({ hasText: 'Photos and the report' });
  await expect(adaMessage).toHaveAttribute('data-status', 'sent');
  await expect(adaMessage.getByTestId('attachment-image')).toHaveCount(1);

  await bobPage.getByTestId('conversation-item').filter({ hasText: ada.displayName }).click();
  const bobMessage = bobPage.getByTestId('message').filter({ hasText: 'Photos and the report' });
  const thumb = bobMessage.getByTestId('attachment-image');
  await expect(thumb).toBeVisible();
  // The box is reserved from the stored size before the image loads: 400 x 300 -> 4:3.
  const box = await thumb.boundingBox();
  expect(box && Math.abs(box.width / box.height - 4 / 3)).toBeLessThan(0.05);
  await expect.poll(() => loaded(bobPage, 'attachment-image')).toBe(true);
  await expect(bobMessage.getByTestId('attachment-file')).toContainText('report.pdf');

  await thumb.click();
  const viewer = bobPage.getByTestId('lightbox');
  await expect(viewer).toBeVisible();
  await expect
    .poll(() =>
      bobPage
        .getByTestId('lightbox-image')
        .evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth),
    )
    .toBe(400);
  await bobPage.keyboard.press('Escape');
  await expect(viewer).toHaveCount(0);

  const [download] = await Promise.all([
    bobPage.waitForEvent('download'),
    bobMessage.getByTestId('attachment-download').click(),
  ]);
  expect(download.suggestedFilename()).toBe('report.pdf');
  const path = await download.path();
  expect((await readFile(path)).equals(PDF)).toBe(true);
});

test('a person changes their avatar and the other sees it in their conversation list without a reload', async ({
  browser,
}) => {
  const cleo = makePerson('cleo');
  const dan = makePerson('dan');
  const cleoPage = await (await browser.newContext()).newPage();
  const danPage = await (await browser.newContext()).newPage();
  await registerViaUi(cleoPage, cleo);
  await registerViaUi(danPage, dan);
  await startConversation(cleoPage, dan);
  await send(cleoPage, 'Hi Dan');
  const danItem = danPage.getByTestId('conversation-item').filter({ hasText: cleo.displayName });
  await expect(danItem).toContainText('Hi Dan');
  await expect(danItem.getByTestId('avatar-image')).toHaveCount(0);
  // Profile changes reach contacts: Dan accepts Cleo's message request first.
  await acceptRequestViaUi(danPage, cleo);

  await cleoPage.getByTestId('profile-button').click();
  const dialog = cleoPage.getByTestId('profile-dialog');
  await expect(dialog).toBeVisible();
  await dialog.getByTestId('avatar-input').setInputFiles({
    name: 'me.png',
    mimeType: 'image/png',
    buffer: makePng(300, 200, [40, 90, 200]),
  });
  await expect(dialog.getByTestId('avatar-preview').locator('img')).toBeVisible();
  await dialog.getByRole('button', { name: 'Save picture' }).click();
  await expect(dialog.getByRole('button', { name: 'Remove picture' })).toBeVisible();
  await dialog.getByRole('button', { name: 'Done' }).click();
  await expect(cleoPage.getByTestId('profile-button').getByTestId('avatar-image')).toBeVisible();

  // Dan never reloads: user:updated brings the new picture into his list.
  const picture = danItem.getByTestId('avatar-image');
  await expect(picture).toBeVisible();
  await expect(picture).toHaveAttribute('src', /\/api\/avatars\/[a-f0-9]{32}\?size=64$/);
  await expect
    .poll(() => picture.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth))
    .toBe(64);
});

test('the sender of a picture stays at the newest message once it loads, and their own file card is legible', async ({
  browser,
}) => {
  const ada = makePerson('ada');
  const bob = makePerson('bob');
  const adaPage = await (await browser.newContext()).newPage();
  const bobPage = await (await browser.newContext()).newPage();
  await registerViaUi(adaPage, ada);
  await registerViaUi(bobPage, bob);
  await startConversation(adaPage, bob);
  // Enough history to scroll, so "at the bottom" means something.
  for (let i = 1; i <= 12; i += 1) await send(adaPage, `Line ${i} before the picture`);
  await expect(adaPage.getByTestId('message').filter({ hasText: 'Line 12' })).toHaveAttribute(
    'data-status',
    'sent',
  );

  await adaPage.getByTestId('attach-input').setInputFiles([
    // Tall, so the row grows by far more than the follow threshold when the picture arrives.
    { name: 'tall.png', mimeType: 'image/png', buffer: makePng(300, 600, [40, 120, 230]) },
    { name: 'notes.pdf', mimeType: 'application/pdf', buffer: PDF },
  ]);
  await expect(adaPage.locator('[data-testid="tray-item"][data-status="done"]')).toHaveCount(2);
  await send(adaPage, 'A tall picture and the notes');
  const sent = adaPage.getByTestId('message').filter({ hasText: 'A tall picture and the notes' });
  await expect(sent).toHaveAttribute('data-status', 'sent');
  await expect.poll(() => loaded(adaPage, 'attachment-image')).toBe(true);

  // The whole new message is in view: the list followed the row as it grew.
  const scroller = adaPage.getByRole('log', { name: 'Messages' });
  await expect
    .poll(() =>
      scroller.evaluate((el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight)),
    )
    .toBeLessThanOrEqual(2);
  const [view, message] = await Promise.all([scroller.boundingBox(), sent.boundingBox()]);
  expect(message!.y + message!.height).toBeLessThanOrEqual(view!.y + view!.height + 1);

  // The file card on one's own (accent) bubble keeps the card's own text colour: the name is readable.
  const name = sent.getByTestId('attachment-file').locator('.attachment-name');
  await expect(name).toHaveText('notes.pdf');
  const [text, card] = await Promise.all([
    name.evaluate((el) => getComputedStyle(el).color),
    sent.getByTestId('attachment-file').evaluate((el) => getComputedStyle(el).backgroundColor),
  ]);
  expect(text).not.toBe(card);
  await expectAccessible(adaPage, 'own-attachments');
});
