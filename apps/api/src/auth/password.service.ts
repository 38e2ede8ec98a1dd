import { Injectable, type OnModuleInit } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { LIMITS } from '@chat/shared';
import { AppConfig } from '../config/app-config.js';
import { passwordProblem } from './password-rules.js';

/**
 * Hashes and checks passwords with bcrypt (async, off the event loop) at BCRYPT_COST.
 */
@Injectable()
export class PasswordService implements OnModuleInit {
  private dummyHash: Promise<string> | null = null;

  constructor(private readonly config: AppConfig) {}

  /** Prepares the dummy hash at start so the first unknown-user login costs what every later one does. */
  onModuleInit(): void {
    void this.getDummyHash();
  }

  /** @returns the bcrypt hash (60 characters, cost and salt inside). Caller must have checked `passwordProblem`. */
  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.config.bcryptCost);
  }

  /**
   * Compares a password with a stored hash. With `hash` null (unknown user) or a password that could never have
   * been registered, it still spends one bcrypt comparison against a dummy hash of the same cost, so the answer
   * time does not tell whether the username exists.
   * @returns true only for a matching, acceptable password and a real hash
   */
  async verify(password: string, hash: string | null): Promise<boolean> {
    const acceptable = passwordProblem(password) === null;
    if (hash === null || !acceptable) {
      await bcrypt.compare(
        acceptable ? password : 'x'.repeat(LIMITS.PASSWORD_MIN_BYTES),
        await this.getDummyHash(),
      );
      return false;
    }
    return bcrypt.compare(password, hash);
  }

  private getDummyHash(): Promise<string> {
    this.dummyHash ??= bcrypt.hash(
      'dummy password for timing equalisation',
      this.config.bcryptCost,
    );
    return this.dummyHash;
  }
}
