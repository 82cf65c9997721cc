#!/usr/bin/env node
/* csm-fuzz: fuzz a deployed API from its own model (cdk.out/api-model.json). */
import { main } from './fuzz';

export { main };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`csm-fuzz: unexpected error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 2;
    },
  );
}
