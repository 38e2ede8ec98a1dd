import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { SECURITY_SCHEMES } from './api-route.decorator.js';
import pluginMetadata from './plugin-metadata.js';

/** Where the interactive documentation is served (under the global `/api` prefix's host). */
export const OPENAPI_UI_PATH = 'api/docs';
/** Where the OpenAPI 3 document itself is served, as JSON. */
export const OPENAPI_JSON_PATH = 'api/docs-json';

/**
 * Builds the OpenAPI 3 document of the REST API from the running application: routes from the controllers,
 * bodies, queries and parameters from the DTO classes (through the plugin metadata that
 * scripts/openapi-metadata.mjs generates from them), and summary, auth and error codes from each route's
 * `@ApiRoute`. The Socket.IO events are not REST and are described in docs/protocol.md instead.
 */
export async function buildOpenApiDocument(app: INestApplication): Promise<OpenAPIObject> {
  await SwaggerModule.loadPluginMetadata(pluginMetadata);
  const config = new DocumentBuilder()
    .setTitle('Relay chat API')
    .setDescription(
      'REST half of the Relay chat API (the other half is Socket.IO on the same port: see docs/protocol.md). ' +
        'Every failure answers an HTTP status and `ApiErrorBody` with a stable `code`. Sign in with ' +
        '`POST /api/auth/login`, then send the access token as `Authorization: Bearer <token>`.',
    )
    .setVersion('1')
    .addBearerAuth(
      {
        type: 'http',
        scheme: 'bearer',
        bearerFormat: 'JWT',
        description: 'Access token (about 15 min).',
      },
      SECURITY_SCHEMES.bearer,
    )
    .addCookieAuth(
      SECURITY_SCHEMES.media,
      {
        type: 'apiKey',
        in: 'cookie',
        description: 'Set by the auth routes; accepted by file GETs only.',
      },
      SECURITY_SCHEMES.media,
    )
    .addCookieAuth(
      SECURITY_SCHEMES.refresh,
      { type: 'apiKey', in: 'cookie', description: 'Opaque refresh token, rotated on every use.' },
      SECURITY_SCHEMES.refresh,
    )
    .build();
  return SwaggerModule.createDocument(app, config);
}

/**
 * Serves the document at `/api/docs-json` and Swagger UI at `/api/docs`. Call after the global prefix is set and
 * before `app.init()`.
 */
export async function setupOpenApi(app: INestApplication): Promise<void> {
  const document = await buildOpenApiDocument(app);
  SwaggerModule.setup(OPENAPI_UI_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    // YAML is not asked for; one format keeps one thing to test.
    raw: ['json'],
    customSiteTitle: 'Relay chat API',
  });
}
