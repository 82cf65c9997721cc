import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { HANDLER_NAMES, handlerCode } from '../../lib/private/handler-code';

describe('handler names', () => {
  it('HANDLER_NAMES lists exactly the lib/<area>/handlers/<name>.lambda.ts files', () => {
    const lib = path.join(__dirname, '..', '..', 'lib');
    const files = fs.readdirSync(lib).flatMap((area) => {
      const dir = path.join(lib, area, 'handlers');
      return fs.existsSync(dir)
        ? fs
            .readdirSync(dir)
            .filter((f) => f.endsWith('.lambda.ts'))
            .map((f) => f.replace(/\.lambda\.ts$/, ''))
        : [];
    });
    expect(files.length).toBeGreaterThan(0);
    expect([...HANDLER_NAMES].sort()).toEqual(files.sort());
  });

  it('refuses a name without a bundle, saying how to build it', () => {
    expect(() => handlerCode('no-such-handler' as (typeof HANDLER_NAMES)[number])).toThrow(
      /Lambda handler bundle "no-such-handler" not found .*Fix: .*npm run build:handlers/,
    );
  });
});
