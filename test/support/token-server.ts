/**
 * A Docker-style token server for tests (the registry only verifies tokens; someone has to issue
 * them). Answers GET /token?service=&scope= with an RS256 JWT whose header carries the signing
 * certificate as `x5c`, which distribution 2.8 verifies against its `rootcertbundle`.
 * Valid Basic credentials get what they ask for; anonymous callers get pull only when
 * `anonymousPull` is set, and otherwise a token granting nothing (as Docker Hub does).
 */
import { execFileSync } from 'node:child_process';
import { X509Certificate, createSign, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

export interface Access {
  type: string;
  name: string;
  actions: string[];
}

export interface TokenRequestRecord {
  scopes: string[];
  service: string | null;
  /** The Basic user name presented, or null when anonymous. */
  user: string | null;
}

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** PEM certificate for the registry's `auth.token.rootcertbundle`. */
  certPath: string;
  /** Every token request seen, for tests about caching and credentials. */
  requests: TokenRequestRecord[];
  /** Signs a token directly (for fixtures that push). */
  issue(access: Access[], subject?: string): string;
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  /** Directory for the key and certificate. */
  dir: string;
  users: Record<string, string>;
  anonymousPull?: boolean;
  service?: string;
  issuer?: string;
}

function base64url(data: Buffer | string): string {
  return Buffer.from(data).toString('base64url');
}

/** `repository:team/app:pull,push` → Access; the name may itself contain ':' (a registry port). */
function parseScope(scope: string): Access | undefined {
  const first = scope.indexOf(':');
  const last = scope.lastIndexOf(':');
  if (first < 0 || last === first) return undefined;
  return {
    type: scope.slice(0, first),
    name: scope.slice(first + 1, last),
    actions: scope
      .slice(last + 1)
      .split(',')
      .filter(Boolean),
  };
}

function basicUser(req: IncomingMessage): { user: string; password: string } | undefined {
  const h = req.headers.authorization;
  if (!h?.toLowerCase().startsWith('basic ')) return undefined;
  const decoded = Buffer.from(h.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  return { user: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export async function startTokenServer(opts: TokenServerOptions): Promise<TokenServer> {
  const service = opts.service ?? 'shipshape-test-registry';
  const issuer = opts.issuer ?? 'shipshape-test-issuer';
  const keyPath = join(opts.dir, 'token.key');
  const certPath = join(opts.dir, 'token.crt');
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      keyPath,
      '-out',
      certPath,
      '-days',
      '2',
      '-subj',
      '/CN=shipshape-test-token',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 },
  );
  const key = readFileSync(keyPath, 'utf8');
  const certDer = new X509Certificate(readFileSync(certPath)).raw.toString('base64');
  const requests: TokenRequestRecord[] = [];

  const issue = (access: Access[], subject = ''): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = { alg: 'RS256', typ: 'JWT', x5c: [certDer] };
    const claims = {
      iss: issuer,
      sub: subject,
      aud: service,
      exp: now + 300,
      nbf: now - 10,
      iat: now,
      jti: randomUUID(),
      access,
    };
    const signingInput = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(claims))}`;
    const signature = createSign('RSA-SHA256').update(signingInput).sign(key);
    return `${signingInput}.${base64url(signature)}`;
  };

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    const url = new URL(req.url ?? '/', 'http://token.invalid');
    const send = (status: number, body: object): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token') return send(404, { details: 'not found' });
    const scopes = url.searchParams.getAll('scope');
    const creds = basicUser(req);
    requests.push({ scopes, service: url.searchParams.get('service'), user: creds?.user ?? null });
    if (creds && opts.users[creds.user] !== creds.password) {
      return send(401, { details: 'incorrect username or password' });
    }
    const access: Access[] = [];
    for (const s of scopes) {
      const a = parseScope(s);
      if (!a) continue;
      if (creds) access.push(a);
      else if (opts.anonymousPull && a.actions.includes('pull')) access.push({ ...a, actions: ['pull'] });
    }
    const token = issue(access, creds?.user ?? '');
    send(200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
  };

  const server: Server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    certPath,
    requests,
    issue,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
