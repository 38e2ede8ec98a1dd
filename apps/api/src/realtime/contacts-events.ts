import { Injectable } from '@nestjs/common';

/** Told the ids of people whose contacts may have changed. */
export type ContactsListener = (userIds: readonly string[]) => void;

/**
 * A tiny in-process signal: "these people may have new contacts" (a direct conversation was created, a group was
 * created or got members). Services that change membership call `changed`; presence listens and sends those people a
 * fresh `presence:snapshot`, since presence is told only to contacts and new contacts were not told before. Lives in
 * the global realtime core so conversations and live state need not import each other.
 */
@Injectable()
export class ContactsEvents {
  private readonly listeners = new Set<ContactsListener>();

  /** @returns a function that removes the listener */
  on(listener: ContactsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  changed(userIds: readonly string[]): void {
    if (userIds.length === 0) return;
    for (const listener of this.listeners) listener(userIds);
  }
}
