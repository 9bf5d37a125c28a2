/**
 * One HTTP exchange with a registry (or its token server, or the storage it redirects to):
 * a deadline for the response headers, redirects followed by hand (capped, loop-checked, and
 * without credentials once they leave the origin they were meant for), and bounded retries of
 * transient failures. Status codes other than redirects are left to the caller to interpret.
 */
import { ShipshapeError } from '../../errors.js';
import { type BodyReadOptions, discardBody } from './body.js';
import { allowsPlainHttp } from './endpoint.js';
import {
  DEFAULT_RETRY,
  type RetryPolicy,
  backoffDelayMs,
  isRetryableStatus,
  isTransientNetworkError,
  networkErrorCode,
  parseRetryAfter,
  sleep,
} from './retry.js';

export interface Timeouts {
  /** From sending a request until its response headers arrive. */
  requestMs: number;
  /** Longest wait for the next chunk of a response body (a stalled transfer fails after this). */
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { requestMs: 30_000, idleMs: 30_000 };
export const DEFAULT_MAX_REDIRECTS = 5;

export interface TransportOptions {
  fetch?: typeof fetch;
  timeouts?: Partial<Timeouts>;
  retry?: Partial<RetryPolicy>;
  maxRedirects?: number;
  insecureRegistries?: readonly string[];
}

export interface SendRequest {
  url: URL;
  method?: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Names the image and the object, to start every message with. */
  what: string;
}

export interface Sent {
  response: Response;
  /** Where the response finally came from, after redirects. */
  url: URL;
  /** How many times the request was sent (1 = no retries). */
  attempts: number;
  /** Options for reading this response's body with the idle timeout. */
  body(what?: string): BodyReadOptions;
}

const REDIRECT_STATUS = new Set([301, 302, 303, 307, 308]);

function hostOf(url: URL): string {
  return url.host;
}

function describeNetworkError(e: unknown, url: URL): string {
  const code = networkErrorCode(e);
  const host = hostOf(url);
  switch (code) {
    case 'ECONNREFUSED':
      return `cannot connect to ${host} (connection refused)`;
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return `cannot resolve host ${url.hostname}`;
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return `connection to ${host} was reset`;
    case 'EPROTO':
    case 'ERR_SSL_WRONG_VERSION_NUMBER':
      return `TLS handshake with ${host} failed (if it serves plain HTTP, list it as an insecure registry)`;
    default:
      break;
  }
  if (code && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ALTNAME/.test(code)) {
    return `TLS certificate of ${host} was not accepted (${code})`;
  }
  const detail = e instanceof Error ? ((e.cause as Error | undefined)?.message ?? e.message) : String(e);
  return `request to ${host} failed (${code ?? detail})`;
}

export class Transport {
  readonly timeouts: Timeouts;
  readonly retry: RetryPolicy;
  readonly insecureRegistries: readonly string[];
  private readonly fetchImpl: typeof fetch;
  private readonly maxRedirects: number;

  constructor(opts: TransportOptions = {}) {
    this.fetchImpl = opts.fetch ?? globalThis.fetch;
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.maxRedirects = opts.maxRedirects ?? DEFAULT_MAX_REDIRECTS;
    this.insecureRegistries = opts.insecureRegistries ?? [];
  }

  /**
   * Sends an idempotent request, retrying 408/429/5xx and broken connections with backoff. The
   * final response is returned whatever its status; a Retry-After beyond the policy's patience is
   * returned at once so the caller can report it rather than sleep through it.
   */
  async send(req: SendRequest): Promise<Sent> {
    const attempts = Math.max(1, this.retry.attempts);
    for (let attempt = 1; ; attempt++) {
      let sent: Sent;
      try {
        sent = await this.followRedirects(req, attempt);
      } catch (e) {
        if (e instanceof ShipshapeError) throw e;
        if (isTransientNetworkError(e) && attempt < attempts) {
          await sleep(backoffDelayMs(attempt, this.retry));
          continue;
        }
        throw new ShipshapeError('NETWORK', `${req.what}: ${describeNetworkError(e, req.url)}`, { cause: e });
      }
      const { status, headers } = sent.response;
      if (!isRetryableStatus(status) || attempt >= attempts) return sent;
      const retryAfter = parseRetryAfter(headers.get('retry-after'));
      if (retryAfter !== undefined && retryAfter > this.retry.maxRetryAfterMs) return sent;
      discardBody(sent.response);
      await sleep(retryAfter ?? backoffDelayMs(attempt, this.retry));
    }
  }

  private async followRedirects(req: SendRequest, attempt: number): Promise<Sent> {
    const method = req.method ?? 'GET';
    const headers: Record<string, string> = { ...req.headers };
    const visited = new Set<string>([req.url.href]);
    let url = req.url;
    for (let hop = 0; ; hop++) {
      const { response, abort } = await this.fetchOnce(url, method, headers, req.what);
      if (!REDIRECT_STATUS.has(response.status)) {
        const idleMs = this.timeouts.idleMs;
        return {
          response,
          url,
          attempts: attempt,
          body: (what = req.what) => ({ idleMs, abort, what }),
        };
      }
      discardBody(response);
      url = this.nextHop(url, response, req.what, hop, visited);
      visited.add(url.href);
      // Credentials are for the registry; storage behind a redirect (a CDN, S3) must not see them.
      if (url.origin !== req.url.origin) {
        for (const name of Object.keys(headers))
          if (name.toLowerCase() === 'authorization') delete headers[name];
      }
    }
  }

  private nextHop(from: URL, response: Response, what: string, hop: number, visited: Set<string>): URL {
    const fail = (why: string): ShipshapeError => new ShipshapeError('REGISTRY', `${what}: ${why}`);
    const location = response.headers.get('location');
    if (!location) throw fail(`redirect (HTTP ${response.status}) from ${hostOf(from)} without a Location`);
    let next: URL;
    try {
      next = new URL(location, from);
    } catch {
      throw fail(`redirect to an invalid location "${location.slice(0, 200)}"`);
    }
    if (visited.has(next.href)) throw fail(`redirect loop at ${next.origin}${next.pathname}`);
    if (hop + 1 > this.maxRedirects) throw fail(`more than ${this.maxRedirects} redirects`);
    if (next.protocol !== 'https:' && next.protocol !== 'http:') {
      throw fail(`redirect to unsupported scheme ${next.protocol}`);
    }
    if (next.protocol === 'http:' && !allowsPlainHttp(next.host, this.insecureRegistries)) {
      throw fail(`refusing redirect to plain HTTP at ${next.host}`);
    }
    return next;
  }

  private async fetchOnce(
    url: URL,
    method: string,
    headers: Record<string, string>,
    what: string,
  ): Promise<{ response: Response; abort: (reason?: unknown) => void }> {
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.timeouts.requestMs);
    try {
      const response = await this.fetchImpl(url, {
        method,
        headers,
        redirect: 'manual',
        signal: controller.signal,
      });
      return { response, abort: (reason) => controller.abort(reason) };
    } catch (e) {
      if (timedOut) {
        throw new ShipshapeError(
          'TIMEOUT',
          `${what}: no response from ${hostOf(url)} within ${this.timeouts.requestMs} ms`,
          { cause: e },
        );
      }
      throw e;
    } finally {
      clearTimeout(timer);
    }
  }
}
