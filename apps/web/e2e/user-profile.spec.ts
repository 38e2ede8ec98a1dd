import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import type { ConversationSummary, SendMessageBody } from '@chat/shared';
import { API_URL } from './env';
import { createGroup, openConversationId, signUpWithContacts, type Contact } from './fixtures';

/** `who` writes `body` to the conversation over REST. */
async function sendAs(
  request: APIRequestContext,
  who: Contact,
  conversationId: string,
  body: string,
) {
  const response = await request.post(`${API_URL}/api/conversations/${conversationId}/messages`, {
    headers: { Authorization: `Bearer ${who.auth.accessToken}` },
    data: { clientMessageId: crypto.randomUUID(), body } satisfies SendMessageBody,
  });
  expect(response.ok(), await response.text()).toBe(true);
}

/** `who` leaves the group over REST. */
async function leaveAs(request: APIRequestContext, who: Contact, conversationId: string) {
  const response = await request.post(`${API_URL}/api/conversations/${conversationId}/leave`, {
    headers: { Authorization: `Bearer ${who.auth.accessToken}` },
  });
  expect(response.ok(), await response.text()).toBe(true);
}

const senders = (page: Page) => page.getByTestId('message-sender');

test.describe("another person's profile", () => {
  test('opens from a name or picture in messages, the member list and the header, and its Message button opens the direct conversation', async ({
    page,
    request,
  }) => {
    const [, ben, cy] = await signUpWithContacts(page, request, 'ana', 'ben', 'cy');
    await createGroup(page, 'Climbers', [ben, cy]);
    const groupId = openConversationId(page);
    await sendAs(request, ben, groupId, 'Who is coming on Sunday?');
    await expect(senders(page)).toHaveText([ben.displayName]);

    // From the sender's name, with the keyboard: Enter opens it, focus is trapped, Escape gives focus back.
    const name = senders(page).getByRole('button', { name: ben.displayName });
    await name.focus();
    await page.keyboard.press('Enter');
    const profile = page.getByRole('dialog', { name: ben.displayName });
    await expect(profile).toBeVisible();
    await expect(profile.getByText(`@${ben.username}`)).toBeVisible();
    await expect(profile.getByRole('heading', { name: 'Groups in common' })).toBeVisible();
    await expect(profile.getByTestId('groups-in-common').getByRole('link')).toHaveText([
      'Climbers',
    ]);
    const actions = profile.getByTestId('profile-actions');
    await expect(actions.getByRole('button')).toHaveText(['Message', 'Close']);
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      expect(await profile.evaluate((el) => el.contains(document.activeElement))).toBe(true);
    }
    await page.keyboard.press('Escape');
    await expect(profile).toHaveCount(0);
    await expect(name).toBeFocused();

    // From the sender's picture.
    await page.getByRole('button', { name: `View profile: ${ben.displayName}` }).click();
    await expect(profile).toBeVisible();
    await profile.getByRole('button', { name: 'Close' }).click();
    await expect(profile).toHaveCount(0);

    // From the member list of the group info panel.
    await page.getByRole('button', { name: 'Group info' }).click();
    const panel = page.getByTestId('group-panel');
    await panel.getByRole('button', { name: cy.displayName, exact: true }).click();
    const cyProfile = page.getByRole('dialog', { name: cy.displayName });
    await expect(cyProfile.getByText(`@${cy.username}`)).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(panel.getByRole('button', { name: cy.displayName, exact: true })).toBeFocused();
    await panel.getByRole('button', { name: 'Close' }).click();

    // Message opens (creates) the direct conversation with Ben.
    await name.click();
    await profile.getByRole('button', { name: 'Message' }).click();
    await expect(profile).toHaveCount(0);
    await expect(page).not.toHaveURL(new RegExp(groupId));
    await expect(page.getByRole('heading', { level: 1, name: ben.displayName })).toBeVisible();
    const direct = (await (
      await request.get(`${API_URL}/api/conversations/${openConversationId(page)}`, {
        headers: { Authorization: `Bearer ${ben.auth.accessToken}` },
      })
    ).json()) as ConversationSummary;
    expect(direct.type).toBe('direct');

    // In a direct conversation the header's name opens the other person's profile, with its presence line.
    await page.getByTestId('pane-title-person').click();
    await expect(profile.getByText(`@${ben.username}`)).toBeVisible();
    await expect(profile.getByTestId('groups-in-common').getByRole('link')).toHaveText([
      'Climbers',
    ]);
  });

  test('after people leave, their messages keep their names, and the timeline calls me "You"', async ({
    page,
    request,
  }) => {
    const [, ben, cy] = await signUpWithContacts(page, request, 'ana', 'ben', 'cy');
    await createGroup(page, 'Book club', [ben]);
    const groupId = openConversationId(page);
    // Ana adds Cy from the group info panel.
    await page.getByRole('button', { name: 'Group info' }).click();
    const panel = page.getByTestId('group-panel');
    await panel.getByRole('button', { name: 'Add people' }).click();
    await panel.getByLabel('Search people').fill(cy.displayName);
    await panel
      .getByTestId('person-result')
      .filter({ hasText: `@${cy.username}` })
      .click();
    await expect(page.getByTestId('member-count')).toHaveText('3 members');
    await panel.getByRole('button', { name: 'Close' }).click();

    await sendAs(request, cy, groupId, 'Cy was here');
    await sendAs(request, ben, groupId, 'Ben was here');
    await expect(senders(page)).toHaveText([cy.displayName, ben.displayName]);
    await leaveAs(request, cy, groupId);
    await expect(page.getByTestId('member-count')).toHaveText('2 members');

    // Cy left: still named on their message (and it still opens their profile), never "Former member".
    await expect(senders(page)).toHaveText([cy.displayName, ben.displayName]);
    const system = page.getByTestId('system-message');
    await expect(system).toHaveText([
      'You created the group “Book club”',
      `You added ${cy.displayName}`,
      `${cy.displayName} left`,
    ]);
    await senders(page).getByRole('button', { name: cy.displayName }).click();
    await expect(page.getByRole('dialog', { name: cy.displayName })).toBeVisible();
    await page.keyboard.press('Escape');

    // Ana leaves too: the history she keeps still names everyone who was there.
    await page.getByRole('button', { name: 'Group info' }).click();
    await panel.getByRole('button', { name: 'Leave group' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: 'Leave group' }).click();
    await expect(page.getByTestId('left-banner')).toBeVisible();
    await expect(senders(page)).toHaveText([cy.displayName, ben.displayName]);
    await expect(system.first()).toHaveText('You created the group “Book club”');
    await expect(system.nth(1)).toHaveText(`You added ${cy.displayName}`);
    await page.reload();
    await expect(senders(page)).toHaveText([cy.displayName, ben.displayName]);
    await expect(page.getByText('Former member')).toHaveCount(0);
  });
});
