import { describe, expect, it } from '@jest/globals';
import { parseDatabaseUrl } from './database-url.js';

describe('parseDatabaseUrl', () => {
  const cwd = '/srv/api';

  it('defaults to the ./.data/pglite folder of the working directory', () => {
    for (const value of [undefined, '', '   ']) {
      expect(parseDatabaseUrl(value, cwd)).toEqual({
        kind: 'pglite',
        dataDir: '/srv/api/.data/pglite',
      });
    }
  });

  it('reads pglite://memory as an in-memory database', () => {
    expect(parseDatabaseUrl('pglite://memory', cwd)).toEqual({ kind: 'pglite', dataDir: null });
    expect(parseDatabaseUrl('PGLITE://memory/', cwd)).toEqual({ kind: 'pglite', dataDir: null });
  });

  it('reads pglite folders, absolute or relative to the working directory', () => {
    expect(parseDatabaseUrl('pglite:///var/lib/chat', cwd)).toEqual({
      kind: 'pglite',
      dataDir: '/var/lib/chat',
    });
    expect(parseDatabaseUrl('pglite://./data/db', cwd)).toEqual({
      kind: 'pglite',
      dataDir: '/srv/api/data/db',
    });
    expect(parseDatabaseUrl('pglite://data', cwd)).toEqual({
      kind: 'pglite',
      dataDir: '/srv/api/data',
    });
    expect(parseDatabaseUrl('pglite://./memory', cwd)).toEqual({
      kind: 'pglite',
      dataDir: '/srv/api/memory',
    });
  });

  it('refuses a pglite URL without a location', () => {
    expect(() => parseDatabaseUrl('pglite://', cwd)).toThrow(/pglite:\/\/ URL needs/);
  });

  it('reads postgres:// and postgresql:// as PostgreSQL, keeping the URL as given', () => {
    const url = 'postgres://user:secret@db.example:5433/chat?sslmode=require';
    expect(parseDatabaseUrl(url, cwd)).toEqual({ kind: 'postgres', url });
    expect(parseDatabaseUrl('postgresql://localhost/chat', cwd)).toEqual({
      kind: 'postgres',
      url: 'postgresql://localhost/chat',
    });
  });

  it('reads mongodb:// and mongodb+srv:// as MongoDB, including seed lists', () => {
    const seeds = 'mongodb://a.example:27017,b.example:27017/chat?replicaSet=rs0';
    expect(parseDatabaseUrl(seeds, cwd)).toEqual({ kind: 'mongodb', url: seeds });
    expect(parseDatabaseUrl('mongodb+srv://cluster.example/chat', cwd)).toMatchObject({
      kind: 'mongodb',
    });
  });

  it('refuses unknown schemes and malformed URLs without echoing them (they may hold passwords)', () => {
    for (const value of ['mysql://root:hunter2@db/chat', 'hunter2', 'file:///tmp/x']) {
      expect(() => parseDatabaseUrl(value, cwd)).toThrow(/unsupported scheme/);
      expect(() => parseDatabaseUrl(value, cwd)).not.toThrow(/hunter2/);
    }
    expect(() => parseDatabaseUrl('postgres://user:hunter2@[bad', cwd)).toThrow(
      /not a valid PostgreSQL URL/,
    );
    expect(() => parseDatabaseUrl('postgres://user:hunter2@[bad', cwd)).not.toThrow(/hunter2/);
  });
});
