/**
 * The Distribution API v2 for one repository: manifests (size-capped, digest-checked) and blobs
 * (buffered with a cap, or streamed through a digest and size check). Every failure is a
 * ShipshapeError whose message starts with the image and the object that failed.
 */
import { Readable, pipeline } from 'node:stream';
import { ShipshapeError, printable } from '../../errors.js';
import { MAX_MANIFEST_BYTES, MEDIA_TYPES, type ParsedDocument, parseManifestDocument } from '../manifest.js';
import { parseSha256, sha256Digest, verifyingStream } from '../verify-stream.js';
import { Authenticator } from './auth.js';
import { bodyToReadable, discardBody, readBodyLimited, readErrorBody } from './body.js';
import type { Credentials } from './credentials.js';
import { registryBaseUrl } from './endpoint.js';
import { type RateLimit, describeRateLimit, parseRateLimit } from './ratelimit.js';
import { parseRetryAfter } from './retry.js';
import { type Sent, Transport, type TransportOptions } from './transport.js';

/** Registries answer with schema 1 (or 404 for OCI) unless every current type is acceptable. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPES.ociManifest,
  MEDIA_TYPES.ociIndex,
  MEDIA_TYPES.dockerManifest,
  MEDIA_TYPES.dockerList,
].join(', ');

export interface RegistryClientOptions extends TransportOptions {
  registry: string;
  repository: string;
  /** How messages name the image, e.g. `docker.io/library/nginx:1.25`. */
  label: string;
  credentials?: Credentials;
}

export interface FetchedManifest {
  bytes: Buffer;
  /** sha256 of the bytes, checked against the digest asked for (or the registry's claim). */
  digest: string;
  document: ParsedDocument;
}

export interface ExpectedContent {
  digest: string;
  size?: number;
}

/** A registry's own words, on one line with control characters shown escaped (see printable()). */
function oneLine(s: string, max = 200): string {
  return printable(s.replace(/\s+/g, ' ').trim(), max);
}

/** The `errors` array of a Distribution API error body, as `CODE: message`. */
function registryErrorDetail(body: string): string {
  try {
    const doc = JSON.parse(body) as { errors?: Array<{ code?: unknown; message?: unknown }> };
    const first = Array.isArray(doc.errors) ? doc.errors[0] : undefined;
    if (first) {
      const code = typeof first.code === 'string' ? first.code : '';
      const message = typeof first.message === 'string' ? first.message : '';
      return oneLine([code, message].filter(Boolean).join(': '));
    }
  } catch {
    // not a Distribution error document; fall back to the raw text
  }
  return oneLine(body);
}

export class RegistryClient {
  readonly label: string;
  private readonly transport: Transport;
  private readonly auth: Authenticator;
  private readonly base: URL;
  private readonly scope: string;
  private rateLimit: RateLimit | undefined;

  constructor(private readonly opts: RegistryClientOptions) {
    this.label = opts.label;
    this.transport = new Transport(opts);
    this.base = registryBaseUrl(opts.registry, this.transport.insecureRegistries);
    this.scope = `repository:${opts.repository}:pull`;
    this.auth = new Authenticator({
      registry: opts.registry,
      credentials: opts.credentials,
      transport: this.transport,
    });
  }

  /** Facts about the registry worth reporting with the scan (e.g. Docker Hub's pull quota). */
  notes(): string[] {
    return this.rateLimit ? [describeRateLimit(this.opts.registry, this.rateLimit)] : [];
  }

  /**
   * Fetches a manifest or index by tag or digest. With `expected`, the bytes must hash to that
   * digest (and have that size); by tag, the registry's Docker-Content-Digest must agree with ours.
   */
  async fetchManifest(
    reference: string,
    expected?: ExpectedContent,
    maxBytes: number = MAX_MANIFEST_BYTES,
  ): Promise<FetchedManifest> {
    if (expected) parseSha256(expected.digest, `${this.label}: manifest`);
    const what = `${this.label}: manifest ${reference}`;
    const sent = await this.get(`manifests/${reference}`, { accept: MANIFEST_ACCEPT }, what);
    const bytes = await readBodyLimited(sent.response, maxBytes, sent.body());
    const digest = sha256Digest(bytes);
    if (expected && digest !== expected.digest) {
      throw new ShipshapeError(
        'DIGEST_MISMATCH',
        `${what}: content has digest ${digest}, expected ${expected.digest}`,
      );
    }
    if (expected?.size !== undefined && expected.size > 0 && bytes.length !== expected.size) {
      throw new ShipshapeError(
        'SIZE_MISMATCH',
        `${what}: ${bytes.length} bytes, but ${expected.size} were declared`,
      );
    }
    const claimed = sent.response.headers.get('docker-content-digest');
    if (claimed?.startsWith('sha256:') && claimed !== digest) {
      throw new ShipshapeError(
        'DIGEST_MISMATCH',
        `${what}: registry says digest ${claimed}, content hashes to ${digest}`,
      );
    }
    const contentType = sent.response.headers.get('content-type')?.split(';')[0]?.trim();
    const document = parseManifestDocument(bytes, what, contentType || undefined);
    return { bytes, digest, document };
  }

