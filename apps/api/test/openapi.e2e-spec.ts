import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import type { OpenAPIObject, OperationObject } from '@nestjs/swagger';
import { ERROR_HTTP_STATUS, type ErrorCode, isErrorCode } from '@chat/shared';
import { MediaAuthGuard } from '../src/attachments/media-auth.guard.js';
import { IS_PUBLIC_KEY } from '../src/auth/public.decorator.js';
import {
  API_ROUTE_AUTH_KEY,
  type RouteAuth,
  SECURITY_SCHEMES,
} from '../src/openapi/api-route.decorator.js';
import { http } from './support/http.js';
import { startTestApp, type TestApp } from './support/test-app.js';

/** A route as the application serves it: `GET /api/conversations/{id}` (OpenAPI path syntax). */
interface Route {
  method: string;
  path: string;
}

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'] as const;

/** `/api/conversations/:id/members/:userId` -> `/api/conversations/{id}/members/{userId}` */
function toOpenApiPath(expressPath: string): string {
  return expressPath.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Every route Express really serves under /api, the documentation's own routes excluded. */
function servedRoutes(t: TestApp): Route[] {
  const express = t.app.getHttpAdapter().getInstance() as {
    router: { stack: { route?: { path: string; methods: Record<string, boolean> } }[] };
  };
  const routes: Route[] = [];
  for (const layer of express.router.stack) {
    if (!layer.route) continue;
    const { path, methods } = layer.route;
    if (!path.startsWith('/api/') || path.startsWith('/api/docs')) continue;
    for (const [method, on] of Object.entries(methods)) {
      if (on && method !== '_all') routes.push({ method, path: toOpenApiPath(path) });
    }
  }
  return routes;
}

describe('OpenAPI document', () => {
  let t: TestApp;
  let document: OpenAPIObject;
  beforeAll(async () => {
    t = await startTestApp();
    const res = await http<OpenAPIObject>(t.baseUrl, 'GET', '/api/docs-json');
    expect(res.status).toBe(200);
    document = res.body;
  });
  afterAll(async () => {
    await t?.close();
  });

  function operation(route: Route): OperationObject | undefined {
    const item = document.paths[route.path] as Record<string, OperationObject> | undefined;
    return item?.[route.method];
  }

  it('is an OpenAPI 3 document served without authentication', () => {
    expect(document.openapi).toMatch(/^3\./);
    expect(document.info.title).toBe('Relay chat API');
    expect(Object.keys(document.components?.securitySchemes ?? {}).sort()).toEqual(
      Object.values(SECURITY_SCHEMES).sort(),
    );
  });

  it('lists every route the API serves, and nothing it does not', () => {
    const served = servedRoutes(t);
    // The app must have its routes (a broken discovery would make the comparison vacuous).
    expect(served.length).toBeGreaterThan(25);
    const missing = served.filter((route) => operation(route) === undefined);
    expect(missing).toEqual([]);

    const documented: Route[] = [];
    for (const [path, item] of Object.entries(document.paths)) {
      for (const method of HTTP_METHODS) {
        if ((item as Record<string, unknown>)[method]) documented.push({ method, path });
      }
    }
    const key = (r: Route) => `${r.method} ${r.path}`;
    const servedKeys = new Set(served.map(key));
    expect(documented.filter((route) => !servedKeys.has(key(route)))).toEqual([]);
  });

  it('gives every route a summary, its auth as the guards enforce it, and error codes on their statuses', () => {
    const discovery = t.app.get(DiscoveryService);
    const scanner = t.app.get(MetadataScanner);
    const reflector = t.app.get(Reflector);
    let checked = 0;
    for (const wrapper of discovery.getControllers()) {
      const { metatype, instance } = wrapper;
      if (!metatype || !instance) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      const base = String(Reflect.getMetadata(PATH_METADATA, metatype) ?? '');
      for (const name of scanner.getAllMethodNames(prototype)) {
        const handler = (prototype as Record<string, unknown>)[name] as () => unknown;
        const subPath = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
        if (subPath === undefined) continue;
        const method =
          RequestMethod[
            Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod
          ].toLowerCase();
        const path = toOpenApiPath(
          `/api/${[base, subPath].filter((part) => part !== '' && part !== '/').join('/')}`,
        );
        const where = `${metatype.name}.${name} (${method} ${path})`;
        const op = operation({ method, path });
        expect({ where, documented: op !== undefined }).toEqual({ where, documented: true });
        if (!op) continue;
        expect({ where, summary: (op.summary ?? '').length > 5 }).toEqual({ where, summary: true });

        // What the guards really do: the global JWT guard unless @Public(); MediaAuthGuard on file GETs.
        const isPublic = reflector.getAllAndOverride<boolean>(IS_PUBLIC_KEY, [handler, metatype]);
        const guards = (Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as unknown[];
        const documentedAuth = Reflect.getMetadata(API_ROUTE_AUTH_KEY, handler) as RouteAuth;
        const enforced: RouteAuth[] = !isPublic
          ? ['bearer']
          : guards.includes(MediaAuthGuard)
            ? ['media']
            : ['none', 'refresh'];
        expect({ where, auth: enforced.includes(documentedAuth) }).toEqual({ where, auth: true });
        const schemes = (op.security ?? []).flatMap((requirement) => Object.keys(requirement));
        if (documentedAuth === 'none') expect({ where, schemes }).toEqual({ where, schemes: [] });
        else expect(schemes).toContain(SECURITY_SCHEMES[documentedAuth]);

        // Each error status lists only codes that map to it, as the API answers them.
        const errorStatuses = Object.keys(op.responses).filter((status) => Number(status) >= 400);
        expect({ where, errors: errorStatuses.length > 0 }).toEqual({ where, errors: true });
        for (const status of errorStatuses) {
          const response = op.responses[status] as {
            content?: Record<
              string,
              { schema?: { allOf?: { properties?: { code?: { enum?: string[] } } }[] } }
            >;
          };
          const codes =
            response.content?.['application/json']?.schema?.allOf?.[1]?.properties?.code?.enum;
          if (codes === undefined) continue; // health's 503 documents its own body
          for (const code of codes) {
            expect(isErrorCode(code)).toBe(true);
            expect({ where, code, status: ERROR_HTTP_STATUS[code as ErrorCode] }).toEqual({
              where,
              code,
              status: Number(status),
            });
          }
        }
        checked += 1;
      }
    }
    expect(checked).toBe(servedRoutes(t).length);
  });

  it('describes request bodies and queries from the DTO classes', () => {
    const register = operation({ method: 'post', path: '/api/auth/register' });
    expect(register?.requestBody).toBeDefined();
    const schemas = document.components?.schemas ?? {};
    expect(schemas.RegisterDto).toMatchObject({
      required: expect.arrayContaining(['username', 'password']),
      properties: { username: { type: 'string' }, displayName: { type: 'string' } },
    });
    const history = operation({ method: 'get', path: '/api/conversations/{id}/messages' });
    const names = (history?.parameters ?? []).map((p) => ('name' in p ? p.name : ''));
    expect(names).toEqual(expect.arrayContaining(['id', 'before', 'after', 'limit']));
  });

  it('serves Swagger UI at /api/docs', async () => {
    const res = await fetch(`${t.baseUrl}/api/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/text\/html/);
    expect(await res.text()).toContain('swagger-ui');
  });
});
