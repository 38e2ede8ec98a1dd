#!/usr/bin/env node
/**
 * Writes src/openapi/plugin-metadata.ts: what @nestjs/swagger's compiler plugin reads from the DTO classes (property
 * types, optionality, class-validator limits, doc comments) and the controllers (response types), as a module that
 * `SwaggerModule.loadPluginMetadata` applies at start. Generating it ahead of compilation keeps the build a plain
 * `tsc` (and Jest's SWC transform) instead of a compiler with a transformer hook; it is the route the NestJS docs
 * give for SWC builds ("Monorepo and CLI plugins" in the SWC recipe).
 *
 * Run by the api's build, typecheck and test scripts. It skips the work when the file is newer than every source
 * file, so repeated runs cost ~50 ms; the output is git-ignored.
 */
import { existsSync, readdirSync, renameSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';

const apiRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const outputDir = join(apiRoot, 'src', 'openapi');
const filename = 'plugin-metadata.ts';
const output = join(outputDir, filename);

/** Newest modification time (ms) of the .ts sources under `dir`, the generated file excluded. */
function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts') && path !== output) {
      newest = Math.max(newest, statSync(path).mtimeMs);
    }
  }
  return newest;
}

if (existsSync(output) && statSync(output).mtimeMs >= newestSource(join(apiRoot, 'src'))) {
  process.exit(0);
}

/** The build's program, without a type-check pass: tsc reports type errors; this only reads declarations. */
function buildProgram() {
  const configPath = join(apiRoot, 'tsconfig.build.json');
  const { config } = ts.readConfigFile(configPath, ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config, ts.sys, apiRoot, undefined, configPath);
  return ts.createProgram(parsed.fileNames, parsed.options);
}

const temporary = `${filename}.${process.pid}.tmp`;
new PluginMetadataGenerator().generate({
  tsProgramRef: buildProgram(),
  visitors: [
    new ReadonlyVisitor({
      pathToSource: outputDir,
      introspectComments: true,
      classValidatorShim: true,
      dtoFileNameSuffix: ['.dto.ts', '.query.ts'],
      controllerFileNameSuffix: ['.controller.ts'],
    }),
  ],
  outputDir,
  filename: temporary,
});
// Renamed into place, so a concurrent build or typecheck never reads half a file.
renameSync(join(outputDir, temporary), output);
console.log(`openapi: wrote ${filename}`);
