import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { Injectable, Logger } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import type { Message } from '@chat/shared';
import { type DomainEventMap, DomainEvents, OnDomainEvent } from './domain-events.js';
import { EventsModule } from './events.module.js';

const message = { id: 'm1', conversationId: 'c1', seq: 1 } as Message;

/** Two listeners of one event: the first fails (sync or async, as told), the second records what it heard. */
@Injectable()
class Listeners {
  failure: 'sync' | 'async' | null = null;
  readonly heard: string[] = [];

  @OnDomainEvent('message.stored')
  fails(): Promise<void> | void {
    if (this.failure === 'sync') throw new Error('sync failure');
    if (this.failure === 'async') return Promise.reject(new Error('async failure'));
  }

  @OnDomainEvent('message.stored')
  async records({ message: stored }: DomainEventMap['message.stored']): Promise<void> {
    await Promise.resolve();
    this.heard.push(stored.id);
  }
}

async function start() {
  const moduleRef = await Test.createTestingModule({
    imports: [EventsModule],
    providers: [Listeners],
  }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init(); // listeners are registered at bootstrap
  return { app, events: app.get(DomainEvents), listeners: app.get(Listeners) };
}

describe('DomainEvents', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('resolves after every listener ran', async () => {
    const { app, events, listeners } = await start();
    await events.publish('message.stored', { message, memberIds: ['u1'] });
    expect(listeners.heard).toEqual(['m1']);
    await app.close();
  });

  it.each(['sync', 'async'] as const)(
    'never rejects when a listener fails (%s): the others still run and the failure is logged',
    async (failure) => {
      const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => {});
      const { app, events, listeners } = await start();
      listeners.failure = failure;
      await expect(
        events.publish('message.stored', { message, memberIds: ['u1'] }),
      ).resolves.toBeUndefined();
      expect(listeners.heard).toEqual(['m1']);
      expect(logged).toHaveBeenCalledWith(
        expect.objectContaining({ event: 'message.stored', listener: 'Listeners.fails' }),
        expect.stringContaining('resync'),
      );
      await app.close();
    },
  );
});
