/**
 * Which OSV ecosystem, package name and version to look a package up by. OS packages are
 * matched with the detected release (`Debian:12`, `Alpine:v3.20`, `AlmaLinux:9`), Debian and
 * Ubuntu by source package (their advisories name sources), Alpine by origin; language packages
 * by their registry's ecosystem.
 */
import type { DetectedOs } from '../../analyze/os/detect.js';
import { normalisePythonName } from '../../inventory/purl.js';
import type { Package } from '../../inventory/types.js';

export interface Query {
  /** Ecosystem without release suffix, as stored: `Debian`, `npm`, `Rocky Linux`. */
  ecosystem: string;
  name: string;
  version: string;
  /** Accepts a record's full ecosystem string (with its release suffix) for this image. */
  releaseMatches(fullEcosystem: string): boolean;
}

const ANY = () => true;

function major(v: string | null): string | null {
  return v ? (v.split('.')[0] ?? null) : null;
}

function minor(v: string | null): string | null {
  const m = /^(\d+)\.(\d+)/.exec(v ?? '');
  return m ? `${m[1]}.${m[2]}` : null;
}

/** The OSV ecosystem of an OS and a predicate on full ecosystem strings for its release. */
function osEcosystem(os: DetectedOs | null): { ecosystem: string; release: (e: string) => boolean } | null {
  if (!os) return null;
  const v = os.version;
  const exact = (prefix: string, rel: string | null) => (e: string) =>
    rel !== null && (e === `${prefix}:${rel}` || e.startsWith(`${prefix}:${rel}:`));
  switch (os.family) {
    case 'debian':
      return { ecosystem: 'Debian', release: exact('Debian', major(v)) };
    case 'ubuntu':
      // Ubuntu:22.04 and Ubuntu:22.04:LTS; Ubuntu:Pro:* needs a subscription the image may lack.
      return { ecosystem: 'Ubuntu', release: exact('Ubuntu', minor(v)) };
    case 'alpine':
      return { ecosystem: 'Alpine', release: exact('Alpine', minor(v) ? `v${minor(v)}` : null) };
    case 'almalinux':
      return { ecosystem: 'AlmaLinux', release: exact('AlmaLinux', major(v)) };
    case 'rocky':
      return { ecosystem: 'Rocky Linux', release: exact('Rocky Linux', major(v)) };
    case 'rhel':
    case 'centos':
      return {
        ecosystem: 'Red Hat',
        release: (e) => {
          const parts = e.split(':');
          return parts[1] === 'enterprise_linux' && parts[2] === major(v);
        },
      };
    case 'wolfi':
      return { ecosystem: 'Wolfi', release: ANY };
    case 'chainguard':
      return { ecosystem: 'Chainguard', release: ANY };
    case 'sles':
    case 'sles_sap': {
      const m = /^(\d+)(?:\.(\d+))?/.exec(v ?? '');
      const name = m ? `Linux Enterprise Server ${m[1]}${m[2] && m[2] !== '0' ? ` SP${m[2]}` : ''}` : null;
      return { ecosystem: 'SUSE', release: (e) => name !== null && e === `SUSE:${name}` };
    }
    case 'opensuse-leap':
      return { ecosystem: 'openSUSE', release: (e) => e === `openSUSE:Leap ${v ?? ''}` };
    default:
      return null;
  }
}

const LANGUAGE_ECOSYSTEMS: Partial<Record<Package['type'], string>> = {
  npm: 'npm',
  pypi: 'PyPI',
  golang: 'Go',
  maven: 'Maven',
  cargo: 'crates.io',
  gem: 'RubyGems',
  composer: 'Packagist',
  nuget: 'NuGet',
};

export function queriesFor(pkg: Package, os: DetectedOs | null): Query[] {
  if (pkg.type === 'deb' || pkg.type === 'apk' || pkg.type === 'rpm') {
    const eco = osEcosystem(os);
    if (!eco) return [];
    const names = new Set<string>();
    let version = pkg.version;
    if (pkg.type === 'deb') {
      names.add(pkg.sourceName ?? pkg.name);
      version = pkg.sourceVersion ?? pkg.version;
    } else if (pkg.type === 'apk') {
      names.add(pkg.sourceName ?? pkg.name);
      names.add(pkg.name);
    } else {
      // rpm advisories (AlmaLinux, Rocky, Red Hat) name binary packages; some use the source.
      names.add(pkg.name);
      if (pkg.sourceName) names.add(pkg.sourceName);
      version = pkg.epoch ? `${pkg.epoch}:${pkg.version}` : pkg.version;
    }
    return [...names].map((name) => ({
      ecosystem: eco.ecosystem,
      name,
      version,
      releaseMatches: eco.release,
    }));
  }
  const ecosystem = LANGUAGE_ECOSYSTEMS[pkg.type];
  if (!ecosystem) return [];
  let name = pkg.name;
  if (pkg.type === 'maven') name = pkg.namespace ? `${pkg.namespace}:${pkg.name}` : pkg.name;
  if (pkg.type === 'pypi') name = normalisePythonName(pkg.name);
  return [{ ecosystem, name, version: pkg.version, releaseMatches: ANY }];
}
