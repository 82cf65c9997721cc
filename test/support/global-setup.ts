import { execFileSync } from 'node:child_process';
import * as path from 'node:path';

/** Rebuild the Lambda bundles once before the suite so tests always synth the current handler code. */
export default function setup(): void {
  execFileSync(process.execPath, [path.join(__dirname, '..', '..', 'scripts', 'bundle-handlers.mjs')], { stdio: 'inherit' });
}