  /** Fetches a small blob (a config) whole, refusing more than `maxBytes`, and verifies it. */
  async fetchBlob(blob: ExpectedContent, maxBytes: number, kind: string): Promise<Buffer> {
    const what = `${this.label}: ${kind} ${blob.digest}`;
    parseSha256(blob.digest, what);
    if (blob.size !== undefined && blob.size > maxBytes) {
      throw new ShipshapeError(
        'TOO_LARGE',
        `${what}: declared size ${blob.size} exceeds the ${maxBytes}-byte limit`,
      );
    }
    const sent = await this.get(`blobs/${blob.digest}`, {}, what);
    const bytes = await readBodyLimited(sent.response, maxBytes, sent.body());
    const digest = sha256Digest(bytes);
    if (blob.size !== undefined && blob.size > 0 && bytes.length !== blob.size) {
      throw new ShipshapeError(
        'SIZE_MISMATCH',
        `${what}: ${bytes.length} bytes, but ${blob.size} were declared`,
      );
    }
    if (digest !== blob.digest) {
      throw new ShipshapeError(
        'DIGEST_MISMATCH',
        `${what}: content has digest ${digest}, expected ${blob.digest}`,
      );
    }
    return bytes;
  }

  /**
   * Streams a blob. The stream fails (before 'end') on a digest or size mismatch, on a transfer
   * that stalls longer than the idle timeout, and on a broken connection.
   */
  async openBlob(blob: ExpectedContent, kind = 'layer'): Promise<Readable> {
    const what = `${this.label}: ${kind} ${blob.digest}`;
    const verifier = verifyingStream(blob, what);
    const sent = await this.get(`blobs/${blob.digest}`, {}, what);
    const declared = Number(sent.response.headers.get('content-length') ?? NaN);
    if (blob.size !== undefined && blob.size > 0 && Number.isFinite(declared) && declared !== blob.size) {
      sent.body().abort();
      throw new ShipshapeError(
        'SIZE_MISMATCH',
        `${what}: registry sends ${declared} bytes, but ${blob.size} were declared`,
      );
    }
    const source = bodyToReadable(sent.response, sent.body());
    // pipeline destroys both streams on any error, so the consumer of `verifier` sees it.
    pipeline(source, verifier, () => undefined);
    return verifier;
  }

  /** GET with the auth dance: one unauthenticated (or cached) try, then one answering the challenge. */
  private async get(path: string, headers: Record<string, string>, what: string): Promise<Sent> {
    const url = new URL(`${this.opts.repository}/${path}`, this.base);
    const cached = this.auth.headerFor(this.scope);
    let sent = await this.transport.send({ url, headers: withAuth(headers, cached), what });
    if (sent.response.status === 401) {
      const challenge = sent.response.headers.get('www-authenticate');
      discardBody(sent.response);
      const authorization = await this.auth.answer(challenge, this.scope, what);
      sent = await this.transport.send({ url, headers: withAuth(headers, authorization), what });
      if (sent.response.status === 401) {
        discardBody(sent.response);
        throw this.auth.rejected(what);
      }
    }
    this.rateLimit = parseRateLimit(sent.response.headers) ?? this.rateLimit;
    if (sent.response.status === 200) return sent;
    throw await this.failure(sent, what);
  }

  private async failure(sent: Sent, what: string): Promise<ShipshapeError> {
    const { status, headers } = sent.response;
    const detail = registryErrorDetail(await readErrorBody(sent.response, sent.body()));
    const suffix = detail ? ` (${detail})` : '';
    const where = `${this.opts.registry}/${this.opts.repository}`;
    if (status === 404) return new ShipshapeError('NOT_FOUND', `${what}: not found in ${where}${suffix}`);
    if (status === 403) return new ShipshapeError('AUTH', `${what}: access to ${where} denied${suffix}`);
    const tries = sent.attempts > 1 ? ` after ${sent.attempts} attempts` : '';
    if (status === 429) {
      const wait = parseRetryAfter(headers.get('retry-after'));
      const hint = wait === undefined ? '' : `; retry after ${Math.ceil(wait / 1000)} s`;
      const quota = this.rateLimit ? `; ${describeRateLimit(this.opts.registry, this.rateLimit)}` : '';
      return new ShipshapeError(
        'REGISTRY',
        `${what}: rate limited by ${this.opts.registry}${tries}${hint}${quota}`,
      );
    }
    return new ShipshapeError(
      'REGISTRY',
      `${what}: registry ${this.opts.registry} answered HTTP ${status}${tries}${suffix}`,
    );
  }
}

function withAuth(
  headers: Record<string, string>,
  authorization: string | undefined,
): Record<string, string> {
  return authorization ? { ...headers, authorization } : headers;
}
