/**
 * Start-up of the MongoDB adapter without a server: MongoStorageHealth waits for the collections and indexes of
 * every model the module compiles, attachments included.
 */
import { describe, expect, it, jest } from '@jest/globals';
import mongoose from 'mongoose';
import { MongoStorageHealth } from './mongo-storage.health.js';
import { MONGO_MODELS } from './mongo-storage.module.js';
import { MODEL } from './mongo.schemas.js';

describe('MongoStorageHealth.onModuleInit', () => {
  it("awaits init() (collection and index creation) of every model on the adapter's connection", async () => {
    const connection = mongoose.createConnection();
    // No server: init() of each model is replaced by one that resolves after a tick, so "awaited" is visible.
    const finished: string[] = [];
    for (const { name, schema } of MONGO_MODELS) {
      const model = connection.model(name, schema);
      jest.spyOn(model, 'init').mockImplementation(async () => {
        await new Promise((resolve) => setImmediate(resolve));
        finished.push(name);
        return undefined as never;
      });
    }
    await new MongoStorageHealth(connection).onModuleInit();
    expect(finished.sort()).toEqual(Object.values(MODEL).sort());
    expect(finished).toContain(MODEL.attachment);
  });

  it('fails the start with the index build error', async () => {
    const connection = mongoose.createConnection();
    for (const { name, schema } of MONGO_MODELS) {
      const model = connection.model(name, schema);
      jest
        .spyOn(model, 'init')
        .mockImplementation(() =>
          name === MODEL.attachment
            ? Promise.reject(new Error('E11000 while building attachments_message_idx'))
            : Promise.resolve(undefined as never),
        );
    }
    await expect(new MongoStorageHealth(connection).onModuleInit()).rejects.toThrow(
      'attachments_message_idx',
    );
  });
});
