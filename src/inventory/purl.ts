/**
 * Package URLs (purl spec) for every package type, with the qualifiers vulnerability databases
 * match on: the distro for OS packages (`distro=debian-12`), arch, rpm epoch.
 */
import { PackageURL } from 'packageurl-js';
import type { PackageFact } from '../analyze/packages/types.js';
import type { DetectedOs } from '../analyze/os/detect.js';

/** The purl namespace of an rpm-based distribution, as Grype/Trivy and OSV write it. */
function rpmNamespace(os: DetectedOs | null): string {
  const family = os?.family ?? '';
  if (family === 'rhel') return 'redhat';
  if (['sles', 'opensuse-leap', 'opensuse-tumbleweed', 'suse'].includes(family)) return 'opensuse';
  return family || 'redhat';
}

function distroQualifier(os: DetectedOs | null): string | undefined {
  if (!os) return undefined;
  return os.version ? `${os.family}-${os.version}` : os.family;
}

/** PEP 503 normalisation: PyPI purls use the normalised project name. */
export function normalisePythonName(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function split(name: string): [string | undefined, string] {
  const i = name.lastIndexOf('/');
  return i < 0 ? [undefined, name] : [name.slice(0, i), name.slice(i + 1)];
}

export function purlFor(p: PackageFact, os: DetectedOs | null): string {
  const q: Record<string, string> = { ...(p.qualifiers ?? {}) };
  let type: string = p.type;
  let namespace: string | undefined;
  let name = p.name;
  switch (p.type) {
    case 'deb':
    case 'apk': {
      namespace =
        p.type === 'deb'
          ? os?.family === 'ubuntu'
            ? 'ubuntu'
            : (os?.family ?? 'debian')
          : (os?.family ?? 'alpine');
      if (p.arch) q.arch = p.arch;
      const d = distroQualifier(os);
      if (d) q.distro = d;
      break;
    }
    case 'rpm': {
      namespace = rpmNamespace(os);
      if (p.arch) q.arch = p.arch;
      if (p.epoch) q.epoch = String(p.epoch);
      const d = distroQualifier(os);
      if (d) q.distro = d;
      break;
    }
    case 'npm':
      [namespace, name] = p.name.startsWith('@') ? split(p.name) : [undefined, p.name];
      break;
    case 'pypi':
      name = normalisePythonName(p.name);
      break;
    case 'golang':
    case 'composer':
      [namespace, name] = split(p.name);
      break;
    case 'maven':
      namespace = p.namespace;
      break;
    case 'gem':
    case 'cargo':
    case 'nuget':
    case 'conda':
      break;
    case 'binary':
      type = 'generic';
      break;
  }
  const qualifiers = Object.keys(q).length > 0 ? q : undefined;
  try {
    return new PackageURL(type, namespace, name, p.version || undefined, qualifiers, undefined).toString();
  } catch {
    // A name the purl spec rejects for its type (hostile metadata): still identify the package.
    return `pkg:generic/${encodeURIComponent(p.name)}${p.version ? `@${encodeURIComponent(p.version)}` : ''}`;
  }
}
