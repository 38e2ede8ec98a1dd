import {
  expect,
  type APIRequestContext,
  type Browser,
  type BrowserContext,
  type Page,
  type WebSocketRoute,
} from '@playwright/test';
import type { AuthResponse, RegisterRequest } from '@chat/shared';
import { API_URL } from './env';

/** A person for one test: unique per run so tests never collide on the shared in-memory database. */
export interface Person {
  username: string;
  displayName: string;
  password: string;
}

let counter = 0;

/** Test-data factory: `makePerson('ada')` -> { username: 'ada_k3x9_1', displayName: 'Ada K3x9', ... }. */
export function makePerson(name: string): Person {
  counter += 1;
  const tag = Math.random().toString(36).slice(2, 6);
  const capitalised = name.charAt(0).toUpperCase() + name.slice(1);
  return {
    username: `${name}_${tag}_${counter}`,
    displayName: `${capitalised} ${tag.charAt(0).toUpperCase()}${tag.slice(1)}`,
    password: `pw-${tag}-correct-horse`,
  };
}

/** Signs up through the UI and waits for the chat screen. */
export async function registerViaUi(page: Page, person: Person): Promise<void> {
  await page.goto('/register');
  await page.getByLabel('Username').fill(person.username);
  await page.getByLabel('Display name (optional)').fill(person.displayName);
  await page.getByLabel('Password').fill(person.password);
  await page.getByRole('button', { name: 'Create account' }).click();
  await expect(page).toHaveURL(/\/c$/);
  await expect(page.getByRole('button', { name: 'New chat' })).toBeVisible();
}

/**
 * Signs up through the API directly (when the UI path is not what a test is about).
 * @returns the API's AuthResponse (access token and user).
 */
export async function registerViaApi(
  request: APIRequestContext,
  person: Person,
): Promise<AuthResponse> {
  const response = await request.post(`${API_URL}/api/auth/register`, {
    data: person satisfies RegisterRequest,
  });
  expect(response.status(), await response.text()).toBe(201);
  return (await response.json()) as AuthResponse;
}

/** From the chat screen: searches `other` by display name and opens the direct conversation. */
export async function startConversation(page: Page, other: Person): Promise<void> {
  await page.getByRole('button', { name: 'New chat' }).click();
  await page.getByLabel('Search people').fill(other.displayName);
  await page
    .getByTestId('person-result')
    .filter({ hasText: `@${other.username}` })
    .click();
  await expect(page).toHaveURL(/\/c\/[^/]+$/);
  await expect(page.getByRole('heading', { name: other.displayName })).toBeVisible();
}

/**
 * From the chat screen: opens the message request from `from` (listed under Requests) and accepts it; stays on
 * that conversation.
 */
export async function acceptRequestViaUi(page: Page, from: Person): Promise<void> {
  await page
    .getByTestId('request-list')
    .getByTestId('conversation-item')
    .filter({ hasText: from.displayName })
    .click();
  const bar = page.getByTestId('request-bar');
  await bar.getByRole('button', { name: 'Accept' }).click();
  await expect(bar).toHaveCount(0);
}

/** From the chat screen: creates a group named `title` with `members` through the New group dialog and opens it. */
export async function createGroup(page: Page, title: string, members: Person[]): Promise<void> {
  await page.getByRole('button', { name: 'New group' }).click();
  const dialog = page.getByRole('dialog', { name: 'New group' });
  await dialog.getByLabel('Group name').fill(title);
  for (const member of members) {
    await dialog.getByLabel('Search people').fill(member.displayName);
    await dialog
      .getByTestId('person-result')
      .filter({ hasText: `@${member.username}` })
      .click();
  }
  await dialog.getByRole('button', { name: 'Create group' }).click();
  await expect(page.getByRole('heading', { name: title })).toBeVisible();
}

/** Types into the composer and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
}

/** In the open emoji picker: searches `name` and picks the first match; the picker closes. */
export async function pickEmoji(page: Page, name: string): Promise<void> {
  const picker = page.getByTestId('emoji-picker');
  await picker.getByRole('textbox', { name: /search/i }).fill(name);
  await picker
    .getByRole('gridcell', { name: new RegExp(name, 'i') })
    .first()
    .click();
  await expect(picker).toHaveCount(0);
}

/** The message bodies in the pane, top to bottom. */
export function messageBodies(page: Page) {
  return page.getByTestId('message').locator('.bubble-body');
}

/** The entry of the conversation with `other` (a direct one, named by their display name) in the list. */
export function conversationItem(page: Page, other: Person) {
  return page.getByTestId('conversation-item').filter({ hasText: other.displayName });
}

