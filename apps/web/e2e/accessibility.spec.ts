import { expect, test, type Page } from '@playwright/test';
import type { SendMessageBody } from '@chat/shared';
import { expectAccessible } from './axe';
import { makePng } from './images';
import { API_URL } from './env';
import { openConversationId, send, signUpWithContacts, startConversation } from './fixtures';

/**
 * Controls smaller than 44 x 44 CSS px among the visible ones on the page (WCAG 2.5.5 target size). Links inside
 * message text are inline text and exempt; so is a control whose `data-equivalent-target` names a control of the
 * same action that is itself at least 44 px (WCAG 2.5.8's "equivalent" exception: a sender's name beside their
 * picture), checked here too.
 */
async function smallTargets(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const controls = document.querySelectorAll<HTMLElement>(
      'button, a[href], input:not([type=file]), textarea, select, [role=button]',
    );
    const small: string[] = [];
    for (const el of controls) {
      if (el.closest('.bubble-body')) continue;
      const equivalentKey = el.dataset.equivalentTarget;
      if (equivalentKey) {
        const equivalent = document.querySelector(`[data-target-key="${equivalentKey}"]`);
        const size = equivalent?.getBoundingClientRect();
        if (size && size.width >= 44 && size.height >= 44) continue;
      }
      // A checkbox or radio inside its label: the label is the target (a click on it toggles the input).
      const label = el instanceof HTMLInputElement ? el.closest('label') : null;
      const labelBox = label?.getBoundingClientRect();
      if (labelBox && labelBox.width >= 44 && labelBox.height >= 44) continue;
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || box.right <= 0 || box.left >= window.innerWidth)
        continue;
      const style = getComputedStyle(el);
      if (style.visibility === 'hidden') continue;
      if (box.width < 44 || box.height < 44) {
        const label = el.getAttribute('aria-label') ?? el.textContent?.trim().slice(0, 30) ?? '';
        small.push(
          `${el.tagName.toLowerCase()} "${label}" ${Math.round(box.width)}x${Math.round(box.height)}`,
        );
      }
    }
    return small;
  });
}

/** Every screen a person meets, checked by axe in both colour schemes (see expectAccessible). */
async function walkThroughEveryScreen(
  page: Page,
  request: Parameters<typeof signUpWithContacts>[1],
  prefix: string,
) {
  test.setTimeout(180_000);
  const phone = (page.viewportSize()?.width ?? 1280) < 600;
  const expectBigTargets = async () => {
    if (phone) expect.soft(await smallTargets(page)).toEqual([]);
  };
  await page.goto('/');
  await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
  await expectAccessible(page, `${prefix}landing`);

  await page.goto('/login');
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await expectAccessible(page, `${prefix}sign-in`);

  await page.goto('/register');
  await expect(page.getByRole('button', { name: 'Create account' })).toBeVisible();
  await expectAccessible(page, `${prefix}sign-up`);

  const [, ben, cy] = await signUpWithContacts(page, request, 'ana', 'ben', 'cy');
  await expectAccessible(page, `${prefix}empty-chat`);
  await expectBigTargets();

  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByLabel('Search people').fill(ben.displayName.slice(0, 3));
  await expect(page.getByTestId('person-result').first()).toBeVisible();
  await expectAccessible(page, `${prefix}people-search`);
  await page.keyboard.press('Escape');

  await startConversation(page, ben);
  await send(page, 'Hi Ben, **bold** and a link https://example.com');
  await expect(page.getByTestId('message').last()).toHaveAttribute('data-status', 'sent');
  const reply = await request.post(
    `${API_URL}/api/conversations/${openConversationId(page)}/messages`,
    {
      headers: { Authorization: `Bearer ${ben.auth.accessToken}` },
      data: { clientMessageId: crypto.randomUUID(), body: 'Hello Ana' } satisfies SendMessageBody,
    },
  );
  expect(reply.ok()).toBe(true);
  await page
    .getByTestId('attach-input')
    .setInputFiles([
      { name: 'sunset.png', mimeType: 'image/png', buffer: makePng(400, 300, [230, 120, 40]) },
    ]);
  await page.getByLabel('Message', { exact: true }).press('Enter');
  await expect(page.getByTestId('message').filter({ hasText: 'Hello Ana' })).toBeVisible();
  await expect(page.getByTestId('message').last()).toHaveAttribute(
    'data-status',
    /sent|delivered|read/,
  );
  await expectAccessible(page, `${prefix}chat`);
  await expectBigTargets();

  await page
    .getByRole('button', { name: /Open image sunset\.png/ })
    .first()
    .click();
  await expect(page.getByTestId('lightbox-image')).toBeVisible();
  await expectAccessible(page, `${prefix}image-viewer`);
  if (phone) {
    const box = await page.getByTestId('lightbox').boundingBox();
    expect.soft(box).toEqual({ x: 0, y: 0, width: 375, height: 740 });
    await expectBigTargets();
  }
  await page.keyboard.press('Escape');
  if (phone) await page.getByRole('link', { name: 'Back to conversations' }).click();

  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill('Axe club');
  await dialog.getByLabel('Search people').fill(cy.displayName);
  await dialog
    .getByTestId('person-result')
    .filter({ hasText: `@${cy.username}` })
    .click();
  await expectAccessible(page, `${prefix}new-group`);
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('heading', { level: 1, name: 'Axe club' })).toBeVisible();
  const groupMessage = await request.post(
    `${API_URL}/api/conversations/${openConversationId(page)}/messages`,
    {
      headers: { Authorization: `Bearer ${cy.auth.accessToken}` },
      data: { clientMessageId: crypto.randomUUID(), body: 'Hi all' } satisfies SendMessageBody,
    },
  );
  expect(groupMessage.ok()).toBe(true);
  await expect(page.getByTestId('message-sender')).toHaveText(cy.displayName);
  await expectAccessible(page, `${prefix}group-chat`);
  await expectBigTargets();
  await page.getByRole('button', { name: 'Group info' }).click();
  await expect(page.getByTestId('group-panel')).toBeVisible();
  await expectAccessible(page, `${prefix}group-info`);
  await expectBigTargets();

  await page
    .getByTestId('group-panel')
    .getByRole('button', { name: cy.displayName, exact: true })
    .click();
  const profile = page.getByRole('dialog', { name: cy.displayName });
  await expect(profile.getByText('Axe club')).toBeVisible();
  await expectAccessible(page, `${prefix}profile`);
  await expectBigTargets();
  await page.keyboard.press('Escape');
  await expect(profile).toHaveCount(0);
}

test('axe finds no serious or critical violation on any screen, light or dark', async ({
  page,
  request,
}) => {
  await walkThroughEveryScreen(page, request, '');
});

test.describe('phone layout', () => {
  test.use({ viewport: { width: 375, height: 740 }, hasTouch: true, isMobile: true });

  test('axe passes at 375 px, touch targets are at least 44 px and the image viewer fills the screen', async ({
    page,
    request,
  }) => {
    await walkThroughEveryScreen(page, request, 'phone-');
  });
});
