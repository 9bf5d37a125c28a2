/**
 * Runs Debian's docker-registry (distribution 2.8) on a free loopback port for tests, in one of
 * three configurations: no auth, htpasswd Basic auth, or token auth backed by token-server.ts.
 * Config and storage live in a temp dir that stop() removes; the process is killed on stop()
 * and, as a last resort, when the test process exits.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PushAuth } from '../fixtures/push.js';
import { type TokenServer, startTokenServer } from './token-server.js';

export const REGISTRY_BINARY = '/usr/bin/docker-registry';
const READY_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

export type RegistryAuthMode = 'none' | 'basic' | 'token';
export type { PushAuth };

export interface TestRegistry {
  /** `http://127.0.0.1:PORT` (or `http://[::1]:PORT`) */
  url: string;
  /** `127.0.0.1:PORT` (or `[::1]:PORT`), the registry part of image references. */
  host: string;
  auth: RegistryAuthMode;
  /** The user that may push and pull (basic and token modes). */
  username: string;
  password: string;
  tokenServer: TokenServer | undefined;
  /** What push() needs to write `repository`: credentials, or a token with push scope. */
  pushAuth(repository: string): PushAuth | undefined;
  stop(): Promise<void>;
}

export interface StartRegistryOptions {
  auth?: RegistryAuthMode;
  username?: string;
  password?: string;
  /** Token mode: give anonymous callers pull access. */
  anonymousPull?: boolean;
  /** Loopback address to listen on; default 127.0.0.1. */
  listen?: '127.0.0.1' | '::1';
}

/** Asks the kernel for a free port; the small race until the registry binds it is acceptable here. */
export async function freePort(address = '127.0.0.1'): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, address, resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function authSection(auth: RegistryAuthMode, dir: string, token: TokenServer | undefined): string {
  if (auth === 'basic') {
    return `auth:\n  htpasswd:\n    realm: shipshape-test\n    path: ${join(dir, 'htpasswd')}\n`;
  }
  if (auth === 'token' && token) {
    return (
      `auth:\n  token:\n    realm: ${token.realm}\n    service: ${token.service}\n` +
      `    issuer: ${token.issuer}\n    rootcertbundle: ${token.certPath}\n`
    );
  }
  return '';
}

function registryConfig(hostPort: string, dir: string, authYaml: string): string {
  return [
    'version: 0.1',
    'log:',
    '  level: warn',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: "${hostPort}"`,
    `  secret: ${randomBytes(16).toString('hex')}`,
    authYaml,
  ].join('\n');
}

async function waitUntilReady(url: string, child: ChildProcess, logPath: string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(
        `docker-registry exited early (${child.exitCode ?? child.signalCode}): ${readFileSync(logPath, 'utf8').slice(-2000)}`,
      );
    }
    try {
      const res = await fetch(`${url}/v2/`, { signal: AbortSignal.timeout(1_000) });
      await res.arrayBuffer();
      if (res.status === 200 || res.status === 401) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`docker-registry did not answer on ${url} within ${READY_TIMEOUT_MS} ms`);
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(killer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export async function startRegistry(opts: StartRegistryOptions = {}): Promise<TestRegistry> {
  const auth = opts.auth ?? 'none';
  const username = opts.username ?? 'shipper';
  const password = opts.password ?? 'correct horse battery staple';
  const dir = mkdtempSync(join(tmpdir(), 'shipshape-registry-'));
  let tokenServer: TokenServer | undefined;
  let child: ChildProcess | undefined;
  const killOnExit = (): void => {
    child?.kill('SIGKILL');
  };
  const cleanup = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (child) await stopProcess(child);
    await tokenServer?.stop();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    if (auth === 'basic') {
      const line = execFileSync('htpasswd', ['-Bbn', username, password], {
        encoding: 'utf8',
        timeout: 30_000,
      });
      writeFileSync(join(dir, 'htpasswd'), line);
    }
    if (auth === 'token') {
      tokenServer = await startTokenServer({
        dir,
        users: { [username]: password },
        anonymousPull: opts.anonymousPull ?? false,
      });
    }
    const address = opts.listen ?? '127.0.0.1';
    const host = `${address.includes(':') ? `[${address}]` : address}:${await freePort(address)}`;
    const configPath = join(dir, 'config.yml');
    writeFileSync(configPath, registryConfig(host, dir, authSection(auth, dir, tokenServer)));
    const logPath = join(dir, 'registry.log');
    const logFd = openSync(logPath, 'a');
    child = spawn(REGISTRY_BINARY, ['serve', configPath], { stdio: ['ignore', logFd, logFd] });
    closeSync(logFd);
    process.on('exit', killOnExit);
    const url = `http://${host}`;
    await waitUntilReady(url, child, logPath);
    const token = tokenServer;
    return {
      url,
      host,
      auth,
      username,
      password,
      tokenServer,
      pushAuth(repository: string): PushAuth | undefined {
        if (auth === 'basic') return { username, password };
        if (token)
          return {
            bearer: token.issue(
              [{ type: 'repository', name: repository, actions: ['pull', 'push'] }],
              username,
            ),
          };
        return undefined;
      },
      stop: cleanup,
    };
  } catch (e) {
    await cleanup();
    throw e;
  }
}
