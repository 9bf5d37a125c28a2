/**
 * Answers a registry's 401 challenge. Bearer: fetch a token for the scope from the challenge's
 * realm (with Basic credentials when we have some, anonymously otherwise) and cache it per scope
 * until it expires. Basic: send the credentials to the registry itself.
 */
import { ShipshapeError, printable } from '../../errors.js';
import { readBodyLimited, readErrorBody } from './body.js';
import { type Challenge, parseWwwAuthenticate } from './challenge.js';
import type { Credentials } from './credentials.js';
import { allowsPlainHttp } from './endpoint.js';
import type { Transport } from './transport.js';

/** Docker's token spec says to assume 60 s when the server does not say. */
const DEFAULT_TOKEN_LIFETIME_S = 60;
/** Renew a little early so a token does not expire between the check and its use. */
const EXPIRY_MARGIN_MS = 5_000;
const MAX_TOKEN_RESPONSE_BYTES = 1024 * 1024;

interface CachedAuthorization {
  header: string;
  expiresAt: number;
}

export interface AuthenticatorOptions {
  registry: string;
  credentials: Credentials | undefined;
  transport: Transport;
  now?: () => number;
}

function basicHeader(c: Credentials): string {
  return `Basic ${Buffer.from(`${c.username}:${c.password}`, 'utf8').toString('base64')}`;
}

/** `{token}` per Docker's token spec, `{access_token}` per OAuth2; some servers send both. */
function parseTokenResponse(body: Buffer): { token: string; lifetimeSeconds: number } | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return undefined;
  }
  if (typeof doc !== 'object' || doc === null) return undefined;
  const { token, access_token: accessToken, expires_in: expiresIn } = doc as Record<string, unknown>;
  const value =
    typeof token === 'string' && token ? token : typeof accessToken === 'string' ? accessToken : '';
  if (!value) return undefined;
  const lifetimeSeconds =
    typeof expiresIn === 'number' && expiresIn > 0 ? expiresIn : DEFAULT_TOKEN_LIFETIME_S;
  return { token: value, lifetimeSeconds };
}

export class Authenticator {
  private readonly byScope = new Map<string, CachedAuthorization>();
  /** A registry that asked for Basic once wants it for every scope. */
  private basic: string | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: AuthenticatorOptions) {
    this.now = opts.now ?? Date.now;
  }

  /** The Authorization header to send up front for `scope`, if a previous challenge taught us one. */
  headerFor(scope: string): string | undefined {
    if (this.basic) return this.basic;
    const cached = this.byScope.get(scope);
    if (cached && cached.expiresAt > this.now()) return cached.header;
    return undefined;
  }

  /** Turns a 401's WWW-Authenticate into an Authorization header for `scope`, or fails with AUTH. */
  async answer(wwwAuthenticate: string | null, scope: string, what: string): Promise<string> {
    const challenges = parseWwwAuthenticate(wwwAuthenticate);
    const bearer = challenges.find((c) => c.scheme === 'bearer' && c.params.realm);
    if (bearer) return this.fetchToken(bearer, scope, what);
    if (challenges.some((c) => c.scheme === 'basic')) {
      const creds = this.opts.credentials;
      if (!creds) throw this.credentialsNeeded(what);
      this.basic = basicHeader(creds);
      return this.basic;
    }
    const offered = challenges.map((c) => c.scheme).join(', ') || 'no WWW-Authenticate challenge';
    throw new ShipshapeError(
      'AUTH',
      `${what}: registry ${this.opts.registry} asks for authentication we cannot do (${offered})`,
    );
  }

  /** The message for a 401 that survived our answer to it. */
  rejected(what: string): ShipshapeError {
    const creds = this.opts.credentials;
    if (creds) {
      return new ShipshapeError(
        'AUTH',
        `${what}: registry ${this.opts.registry} rejected the credentials of "${creds.username}" from ${creds.origin}`,
      );
    }
    return this.credentialsNeeded(what);
  }

  private credentialsNeeded(what: string): ShipshapeError {
    return new ShipshapeError(
      'AUTH',
      `${what}: registry ${this.opts.registry} requires authentication (or the repository does not exist); ` +
        'give --username/--password, SHIPSHAPE_USERNAME/SHIPSHAPE_PASSWORD, or run docker login',
    );
  }

  private tokenUrl(challenge: Challenge, scope: string, what: string): URL {
    const realm = challenge.params.realm!;
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new ShipshapeError('AUTH', `${what}: token realm "${printable(realm, 200)}" is not a URL`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new ShipshapeError('AUTH', `${what}: token realm uses unsupported scheme ${url.protocol}`);
    }
    // A password must not cross the network in clear text unless the user said that host is fine.
    if (
      url.protocol === 'http:' &&
      this.opts.credentials &&
      !allowsPlainHttp(url.host, this.opts.transport.insecureRegistries)
    ) {
      throw new ShipshapeError(
        'AUTH',
        `${what}: refusing to send credentials to plain-HTTP token realm ${url.host}`,
      );
    }
    if (challenge.params.service) url.searchParams.set('service', challenge.params.service);
    url.searchParams.append('scope', scope);
    return url;
  }

  private async fetchToken(challenge: Challenge, scope: string, what: string): Promise<string> {
    const url = this.tokenUrl(challenge, scope, what);
    const creds = this.opts.credentials;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (creds) headers.authorization = basicHeader(creds);
    const tokenWhat = `${what}: token from ${url.host}`;
    const sent = await this.opts.transport.send({ url, headers, what: tokenWhat });
    const res = sent.response;
    if (res.status === 401 || res.status === 403) {
      const detail = printable((await readErrorBody(res, sent.body())).replace(/\s+/g, ' '), 200);
      if (creds) {
        throw new ShipshapeError(
          'AUTH',
          `${what}: token server ${url.host} rejected the credentials of "${creds.username}" from ${creds.origin}` +
            (detail ? ` (${detail})` : ''),
        );
      }
      throw this.credentialsNeeded(what);
    }
    if (res.status !== 200) {
      await readErrorBody(res, sent.body());
      // The token server failing is an outage, not a verdict on the credentials.
      const tries = sent.attempts > 1 ? ` after ${sent.attempts} attempts` : '';
      throw new ShipshapeError('REGISTRY', `${tokenWhat}: HTTP ${res.status}${tries}`);
    }
    const body = await readBodyLimited(res, MAX_TOKEN_RESPONSE_BYTES, sent.body(tokenWhat));
    const token = parseTokenResponse(body);
    if (!token) throw new ShipshapeError('AUTH', `${tokenWhat}: response carries no token`);
    const header = `Bearer ${token.token}`;
    this.byScope.set(scope, {
      header,
      expiresAt: this.now() + token.lifetimeSeconds * 1000 - EXPIRY_MARGIN_MS,
    });
    return header;
  }
}
