/**
 * Image-level persistence checks, on what only the merged image shows:
 *  - `LD_PRELOAD` in the image config's Env: every process of the container loads it;
 *  - set-user-ID / set-group-ID programs of the final tree: a shell or interpreter with the bit
 *    is a root backdoor wherever it is and whoever owns it; any other that no OS package owns
 *    and that is not a well-known privileged helper is reported too. Package ownership comes
 *    from dpkg's owned-files facts and apk/rpm package file lists, with paths resolved through
 *    the tree's directory symlinks (merged /usr: dpkg lists /bin/su, the tree has usr/bin/su).
 */
import type { ImageFacts, PlacedFile } from '../../facts/types.js';
import type { ImageCheck, ImageCheckContext, MalwareFinding } from '../findings.js';
import { configRules } from '../config/rules.js';
import { factsOfFile, resolveInTree } from '../config/resolve.js';
import { SCRIPT_INDICATORS_ANALYZER, type ScriptIndicatorsFact } from '../config/script-indicators.js';
import { PERSISTENCE_CONFIG_ANALYZER, safeEvidence, type HookProgramFact } from './config-files.js';
import { suspiciousLocations } from './paths.js';
import { persistenceRules } from './rules.js';

export const ENV_PRELOAD_CHECK = 'persistence-env-ld-preload';
export const PRELOAD_LINK_CHECK = 'persistence-ld-so-preload-link';
export const SUID_CHECK = 'persistence-setuid-binaries';
export const PAM_MODULE_CHECK = 'persistence-pam-modules';

const MAX_LINK_HOPS = 40;
const STANDARD_DIRS = /^(usr\/)?(local\/)?(s?bin|lib(32|64|exec)?)(\/|$)/;

/** The layer whose history entry set `name` in the environment (or the last layer). */
function layerSetting(ctx: ImageCheckContext, name: string): number {
  let layer = -1;
  let found = -1;
  for (const h of ctx.image.history) {
    if (!h.empty_layer) layer++;
    if (h.created_by?.includes(name)) found = Math.max(layer, 0);
  }
  return found >= 0 ? found : Math.max(0, ctx.image.layers.length - 1);
}

export function envPreloadFindings(ctx: ImageCheckContext, rules = persistenceRules()): MalwareFinding[] {
  const env = ctx.image.config.config?.Env ?? [];
  const out: MalwareFinding[] = [];
  for (const entry of env) {
    if (typeof entry !== 'string' || !entry.startsWith('LD_PRELOAD=')) continue;
    const libs = entry
      .slice('LD_PRELOAD='.length)
      .split(/[\s:]+/)
      .filter(Boolean)
      .filter((lib) => !rules.preloadAllowed.some((re) => re.test(lib)));
    if (!libs.length) continue;
    out.push({
      category: 'persistence',
      rule: 'persistence-env-ld-preload',
      severity: 'high',
      path: '',
      layer: layerSetting(ctx, 'LD_PRELOAD'),
      sha256: null,
      evidence: safeEvidence(`image Env preloads into every process: ${libs.join(', ')}`),
    });
  }
  return out;
}

function normalise(parts: string[]): string[] {
  const out: string[] = [];
  for (const p of parts) {
    if (p === '' || p === '.') continue;
    if (p === '..') out.pop();
    else out.push(p);
  }
  return out;
}

const resolvedDirs = new WeakMap<ImageFacts['tree'], Map<string, string>>();

/**
 * `path` with every directory symlink of the tree resolved (the last name is kept as is). Paths
 * share their directories (an image's package lists name tens of thousands of files in a few
 * thousand directories), so each directory is resolved once per tree.
 */
export function resolveDirs(tree: ImageFacts['tree'], path: string): string {
  const slash = path.lastIndexOf('/');
  const name = path.slice(slash + 1);
  if (slash <= 0 || name === '' || name === '.' || name === '..') return resolveDirsUncached(tree, path);
  let known = resolvedDirs.get(tree);
  if (!known) resolvedDirs.set(tree, (known = new Map()));
  const dir = path.slice(0, slash);
  let resolved = known.get(dir);
  if (resolved === undefined) {
    // The last name is never resolved, so any stands in for it.
    const probe = resolveDirsUncached(tree, `${dir}/_`);
    resolved = probe.slice(0, Math.max(0, probe.length - 2));
    known.set(dir, resolved);
  }
  return resolved ? `${resolved}/${name}` : name;
}

