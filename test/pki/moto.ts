import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import * as net from 'node:net';

/** A moto_server for this test file, or why there is none (tests then skip, or fail under CI). */
export interface MotoServer {
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** The tools a test file needs; under CI=true a missing one fails the run instead of skipping it. */
export function missingTools(tools: string[]): string | undefined {
  const missing = tools.filter((t) => spawnSync(t, t === 'openssl' ? ['version'] : ['--help'], { stdio: 'ignore' }).error);
  if (missing.length === 0) return undefined;
  const message = `${missing.join(' and ')} not found on PATH: the moto/openssl tests cannot run`;
  if (process.env.CI === 'true') throw new Error(`${message} (CI=true requires them)`);
  console.warn(`SKIPPING: ${message}. Install moto[server] and openssl to run them.`);
  return message;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Starts moto_server on 127.0.0.1 at a free port and waits until it answers. */
export async function startMoto(): Promise<MotoServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with ${child.exitCode}`);
    try {
      const res = await fetch(`${endpoint}/moto-api/`);
      if (res.ok || res.status < 500) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill();
      throw new Error('moto_server did not answer within 30 s');
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    endpoint,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        process.kill(child.pid!, 'SIGTERM');
      }),
  };
}

/** Dummy credentials and region moto accepts; never real ones. */
export const MOTO_ENV = { AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: 'eu-west-1', AWS_DEFAULT_REGION: 'eu-west-1' };
export const MOTO_CLIENT_CONFIG = (endpoint: string) => ({
  endpoint,
  region: MOTO_ENV.AWS_REGION,
  credentials: { accessKeyId: MOTO_ENV.AWS_ACCESS_KEY_ID, secretAccessKey: MOTO_ENV.AWS_SECRET_ACCESS_KEY },
  forcePathStyle: true,
});
