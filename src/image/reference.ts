/**
 * Image references, parsed by the grammar of distribution/reference and normalised the way the
 * Docker CLI does ("familiar" names): `nginx` is `docker.io/library/nginx:latest`.
 *
 *   reference  := name [ ":" tag ] [ "@" digest ]
 *   name       := [ domain "/" ] path-component [ "/" path-component ]*
 *   domain     := host [ ":" port ]        host := dns-name | IPv4 | "[" IPv6 "]"
 */
import { ShipshapeError, printable } from '../errors.js';

export const DOCKER_HUB = 'docker.io';
const DOCKER_HUB_API_HOST = 'registry-1.docker.io';
/** Names Docker Hub is known by; all are stored as docker.io so caches and reports agree. */
const DOCKER_HUB_ALIASES = new Set(['docker.io', 'index.docker.io', 'registry-1.docker.io']);
const DEFAULT_TAG = 'latest';
/** distribution/reference's NameTotalLengthMax, counted over "domain/path". */
const MAX_NAME_LENGTH = 255;

const PATH_COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN_NAME =
  /^(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*$/;
const IPV6_BRACKETED = /^\[[a-fA-F0-9:]+\]$/;
const PORT = /^[0-9]+$/;
const TAG = /^[\w][\w.-]{0,127}$/;
/** Only registered algorithms with their exact encoded lengths; anything else cannot be fetched. */
const DIGEST = /^(?:sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export interface ImageReference {
  /** Registry host[:port] as stored, e.g. `docker.io`, `127.0.0.1:5000`, `[::1]:5000`. */
  readonly registry: string;
  /** Repository path inside the registry, e.g. `library/nginx`. */
  readonly repository: string;
  /** Tag; `latest` when neither tag nor digest was given, null when only a digest was. */
  readonly tag: string | null;
  readonly digest: string | null;
  /** `registry/repository[:tag][@digest]`, which parses back to an equal reference. */
  toString(): string;
}

function bad(input: string, why: string): ShipshapeError {
  // References also come from registries' answers (a survey's catalog): shown on one line.
  return new ShipshapeError('BAD_REFERENCE', `invalid image reference "${printable(input, 300)}": ${why}`);
}

function isValidDomain(domain: string): boolean {
  let host = domain;
  let port: string | undefined;
  if (domain.startsWith('[')) {
    const close = domain.indexOf(']');
    if (close < 0) return false;
    host = domain.slice(0, close + 1);
    const rest = domain.slice(close + 1);
    if (rest !== '') {
      if (!rest.startsWith(':')) return false;
      port = rest.slice(1);
    }
    if (!IPV6_BRACKETED.test(host)) return false;
  } else {
    const colon = domain.indexOf(':');
    if (colon >= 0) {
      host = domain.slice(0, colon);
      port = domain.slice(colon + 1);
    }
    if (!DOMAIN_NAME.test(host)) return false;
  }
  if (port !== undefined && (!PORT.test(port) || Number(port) > 65535)) return false;
  return true;
}

/**
 * The first path segment is a registry when it could not be a repository component: it has a
 * dot or a port, is `localhost`, an IPv6 literal, or has upper-case letters (which repositories
 * never do). This is Docker's rule, so `user/app` stays on Docker Hub.
 */
function looksLikeDomain(segment: string): boolean {
  return (
    segment.includes('.') ||
    segment.includes(':') ||
    segment.startsWith('[') ||
    segment === 'localhost' ||
    segment.toLowerCase() !== segment
  );
}

/** Splits `name[:tag][@digest]` without being fooled by a port's colon or an IPv6 literal. */
function splitTagAndDigest(input: string): { name: string; tag: string | null; digest: string | null } {
  let rest = input;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const lastSlash = rest.lastIndexOf('/');
  const lastColon = rest.lastIndexOf(':');
  // A colon after the last slash separates the tag; before it, it belonged to the registry port.
  if (lastColon > lastSlash && !(lastSlash < 0 && rest.startsWith('['))) {
    tag = rest.slice(lastColon + 1);
    rest = rest.slice(0, lastColon);
  }
  return { name: rest, tag, digest };
}

class ParsedReference implements ImageReference {
  constructor(
    readonly registry: string,
    readonly repository: string,
    readonly tag: string | null,
    readonly digest: string | null,
  ) {}

  toString(): string {
    let s = `${this.registry}/${this.repository}`;
    if (this.tag !== null) s += `:${this.tag}`;
    if (this.digest !== null) s += `@${this.digest}`;
    return s;
  }
}

/** Parses and normalises an image reference; throws BAD_REFERENCE naming the input. */
export function parseReference(input: string): ImageReference {
  if (input.length === 0) throw bad(input, 'empty');
  if (/\s/.test(input)) throw bad(input, 'contains whitespace');
  const { name, tag, digest } = splitTagAndDigest(input);
  if (digest !== null && !DIGEST.test(digest)) {
    throw bad(input, 'malformed digest (expected sha256:<64 hex> or sha512:<128 hex>, lower-case)');
  }
  if (tag !== null) {
    if (tag === '') throw bad(input, 'empty tag');
    if (!TAG.test(tag)) throw bad(input, 'tag must be 1-128 of [A-Za-z0-9_.-], not starting with . or -');
  }
  if (name === '') throw bad(input, 'missing repository name');
  if (name.length > MAX_NAME_LENGTH) throw bad(input, `name is longer than ${MAX_NAME_LENGTH} characters`);

  const slash = name.indexOf('/');
  let registry = DOCKER_HUB;
  let path = name;
  if (slash >= 0 && looksLikeDomain(name.slice(0, slash))) {
    registry = name.slice(0, slash);
    path = name.slice(slash + 1);
    if (!isValidDomain(registry)) throw bad(input, `invalid registry host "${registry}"`);
  }
  if (DOCKER_HUB_ALIASES.has(registry.toLowerCase())) registry = DOCKER_HUB;

  const components = path.split('/');
  for (const c of components) {
    if (c === '') throw bad(input, 'empty path component');
    if (c.toLowerCase() !== c) throw bad(input, 'repository name must be lower-case');
    if (!PATH_COMPONENT.test(c)) throw bad(input, `invalid repository path component "${c}"`);
  }
  // Official images live under library/ on Docker Hub, and only there.
  if (registry === DOCKER_HUB && components.length === 1) path = `library/${path}`;
  if (`${registry}/${path}`.length > MAX_NAME_LENGTH) {
    throw bad(input, `name is longer than ${MAX_NAME_LENGTH} characters`);
  }
  return new ParsedReference(registry, path, tag ?? (digest === null ? DEFAULT_TAG : null), digest);
}

/** The host the Distribution API answers on: Docker Hub's differs from its name. */
export function registryApiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API_HOST : registry;
}

/** Canonical form of a registry name as users write it (`index.docker.io` → `docker.io`). */
export function normaliseRegistryName(registry: string): string {
  const lower = registry.toLowerCase();
  return DOCKER_HUB_ALIASES.has(lower) ? DOCKER_HUB : registry;
}

/** The hostname without port or IPv6 brackets, e.g. for deciding whether it is loopback. */
export function registryHostname(registry: string): string {
  if (registry.startsWith('[')) {
    const close = registry.indexOf(']');
    return close > 0 ? registry.slice(1, close) : registry;
  }
  const colon = registry.indexOf(':');
  return colon >= 0 ? registry.slice(0, colon) : registry;
}
