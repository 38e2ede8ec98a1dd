import { describe, expect, it } from '@jest/globals';
import { withDatabaseName } from './mongo-uri.js';

describe('withDatabaseName', () => {
  it('sets the database of a single-host string, with or without a path or options', () => {
    expect(withDatabaseName('mongodb://127.0.0.1:27017', 'e2e_1')).toBe(
      'mongodb://127.0.0.1:27017/e2e_1',
    );
    expect(withDatabaseName('mongodb://127.0.0.1:27017/', 'e2e_1')).toBe(
      'mongodb://127.0.0.1:27017/e2e_1',
    );
    expect(withDatabaseName('mongodb://h/chat?authSource=admin', 'e2e_1')).toBe(
      'mongodb://h/e2e_1?authSource=admin',
    );
    expect(withDatabaseName('mongodb://h?directConnection=true', 'e2e_1')).toBe(
      'mongodb://h/e2e_1?directConnection=true',
    );
  });

  it('keeps a replica-set seed list, which new URL() refuses', () => {
    const seeds = 'mongodb://u:p%2Fw@a:27017,b:27018,c:27019/chat?replicaSet=rs0&w=majority';
    expect(() => new URL(seeds)).toThrow();
    expect(withDatabaseName(seeds, 'e2e_2')).toBe(
      'mongodb://u:p%2Fw@a:27017,b:27018,c:27019/e2e_2?replicaSet=rs0&w=majority',
    );
  });

  it('keeps mongodb+srv and percent-encoded socket paths', () => {
    expect(withDatabaseName('mongodb+srv://cluster0.example.net/?retryWrites=true', 'x')).toBe(
      'mongodb+srv://cluster0.example.net/x?retryWrites=true',
    );
    expect(withDatabaseName('mongodb://%2Ftmp%2Fmongodb-27017.sock', 'x')).toBe(
      'mongodb://%2Ftmp%2Fmongodb-27017.sock/x',
    );
  });

  it('refuses what is not a MongoDB string or not a plain name', () => {
    expect(() => withDatabaseName('postgres://h/db', 'x')).toThrow(/not a mongodb/);
    expect(() => withDatabaseName('mongodb://h', 'a/b')).toThrow(/plain database name/);
  });
});
