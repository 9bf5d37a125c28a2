/**
 * Where registry credentials come from, most specific first: explicit flags, then the
 * SHIPSHAPE_USERNAME/SHIPSHAPE_PASSWORD environment, then the Docker CLI's config.json `auths`.
 * Credential helpers (`credsStore`, `credHelpers`) run external programs and are not consulted.
 */
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { ShipshapeError } from '../../errors.js';
import { normaliseRegistryName } from '../reference.js';

export interface Credentials {
  username: string;
  password: string;
  /** Where they came from, for messages (never the secret itself). */
  origin: string;
}

export interface CredentialSources {
  username?: string;
  password?: string;
  env?: NodeJS.ProcessEnv;
  /** Directory holding config.json; defaults to $DOCKER_CONFIG, then ~/.docker. */
  dockerConfigDir?: string;
}

interface DockerAuthEntry {
  auth?: unknown;
  username?: unknown;
  password?: unknown;
}

/**
 * Reduces a config.json `auths` key to a registry name: keys may be URLs
 * (`https://index.docker.io/v1/`), carry paths, or name Docker Hub by any of its aliases.
 */
export function registryFromAuthKey(key: string): string {
  let s = key.trim();
  s = s.replace(/^[a-z][a-z0-9+.-]*:\/\//i, '');
  const slash = s.indexOf('/');
  if (slash >= 0) s = s.slice(0, slash);
  return normaliseRegistryName(s.toLowerCase());
}

function decodeEntry(entry: DockerAuthEntry, origin: string): Credentials | undefined {
  if (typeof entry.auth === 'string' && entry.auth !== '') {
    const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    if (colon <= 0) {
      throw new ShipshapeError('MALFORMED', `${origin}: "auth" is not base64 of "username:password"`);
    }
    return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), origin };
  }
  if (typeof entry.username === 'string' && typeof entry.password === 'string' && entry.username !== '') {
    return { username: entry.username, password: entry.password, origin };
  }
  return undefined;
}

export function dockerConfigPath(sources: Pick<CredentialSources, 'env' | 'dockerConfigDir'>): string {
  const env = sources.env ?? process.env;
  const dir = sources.dockerConfigDir ?? env.DOCKER_CONFIG ?? join(homedir(), '.docker');
  return join(dir, 'config.json');
}

/** Credentials for `registry` from a Docker config.json, or undefined when it has none. */
export function credentialsFromDockerConfig(registry: string, configPath: string): Credentials | undefined {
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw new ShipshapeError(
      'BAD_ARGUMENT',
      `cannot read Docker config ${configPath}: ${(e as Error).message}`,
    );
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ShipshapeError(
      'MALFORMED',
      `Docker config ${configPath} is not valid JSON: ${(e as Error).message}`,
    );
  }
  const auths = (doc as { auths?: unknown } | null)?.auths;
  if (typeof auths !== 'object' || auths === null) return undefined;
  const wanted = normaliseRegistryName(registry.toLowerCase());
  for (const [key, entry] of Object.entries(auths as Record<string, unknown>)) {
    if (typeof entry !== 'object' || entry === null) continue;
    if (registryFromAuthKey(key) !== wanted) continue;
    const found = decodeEntry(entry as DockerAuthEntry, `Docker config ${configPath} (auths "${key}")`);
    if (found) return found;
  }
  return undefined;
}

export function resolveCredentials(
  registry: string,
  sources: CredentialSources = {},
): Credentials | undefined {
  if (sources.username !== undefined || sources.password !== undefined) {
    if (!sources.username || sources.password === undefined) {
      throw new ShipshapeError('BAD_ARGUMENT', '--username and --password must be given together');
    }
    return { username: sources.username, password: sources.password, origin: '--username/--password' };
  }
  const env = sources.env ?? process.env;
  if (env.SHIPSHAPE_USERNAME || env.SHIPSHAPE_PASSWORD) {
    if (!env.SHIPSHAPE_USERNAME || env.SHIPSHAPE_PASSWORD === undefined) {
      throw new ShipshapeError(
        'BAD_ARGUMENT',
        'SHIPSHAPE_USERNAME and SHIPSHAPE_PASSWORD must be set together',
      );
    }
    return {
      username: env.SHIPSHAPE_USERNAME,
      password: env.SHIPSHAPE_PASSWORD,
      origin: 'SHIPSHAPE_USERNAME',
    };
  }
  return credentialsFromDockerConfig(registry, dockerConfigPath(sources));
}