/** The id of the conversation open on `page` (from its `/c/<id>` URL); '' when none is open. */
export function openConversationId(page: Page): string {
  return page.url().split('/c/')[1] ?? '';
}

/** A person signed up through the API, with the API's answer (`auth.accessToken` acts as them over REST). */
export interface Contact extends Person {
  auth: AuthResponse;
}

/**
 * Signs up each of `contacts` through the API, then `me` through the UI on `page`, for tests about one person's
 * screen who needs people to talk to.
 * @returns the people, in the order named: `const [ana, ben] = await signUpWithContacts(page, request, 'ana', 'ben')`
 */
export async function signUpWithContacts<const N extends readonly string[]>(
  page: Page,
  request: APIRequestContext,
  me: string,
  ...contacts: N
): Promise<[Person, ...{ [K in keyof N]: Contact }]> {
  const self = makePerson(me);
  const others: Contact[] = [];
  for (const name of contacts) {
    const person = makePerson(name);
    others.push({ ...person, auth: await registerViaApi(request, person) });
  }
  await registerViaUi(page, self);
  return [self, ...(others as { [K in keyof N]: Contact })];
}

/** One person in a browser context of their own (own cookies and storage, like a separate device). */
export interface Participant {
  person: Person;
  context: BrowserContext;
  page: Page;
}

/**
 * Two people, each in their own browser context, both signed up through the UI; the first has opened the direct
 * conversation with the second, and the second has accepted that message request (so the two are contacts, as two
 * people who already talk are: presence and receipts flow) and is back on the list. Close the contexts at the end
 * of the test.
 */
export async function twoPeopleInConversation(
  browser: Browser,
  first: string,
  second: string,
): Promise<[Participant, Participant]> {
  const people = [makePerson(first), makePerson(second)] as const;
  const contexts = [await browser.newContext(), await browser.newContext()] as const;
  const pages = [await contexts[0].newPage(), await contexts[1].newPage()] as const;
  await registerViaUi(pages[0], people[0]);
  await registerViaUi(pages[1], people[1]);
  await startConversation(pages[0], people[1]);
  await acceptRequestViaUi(pages[1], people[0]);
  await pages[1].goto('/c');
  await expect(pages[1].getByRole('button', { name: 'New chat' })).toBeVisible();
  return [
    { person: people[0], context: contexts[0], page: pages[0] },
    { person: people[1], context: contexts[1], page: pages[1] },
  ];
}

/** Switches a page's real-time link off and on; see controlSocketLink. */
export interface SocketLinkControl {
  /** Closes the open sockets (code 1001) and holds every new attempt unanswered until `restore`. */
  cut(): Promise<void>;
  /** Connects the held attempts and lets new ones through again. */
  restore(): void;
}

/**
 * Takes control of a page's Socket.IO link; call it before the page loads the app. While cut, new WebSocket
 * attempts wait unanswered and long-polling requests fail, as on a dead network, while page loads and REST keep
 * working (so a test can reload the page, or have someone answer over REST, while the link is down).
 */
export async function controlSocketLink(page: Page): Promise<SocketLinkControl> {
  let down = false;
  const open = new Set<WebSocketRoute>();
  const held: WebSocketRoute[] = [];
  const wire = (ws: WebSocketRoute) => {
    const server = ws.connectToServer();
    open.add(ws);
    ws.onMessage((frame) => server.send(frame));
    server.onMessage((frame) => ws.send(frame));
    ws.onClose(() => open.delete(ws));
  };
  await page.routeWebSocket(/\/socket\.io\//, (ws) => (down ? held.push(ws) : wire(ws)));
  await page.route(/\/socket\.io\/.*transport=polling/, (route) =>
    down ? route.abort() : route.fallback(),
  );
  return {
    async cut() {
      down = true;
      for (const ws of open) await ws.close({ code: 1001 });
    },
    restore() {
      down = false;
      for (const ws of held.splice(0)) wire(ws);
    },
  };
}

/**
 * Answers the app's confirmation dialog titled `title` (ConfirmDialog) with the button `answer` ('Cancel' or the
 * confirming label), and waits for it to close.
 */
export async function answerConfirm(page: Page, title: string, answer: string): Promise<void> {
  const dialog = page.getByRole('alertdialog', { name: title });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByRole('button', { name: 'Cancel' })).toBeFocused();
  await dialog.getByRole('button', { name: answer, exact: true }).click();
  await expect(dialog).toHaveCount(0);
}
