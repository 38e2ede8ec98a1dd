import { expect, type APIRequestContext, type Page } from '@playwright/test';
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

/** Types into the composer and presses Enter. */
export async function send(page: Page, text: string): Promise<void> {
  const composer = page.getByLabel('Message', { exact: true });
  await composer.fill(text);
  await composer.press('Enter');
}

/** The message bodies in the pane, top to bottom. */
export function messageBodies(page: Page) {
  return page.getByTestId('message').locator('.bubble-body');
}
