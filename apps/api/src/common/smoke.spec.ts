import { describe, expect, it } from '@jest/globals';
import { Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { ErrorCode } from '@chat/shared';

@Injectable()
class A { v() { return 1; } }
@Injectable()
class B { constructor(readonly a: A) {} }
@Module({ providers: [A, B] })
class M {}

describe('toolchain', () => {
  it('injects by metadata', async () => {
    const m = await Test.createTestingModule({ imports: [M] }).compile();
    expect(m.get(B).a.v()).toBe(1);
    expect(ErrorCode.NOT_FOUND).toBe('NOT_FOUND');
  });
});
