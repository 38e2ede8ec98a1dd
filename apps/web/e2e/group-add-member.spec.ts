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
