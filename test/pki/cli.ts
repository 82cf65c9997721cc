import { vi } from 'vitest';
import { main } from '../../lib/cli/csm-certs';

/** Runs the csm-certs entry point in this process, capturing what it prints. */
export async function runCliInProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((m) => {
    out.push(String(m));
  });
  const error = vi.spyOn(console, 'error').mockImplementation((m) => {
    err.push(String(m));
  });
  try {
    return { code: await main(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
