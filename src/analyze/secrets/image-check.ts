/**
 * Secrets anyone who pulls the image can read without opening a layer: ENV values, labels,
 * build arguments and values written into history by `RUN`/`ARG`/`ENV` instructions.
 */
import type { ResolvedImage } from '../../image/types.js';
import {
  declaredVariables,
  historyLayerIndex,
  instructions,
  layerForHistory,
  splitEnv,
  unquote,
} from '../config/history.js';
import type { ImageCheck, ImageCheckContext, SecretFinding, ThreatSeverity } from '../findings.js';
import { maskSecret, shannonEntropy } from './mask.js';
import { secretRules, type SecretRuleSet } from './rules.js';
import { isDummySecret, scanText } from './scan-text.js';

export const SECRETS_CONFIG_CHECK = 'secrets-config';
const MAX_FINDINGS = 200;

const SECRET_NAME =
  /(?:PASSWORD|PASSWD|(?:^|_)PASS$|(?:^|_)PWD$|SECRET|TOKEN|API_?KEY|ACCESS_?KEY|PRIVATE_?KEY|AUTH_?KEY|CREDENTIALS?$|(?:^|_)AUTH$|_KEY$)/i;
// Keys that are public by nature: release-signing key fingerprints (`GPG_KEY`), public keys.
const PUBLIC_KEY_NAME = /(?:^|_)(?:GPG|PGP|GNUPG|PUBLIC|PUB|HOST|KEYSERVER)_?KEYS?$|_PUBLIC_KEY$/i;
// Names that hold where or how a secret is kept, not the secret itself.
const NOT_A_SECRET_NAME =
  /(?:_FILE|_PATH|_DIR|_URL|_URI|_HOST|_PORT|_USER|_USERNAME|_NAME|_LENGTH|_LEN|_TTL|_EXPIRY|_EXPIRES|_TIMEOUT|_TYPE|_ENABLED|_HEADER|_FIELD|_ID|_MIN|_MAX|_COUNT|_SIZE|_ALGORITHM|_ALG|_POLICY|_FORMAT|_MODE|_LOCATION|_ENDPOINT|_VERSION|_PREFIX|_SUFFIX|_ISSUER|_AUDIENCE|_SCOPE|_REGION)$/i;
const NOT_A_SECRET_VALUE =
  /^(?:true|false|yes|no|on|off|none|null|nil|empty|unset|disabled|enabled|required|optional|secret|password|token|\d{1,6})$/i;

/** A secret-named variable with a value that looks set for real. */
export function isSecretAssignment(name: string, value: string, set: SecretRuleSet): boolean {
  if (!SECRET_NAME.test(name) || NOT_A_SECRET_NAME.test(name) || PUBLIC_KEY_NAME.test(name)) return false;
  const v = unquote(value.trim());
  if (v.length < 6 || NOT_A_SECRET_VALUE.test(v)) return false;
  // A path or a plain URL names where the secret lives.
  if (/^(?:\/|\.\.?\/|~\/)/.test(v) || /^[a-z][a-z0-9+.-]{1,16}:\/\/[^@\s]{1,2048}$/i.test(v)) return false;
  return !isDummySecret(v, set.allow);
}

interface Place {
  path: string;
  layer: number;
  prefix: string;
}

class Collector {
  readonly findings: SecretFinding[] = [];
  private readonly seen = new Set<string>();
  private readonly values: string[] = [];

  /** Records a secret once per rule and value, whichever place showed it first. */
  add(rule: string, severity: ThreatSeverity, secret: string, place: Place): void {
    const key = `${rule}\0${secret}`;
    if (this.seen.has(key) || this.findings.length >= MAX_FINDINGS) return;
    this.seen.add(key);
    this.values.push(secret);
    this.findings.push({
      rule,
      severity,
      path: place.path,
      layer: place.layer,
      evidence: place.prefix + maskSecret(secret),
    });
  }