/** resolveDirs() without the per-tree cache (what the cache must agree with). */
export function resolveDirsUncached(tree: ImageFacts['tree'], path: string): string {
  let parts = normalise(path.split('/'));
  for (let hops = 0, i = 0; i < parts.length - 1 && hops < MAX_LINK_HOPS;) {
    const prefix = parts.slice(0, i + 1).join('/');
    const f = tree.get(prefix);
    if (f?.type === 'symlink' && f.linkTarget !== undefined) {
      hops++;
      const target = f.linkTarget.startsWith('/')
        ? f.linkTarget.split('/')
        : [...parts.slice(0, i), ...f.linkTarget.split('/')];
      parts = normalise([...target, ...parts.slice(i + 1)]);
      i = 0;
      continue;
    }
    i++;
  }
  return parts.join('/');
}

const ownedByFacts = new WeakMap<ImageFacts, Set<string>>();

/** Every path an OS package owns, as it lies in the tree (computed once per image). */
export function packageOwnedPaths(facts: ImageFacts): Set<string> {
  let owned = ownedByFacts.get(facts);
  if (!owned) ownedByFacts.set(facts, (owned = ownedPaths(facts)));
  return owned;
}

function ownedPaths(facts: ImageFacts): Set<string> {
  const owned = new Set<string>();
  const add = (p: unknown) => {
    if (typeof p === 'string' && p) owned.add(resolveDirs(facts.tree, p));
  };
  for (const layer of facts.layers) {
    for (const list of Object.values(layer.facts)) {
      for (const f of list) {
        if (f.kind === 'owned-files') {
          for (const p of Array.isArray(f.files) ? f.files : []) add(p);
          if (f.md5 && typeof f.md5 === 'object') for (const p of Object.keys(f.md5)) add(p);
        } else if (f.kind === 'package' && Array.isArray(f.files)) {
          for (const p of f.files) add(p);
        }
      }
    }
  }
  return owned;
}

function finding(
  file: PlacedFile,
  rule: string,
  severity: MalwareFinding['severity'],
  category: MalwareFinding['category'],
  evidence: string,
): MalwareFinding {
  return {
    category,
    rule,
    severity,
    path: file.path,
    layer: file.layer,
    sha256: null,
    evidence: safeEvidence(evidence),
  };
}

export function setuidFindings(ctx: ImageCheckContext, rules = persistenceRules()): MalwareFinding[] {
  const special = [...ctx.facts.tree.values()].filter((f) => f.type === 'file' && (f.mode & 0o6000) !== 0);
  if (!special.length) return [];
  const owned = packageOwnedPaths(ctx.facts);
  const out: MalwareFinding[] = [];
  for (const f of special) {
    const name = f.path.slice(f.path.lastIndexOf('/') + 1);
    const bits = [
      (f.mode & 0o4000) !== 0 ? `set-user-ID (owner uid ${f.uid})` : '',
      (f.mode & 0o2000) !== 0 ? `set-group-ID (gid ${f.gid})` : '',
    ]
      .filter(Boolean)
      .join(' and ');
    const mode = `mode ${(f.mode & 0o7777).toString(8).padStart(4, '0')}`;
    if (rules.suidNever.test(name)) {
      out.push(
        finding(
          f,
          'backdoor-setuid-shell',
          (f.mode & 0o4000) !== 0 && f.uid === 0 ? 'critical' : 'high',
          'backdoor',
          `${name} is ${bits} (${mode}): anyone who runs it gets its owner's privileges`,
        ),
      );
      continue;
    }
    const hidden = suspiciousLocations(f.path, rules);
    if (hidden.length) {
      out.push(
        finding(
          f,
          'backdoor-setuid-hidden',
          'high',
          'backdoor',
          `${bits} program ${hidden.map((h) => h.reason).join('; ')} (${mode})`,
        ),
      );
      continue;
    }
    if (owned.has(f.path)) continue;
    if (rules.suidKnown.has(name) && STANDARD_DIRS.test(f.path)) continue;
    out.push(
      finding(
        f,
        'persistence-setuid-unowned',
        (f.mode & 0o4000) !== 0 && f.uid === 0 ? 'high' : 'medium',
        'persistence',
        `${bits} program that no OS package installed (${mode})`,
      ),
    );
  }
  return out;
}

/** A PAM module directory's shared object (Debian multiarch, merged /usr, lib64, Alpine). */
const PAM_MODULE_FILE = /^(?:usr\/)?lib(?:32|64)?\/(?:[a-z0-9_]+-linux-[a-z0-9]+\/)?security\/[^/]+\.so$/;

