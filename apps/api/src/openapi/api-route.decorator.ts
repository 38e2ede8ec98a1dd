import { applyDecorators, SetMetadata } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiConsumes,
  ApiCookieAuth,
  ApiExtraModels,
  ApiOperation,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { ERROR_HTTP_STATUS, ErrorCode, MEDIA_COOKIE_NAME, REFRESH_COOKIE_NAME } from '@chat/shared';
import { ApiErrorBodySchema } from './api-error-body.schema.js';

/**
 * How a route authenticates, as the OpenAPI document states it:
 * - `bearer`: `Authorization: Bearer <access token>` (the global JWT guard; every route not marked `@Public()`);
 * - `media`: the access token as a Bearer header or the httpOnly media cookie (file GETs, MediaAuthGuard);
 * - `refresh`: the httpOnly refresh cookie (refresh, logout);
 * - `none`: no credentials (register, login, health).
 * The route-coverage test checks this against the guards' own metadata, so the document cannot drift from them.
 */
export type RouteAuth = 'bearer' | 'media' | 'refresh' | 'none';

/** Security scheme names registered on the document (see buildOpenApiDocument). */
export const SECURITY_SCHEMES = {
  bearer: 'access-token',
  media: MEDIA_COOKIE_NAME,
  refresh: REFRESH_COOKIE_NAME,
} as const;

/** Metadata key under which ApiRoute records its `auth`, read by the route-coverage test. */
export const API_ROUTE_AUTH_KEY = 'chat:openapi:auth';

export interface ApiRouteOptions {
  /** One line: what the route does, for the operation's `summary`. */
  summary: string;
  /** Longer notes (rules, idempotency, status variants): the operation's `description`. */
  description?: string;
  auth: RouteAuth;
  /** The success status and what it carries (the shared type's name, e.g. "ConversationSummary"). */
  success: { status: number; description: string };
  /**
   * Other documented answers that are not `ApiErrorBody`: 200 as well as 201 for an idempotent create, or
   * health's 503 with the same body as its 200.
   */
  alsoSuccess?: { status: number; description: string }[];
  /**
   * The error codes this route answers with beyond those every route of its `auth` can give (added here:
   * UNAUTHENTICATED, TOKEN_EXPIRED and SESSION_REVOKED with credentials; VALIDATION_FAILED where input is
   * validated; SERVICE_UNAVAILABLE and INTERNAL always).
   */
  errors?: ErrorCode[];
  /** True when the route reads a validated body, query or path id (adds VALIDATION_FAILED). */
  validates?: boolean;
  /** A multipart upload with one file in the field `file`. */
  upload?: boolean;
}

/** What every group-admin route can answer: the conversation unknown, not a group, caller not (or no longer) an admin. */
export const GROUP_ADMIN_ERRORS: readonly ErrorCode[] = [
  ErrorCode.CONVERSATION_NOT_FOUND,
  ErrorCode.NOT_A_GROUP,
  ErrorCode.ADMIN_REQUIRED,
  ErrorCode.MEMBERSHIP_ENDED,
];

const CREDENTIAL_ERRORS: readonly ErrorCode[] = [
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.TOKEN_EXPIRED,
  ErrorCode.SESSION_REVOKED,
];
const ALWAYS: readonly ErrorCode[] = [ErrorCode.SERVICE_UNAVAILABLE, ErrorCode.INTERNAL];

/**
 * Documents one REST route in the OpenAPI document: summary, auth scheme, success status, and every error code
 * it can answer with, grouped by HTTP status through ERROR_HTTP_STATUS (the one code -> status map), each status
 * listing its codes and carrying the `ApiErrorBody` schema. Request bodies, queries and path parameters come from
 * the DTO classes through @nestjs/swagger's plugin metadata (scripts/openapi-metadata.mjs), so they are not
 * repeated here.
 */
export function ApiRoute(options: ApiRouteOptions): MethodDecorator {
  const codes = new Set<ErrorCode>(options.errors ?? []);
  if (options.auth === 'bearer' || options.auth === 'media') {
    for (const code of CREDENTIAL_ERRORS) codes.add(code);
  }
  if (options.validates || options.upload) codes.add(ErrorCode.VALIDATION_FAILED);
  for (const code of ALWAYS) codes.add(code);

  const successStatuses = new Set(
    [options.success, ...(options.alsoSuccess ?? [])].map((answer) => answer.status),
  );
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) {
    const status = ERROR_HTTP_STATUS[code];
    // A documented non-error body on that status (health's 503) wins over the error body.
    if (successStatuses.has(status)) continue;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }

  const decorators: (MethodDecorator | ClassDecorator)[] = [
    SetMetadata(API_ROUTE_AUTH_KEY, options.auth),
    ApiOperation({ summary: options.summary, description: options.description }),
    ApiExtraModels(ApiErrorBodySchema),
    ApiResponse({ status: options.success.status, description: options.success.description }),
    ...(options.alsoSuccess ?? []).map((extra) =>
      ApiResponse({ status: extra.status, description: extra.description }),
    ),
    ...[...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, statusCodes]) =>
        ApiResponse({
          status,
          description: `Error codes: ${statusCodes.join(', ')}`,
          content: {
            'application/json': {
              schema: {
                allOf: [
                  { $ref: getSchemaPath(ApiErrorBodySchema) },
                  { properties: { code: { type: 'string', enum: statusCodes } } },
                ],
              },
            },
          },
        }),
      ),
  ];
  if (options.auth === 'bearer') decorators.push(ApiBearerAuth(SECURITY_SCHEMES.bearer));
  if (options.auth === 'media') {
    // Either one: a Bearer header, or the cookie that <img> and download links send.
    decorators.push(ApiBearerAuth(SECURITY_SCHEMES.bearer), ApiCookieAuth(SECURITY_SCHEMES.media));
  }
  if (options.auth === 'refresh') decorators.push(ApiCookieAuth(SECURITY_SCHEMES.refresh));
  if (options.upload) {
    decorators.push(
      ApiConsumes('multipart/form-data'),
      // multer reads the file, so the plugin cannot see it: described here.
      ApiBody({
        required: true,
        schema: {
          type: 'object',
          required: ['file'],
          properties: { file: { type: 'string', format: 'binary' } },
        },
      }),
    );
  }
  return applyDecorators(...decorators);
}