  /** True when `value` is, or holds, a secret already reported (a token rule saw it first). */
  has(value: string): boolean {
    return this.values.some((v) => value.includes(v) || v.includes(value));
  }
}

function scanValue(text: string, set: SecretRuleSet, out: Collector, place: Place): void {
  for (const m of scanText(text, set, { path: null })) out.add(m.rule.id, m.severity, m.secret, place);
}

/**
 * A variable's value with its name, so that rules keyed on the name see it
 * (`AWS_SECRET_ACCESS_KEY=...`); the generic name rule is left to `assignment`, which knows
 * variable names better.
 */
function scanNamed(name: string, value: string, set: SecretRuleSet, out: Collector, place: Place): void {
  for (const m of scanText(`${name}=${value}`, set, { path: null })) {
    if (m.rule.id !== 'generic-secret') out.add(m.rule.id, m.severity, m.secret, place);
  }
}

/** A label name as a variable name: `com.acme.deploy-token` -> `com_acme_deploy_token`. */
function labelAsName(label: string): string {
  return label.replace(/[^A-Za-z0-9_]/g, '_');
}

function assignment(
  name: string,
  value: string,
  rule: string,
  set: SecretRuleSet,
  out: Collector,
  place: Place,
): void {
  if (!isSecretAssignment(name, value, set) || out.has(value)) return;
  const severity: ThreatSeverity = value.length >= 12 && shannonEntropy(value) >= 3 ? 'high' : 'medium';
  out.add(rule, severity, value, { ...place, prefix: `${name}=` });
}

/** Runs over config and history; exported for tests and the config audit's dedupe. */
export function configSecrets(image: ResolvedImage, set: SecretRuleSet = secretRules()): SecretFinding[] {
  const out = new Collector();
  const cfg = image.config.config ?? {};
  const env = new Set<string>();
  for (const entry of (cfg.Env ?? []).slice(0, 4096)) {
    if (typeof entry !== 'string') continue;
    env.add(entry);
    const [name, value] = splitEnv(entry);
    const place = { path: `config:Env/${name}`, layer: 0, prefix: `${name}=` };
    scanNamed(name, value, set, out, place);
    assignment(name, value, 'env-secret', set, out, place);
  }
  for (const [name, value] of Object.entries(cfg.Labels ?? {}).slice(0, 4096)) {
    if (typeof value !== 'string') continue;
    const place = { path: `config:Labels/${name}`, layer: 0, prefix: '' };
    scanNamed(name, value, set, out, place);
    assignment(labelAsName(name), value, 'label-secret', set, out, place);
  }
  const layers = historyLayerIndex(image);
  for (const ins of instructions(image)) {
    const place = { path: `history:${ins.index}`, layer: layerForHistory(layers, ins.index), prefix: '' };
    const decl = declaredVariables(ins.text);
    const isConfigEnv = (n: string, v: string) => decl?.keyword === 'ENV' && env.has(`${n}=${unquote(v)}`);
    if (!(decl && decl.pairs.every(([n, v]) => isConfigEnv(n, v)))) scanValue(ins.text, set, out, place);
    for (const [name, value] of ins.buildArgs) {
      scanNamed(name, value, set, out, place);
      assignment(name, value, 'build-arg-secret', set, out, place);
    }
    for (const [name, value] of decl?.pairs ?? []) {
      if (isConfigEnv(name, value)) continue;
      assignment(
        name,
        unquote(value),
        decl!.keyword === 'ARG' ? 'build-arg-secret' : 'env-secret',
        set,
        out,
        place,
      );
    }
  }
  return out.findings;
}

export const secretConfigCheck: ImageCheck = {
  name: SECRETS_CONFIG_CHECK,
  run(ctx: ImageCheckContext) {
    return { secrets: configSecrets(ctx.image) };
  },
};

export const secretImageChecks: ImageCheck[] = [secretConfigCheck];
