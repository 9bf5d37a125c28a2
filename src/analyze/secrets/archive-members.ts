/**
 * Secrets inside the archives an image carries: a Spring Boot jar's application.properties, a
 * backup tarball's .env, a gzipped credentials file. The malware rules unpack archives on their
 * worker for code; secrets live in configuration, so here only members named like configuration,
 * keys or credentials are read (a fat jar's thousands of classes are never inflated), within a
 * member and byte budget, each scanned as a file of its own. Nested archives are not opened.
 */
import type { ScanGapFact, SecretFact } from '../findings.js';
import { archiveKind, unpackArchive, type ArchiveBudget } from '../malware/archives.js';
import { maskSecret } from './mask.js';
import { secretRules } from './rules.js';
import { isAllowedPath, scanText } from './scan-text.js';
import { looksLikeText } from './text.js';

export const SECRETS_ARCHIVE_ANALYZER_LABEL = 'secrets';
/** Archives larger than this are not read for secrets (the gap says so). */
export const MAX_SECRET_ARCHIVE_BYTES = 128 * 1024 * 1024;
const MAX_MEMBER_TEXT = 2 * 1024 * 1024;

/** The files an archive may carry that hold credentials, by name. */
const CONFIG_MEMBER =
  /(?:^|\/)(?:[^/]{0,200}\.(?:properties|ya?ml|json|xml|conf|cfg|cnf|ini|toml|env|pem|key|ppk|p8|tfvars|npmrc|pypirc|netrc|pgpass)|\.env(?:\.[^/]{1,64})?|id_(?:rsa|dsa|ecdsa|ed25519)|credentials|\.git-credentials|\.netrc|\.npmrc|\.pypirc|\.pgpass|\.dockercfg|\.s3cfg|settings\.py|wp-config\.php)$/i;

/** Names the secrets analyzer opens as archives (the layer's other binary files are passed over). */
export const SECRET_ARCHIVE_SUFFIX = /\.(?:jar|war|ear|zip|whl|tar|tgz|tar\.gz|gz)$/i;
/** Compressed documentation: manuals, changelogs and info pages hold no credentials. */
const DOCUMENTATION = /^usr\/(?:local\/)?share\/(?:man|doc|info|locale)\//;

export function wantsArchiveForSecrets(path: string): boolean {
  return SECRET_ARCHIVE_SUFFIX.test(path) && !DOCUMENTATION.test(path);
}

/** Secret facts of the configuration members of the archive `bytes` at `path`. */
export function archiveSecrets(
  path: string,
  bytes: Buffer,
  truncated: boolean,
): (SecretFact | ScanGapFact)[] {
  const out: (SecretFact | ScanGapFact)[] = [];
  const gap = (reason: string, size: number, innerPath?: string) =>
    out.push({
      kind: 'scan-gap',
      analyzer: SECRETS_ARCHIVE_ANALYZER_LABEL,
      path,
      ...(innerPath ? { innerPath } : {}),
      reason,
      bytes: size,
    });
  if (truncated) {
    gap(
      `archive larger than ${MAX_SECRET_ARCHIVE_BYTES} bytes: its members were not searched for secrets`,
      bytes.length,
    );
    return out;
  }
  const kind = archiveKind(bytes);
  if (kind !== 'zip' && kind !== 'tar' && kind !== 'gzip') return out;
  const set = secretRules();
  const base = path.slice(path.lastIndexOf('/') + 1);
  const budget: ArchiveBudget = {
    membersLeft: 64,
    bytesLeft: 128 * 1024 * 1024,
    maxMemberBytes: 64 * 1024 * 1024,
  };
  unpackArchive(kind, bytes, base, budget, {
    wants: (name) => CONFIG_MEMBER.test(name) && !isAllowedPath(name, set.allow),
    member(name, content) {
      // A gzip's one member is whatever it was named; it is read if it is text.
      const text = content.subarray(0, MAX_MEMBER_TEXT);
      if (archiveKind(content) !== undefined || !looksLikeText(text.subarray(0, 8192))) return;
      const innerPath = `${base}!/${name}`;
      for (const m of scanText(text.toString('latin1'), set, { path: `${path}!/${name}` })) {
        out.push({
          kind: 'secret',
          rule: m.rule.id,
          severity: m.severity,
          path,
          innerPath,
          line: m.line,
          evidence: maskSecret(m.secret),
        });
      }
    },
    gap(name, reason, size) {
      // Budgets and corrupt members: said, so a clean result is never silent about them.
      gap(`${reason} (searching for secrets)`, size, name === undefined ? undefined : `${base}!/${name}`);
    },
  });
  return out;
}
