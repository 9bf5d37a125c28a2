/**
 * Which scheme a registry is spoken to with. HTTPS always, except for loopback registries (a
 * local test or mirror registry cannot present a public certificate) and hosts the user listed as
 * insecure on purpose.
 */
import { isIP } from 'node:net';
import { registryApiHost, registryHostname } from '../reference.js';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || h === '0:0:0:0:0:0:0:1' || /^::ffff:127\./.test(h);
  return false;
}

/**
 * True when plain HTTP is acceptable for `host` (a URL host: hostname[:port]). An insecure entry
 * without a port covers every port of that host.
 */
export function allowsPlainHttp(host: string, insecureRegistries: readonly string[]): boolean {
  if (isLoopbackHost(registryHostname(host))) return true;
  const lower = host.toLowerCase();
  return insecureRegistries.some((entry) => {
    const e = entry
      .trim()
      .replace(/^[a-z]+:\/\//i, '')
      .replace(/\/.*$/, '')
      .toLowerCase();
    return e === lower || e === registryHostname(lower);
  });
}

/** Base URL of the Distribution API for a registry, e.g. `https://registry-1.docker.io/v2/`. */
export function registryBaseUrl(registry: string, insecureRegistries: readonly string[]): URL {
  const host = registryApiHost(registry);
  const scheme =
    allowsPlainHttp(host, insecureRegistries) || allowsPlainHttp(registry, insecureRegistries)
      ? 'http'
      : 'https';
  return new URL(`${scheme}://${host}/v2/`);
}
