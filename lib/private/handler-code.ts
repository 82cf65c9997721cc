import * as fs from 'node:fs';
import * as path from 'node:path';
import * as lambda from 'aws-cdk-lib/aws-lambda';

/**
 * Where scripts/bundle-handlers.mjs writes the pre-bundled handlers: <package root>/dist/handlers, two levels up
 * from this file both as source (lib/private/) and compiled (dist/private/), so the repo and the installed
 * package find them the same way.
 */
export const HANDLERS_DIR = path.join(__dirname, '..', '..', 'dist', 'handlers');

/** Every Lambda handler, `lib/<area>/handlers/<name>.lambda.ts` (a test keeps the list in step with the files). */
export const HANDLER_NAMES = ['client-cert-authorizer', 'pre-token-generation', 'revocation-sync', 'truststore'] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/**
 * The esbuild bundle of `lib/<area>/handlers/<name>.lambda.ts` as Lambda code (index.handler).
 * Bundles are built by the package build (shipped in the tarball), on this repo's `npm ci` and before tests;
 * synth never runs Docker.
 */
export function handlerCode(name: HandlerName): lambda.Code {
  const dir = path.join(HANDLERS_DIR, name);
  if (!fs.existsSync(path.join(dir, 'index.js'))) {
    throw new Error(
      `Lambda handler bundle "${name}" not found in ${dir}. Fix: in this repository run "npm run build:handlers" (npm ci does it for you); in an installed package, reinstall it (the bundles ship in the tarball).`,
    );
  }
  return lambda.Code.fromAsset(dir);
}
