import { expect, test } from '@playwright/test';
import { createGroup, signUpWithContacts } from './fixtures';

test('after adding someone from the group info panel, the search says they are in the group, not "No people found"', async ({
  page,
  request,
}) => {
  const [, ben, cy] = await signUpWithContacts(page, request, 'ana', 'ben', 'cy');
  await createGroup(page, 'Adders', [ben]);

  await page.getByRole('button', { name: 'Group info' }).click();
  const panel = page.getByTestId('group-panel');
  await panel.getByRole('button', { name: 'Add people' }).click();
  await panel.getByLabel('Search people').fill(cy.displayName);
  await panel
    .getByTestId('person-result')
    .filter({ hasText: `@${cy.username}` })
    .click();
  await expect(page.getByTestId('member-count')).toHaveText('3 members');
  await expect(panel.getByTestId('people-search-note')).toHaveText(
    `${cy.displayName}: in the group.`,
  );
});

test('the group info panel narrows the conversation on a desktop and takes the whole screen on a phone', async ({
  page,
  request,
}) => {
  const [, ben] = await signUpWithContacts(page, request, 'ana', 'ben');
  await createGroup(page, 'Side by side', [ben]);
  await page.getByRole('button', { name: 'Group info' }).click();
  const panel = page.getByTestId('group-panel');
  await expect(panel).toBeVisible();
  const composer = page.getByLabel('Message', { exact: true });
  const panelBox = (await panel.boundingBox())!;
  const logBox = (await page.getByRole('log', { name: 'Messages' }).boundingBox())!;
  const composerBox = (await composer.boundingBox())!;
  const viewport = page.viewportSize()!;
  // Side by side: the panel reaches the right edge, the history and the composer end where it starts.
  expect(panelBox.x + panelBox.width).toBeCloseTo(viewport.width, 0);
  expect(logBox.x + logBox.width).toBeLessThanOrEqual(panelBox.x + 1);
  expect(composerBox.x + composerBox.width).toBeLessThanOrEqual(panelBox.x + 1);
  // Nothing of the conversation is under the panel: the composer is usable with the panel open.
  await composer.fill('typed beside the panel');
  await expect(composer).toHaveValue('typed beside the panel');
  await expect(panel).toBeVisible();

  await page.setViewportSize({ width: 375, height: 740 });
  await expect
    .poll(async () => {
      const box = await panel.boundingBox();
      return box && [Math.round(box.x), Math.round(box.width)];
    })
    .toEqual([0, 375]);
});