/**
 * A PAM module no OS package installed: whatever names it in `pam.d` runs its code in every
 * login, `su` and `sudo`, where it sees passwords (the classic PAM backdoor adds one, or replaces
 * one, which integrity-drift reports). Without a package database there is nothing to tell an
 * added module from an installed one, so nothing is said.
 */
export function pamModuleFindings(ctx: ImageCheckContext): MalwareFinding[] {
  const modules = [...ctx.facts.tree.values()].filter(
    (f) => (f.type === 'file' || f.type === 'hardlink') && PAM_MODULE_FILE.test(f.path),
  );
  if (!modules.length) return [];
  const owned = packageOwnedPaths(ctx.facts);
  if (owned.size === 0) return [];
  return modules
    .filter((f) => !owned.has(f.path))
    .map((f) =>
      finding(
        f,
        'backdoor-pam-module-unowned',
        'high',
        'backdoor',
        'PAM module that no OS package installed: a login, su or sudo that loads it runs its code',
      ),
    );
}

/**
 * `etc/ld.so.preload` as a link: the loader reads whatever the link names, a file the
 * content check never sees under that name. No package ships the file, let alone a link.
 */
export function preloadLinkFindings(ctx: ImageCheckContext): MalwareFinding[] {
  const f = ctx.facts.tree.get('etc/ld.so.preload');
  if (!f || (f.type !== 'symlink' && f.type !== 'hardlink') || f.linkTarget === undefined) return [];
  if (/^(?:\/|\.\.\/)*dev\/null$/.test(f.linkTarget)) return [];
  return [
    finding(
      f,
      'backdoor-ld-so-preload',
      'high',
      'backdoor',
      `etc/ld.so.preload is a ${f.type === 'symlink' ? 'symbolic' : 'hard'} link to ${f.linkTarget}: every program preloads what that file lists`,
    ),
  ];
}

export const preloadLinkCheck: ImageCheck = {
  name: PRELOAD_LINK_CHECK,
  run: (ctx) => ({ malware: preloadLinkFindings(ctx) }),
};

export const envPreloadCheck: ImageCheck = {
  name: ENV_PRELOAD_CHECK,
  run: (ctx) => ({ malware: envPreloadFindings(ctx) }),
};
export const setuidCheck: ImageCheck = { name: SUID_CHECK, run: (ctx) => ({ malware: setuidFindings(ctx) }) };

export const pamModuleCheck: ImageCheck = {
  name: PAM_MODULE_CHECK,
  run: (ctx) => ({ malware: pamModuleFindings(ctx) }),
};

export const HOOK_TARGET_CHECK = 'persistence-hook-targets';

/**
 * What a start-up or scheduled hook runs, followed one step: a systemd unit, cron entry,
 * supervisor program, inittab line or profile whose command is a script in the image that
 * downloads and runs code (`ExecStart=/usr/local/bin/x5`, where x5 loops over `curl … | sh`) is
 * that same persistence, reported at the hook with the script named. The script's own indicators
 * come from the config audit's script summaries (script-indicators.ts), its place from the final
 * tree (links followed).
 */
export function hookTargetFindings(ctx: ImageCheckContext): MalwareFinding[] {
  const fetchAndRun = new Set(
    configRules()
      .indicators.filter((i) => i.finding === 'curl-pipe-shell')
      .map((i) => i.id),
  );
  const out: MalwareFinding[] = [];
  for (const [layer, facts] of ctx.facts.layers.entries()) {
    for (const fact of facts.facts[PERSISTENCE_CONFIG_ANALYZER] ?? []) {
      if (fact.kind !== 'persistence-hook') continue;
      const f = fact as HookProgramFact;
      if (ctx.facts.tree.get(f.path)?.layer !== layer) continue;
      for (const { program, line } of f.programs) {
        const target = resolveInTree(ctx.facts.tree, program);
        if (!target) continue;
        const script = factsOfFile(ctx.facts, SCRIPT_INDICATORS_ANALYZER, target)[0] as
          ScriptIndicatorsFact | undefined;
        const hit = script?.indicators.find((h) => fetchAndRun.has(h.rule));
        if (!hit) continue;
        out.push({
          category: 'persistence',
          rule: 'persistence-fetch-and-run',
          severity: 'high',
          path: f.path,
          layer,
          sha256: null,
          evidence: safeEvidence(
            `line ${line} runs /${target}, which downloads and runs code (line ${hit.line}: ${hit.excerpt})`,
          ),
        });
        break;
      }
    }
  }
  return out;
}

export const hookTargetCheck: ImageCheck = {
  name: HOOK_TARGET_CHECK,
  run: (ctx) => ({ malware: hookTargetFindings(ctx) }),
};
