import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AppConfig } from './app-config.js';

/**
 * Makes the already-validated `AppConfig` injectable everywhere (global). Built with the config the caller
 * loaded, so tests pass their own values instead of patching the environment.
 */
@Global()
@Module({})
export class AppConfigModule {
  /** @param config the result of `loadConfig(...)` */
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppConfigModule,
      global: true,
      providers: [{ provide: AppConfig, useValue: config }],
      exports: [AppConfig],
    };
  }
}
