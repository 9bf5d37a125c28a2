/**
 * VEX documents (OpenVEX, and CycloneDX with `vulnerabilities[].analysis`): statements by a
 * supplier that a product is not affected by, or has fixed, a vulnerability. Findings they cover
 * are suppressed before any gate and listed with the statement's justification.
 */
import { PackageURL } from 'packageurl-js';
import { ShipshapeError } from '../errors.js';
import { readFileLimited } from '../image/read-limited.js';

export interface VexStatement {
  vulnerability: string;
  /** Package URLs the statement covers (normalised, without qualifiers); empty = the whole image. */
  products: string[];
  status: string;
  justification: string;
  source: string;
}

const SUPPRESSING = new Set([
  'not_affected',
  'fixed',
  'false_positive',
  'resolved',
  'resolved_with_pedigree',
]);

/** A purl reduced to type/namespace/name@version, so qualifiers (arch, distro) do not block a match. */
export function purlKey(purl: string): string {
  try {
    const p = PackageURL.fromString(purl);
    return `pkg:${p.type}/${p.namespace ? `${p.namespace}/` : ''}${p.name}${p.version ? `@${p.version}` : ''}`.toLowerCase();
  } catch {
    return purl.toLowerCase();
  }
}

function str(x: unknown): string | undefined {
  return typeof x === 'string' ? x : undefined;
}

function ids(x: unknown): string[] {
  if (!Array.isArray(x)) return [];
  return x
    .map((p) =>
      typeof p === 'string'
        ? p
        : (str((p as Record<string, unknown>)?.['@id']) ?? str((p as Record<string, unknown>)?.ref)),
    )
    .filter((p): p is string => Boolean(p))
    .map(purlKey);
}

function fromOpenVex(doc: Record<string, unknown>, source: string): VexStatement[] {
  const out: VexStatement[] = [];
  for (const s of Array.isArray(doc.statements) ? doc.statements : []) {
    const st = s as Record<string, unknown>;
    const v = st.vulnerability;
    const name =
      typeof v === 'string'
        ? v
        : (str((v as Record<string, unknown>)?.name) ?? str((v as Record<string, unknown>)?.['@id']));
    const status = str(st.status);
    if (!name || !status) continue;
    const products = [
      ...ids(st.products),
      ...(Array.isArray(st.products)
        ? st.products.flatMap((p) => ids((p as Record<string, unknown>)?.subcomponents))
        : []),
    ];
    out.push({
      vulnerability: name,
      products,
      status,
      justification: str(st.justification) ?? str(st.impact_statement) ?? str(st.status_notes) ?? '',
      source,
    });
  }
  return out;
}

function fromCycloneDx(doc: Record<string, unknown>, source: string): VexStatement[] {
  const out: VexStatement[] = [];
  for (const v of Array.isArray(doc.vulnerabilities) ? doc.vulnerabilities : []) {
    const vv = v as Record<string, unknown>;
    const analysis = (vv.analysis ?? {}) as Record<string, unknown>;
    const id = str(vv.id);
    const state = str(analysis.state);
    if (!id || !state) continue;
    out.push({
      vulnerability: id,
      products: ids(vv.affects),
      status: state,
      justification: str(analysis.justification) ?? str(analysis.detail) ?? '',
      source,
    });
  }
  return out;
}

export async function loadVex(files: string[]): Promise<VexStatement[]> {
  const out: VexStatement[] = [];
  for (const file of files) {
    let doc: unknown;
    try {
      doc = JSON.parse((await readFileLimited(file, 64 * 1024 * 1024, file)).toString('utf8'));
    } catch (e) {
      if (e instanceof ShipshapeError) throw e;
      throw new ShipshapeError('MALFORMED', `${file}: not valid JSON`);
    }
    if (typeof doc !== 'object' || doc === null)
      throw new ShipshapeError('MALFORMED', `${file}: not a VEX document`);
    const d = doc as Record<string, unknown>;
    if (Array.isArray(d.statements)) out.push(...fromOpenVex(d, file));
    else if (d.bomFormat === 'CycloneDX') out.push(...fromCycloneDx(d, file));
    else throw new ShipshapeError('UNSUPPORTED', `${file}: neither an OpenVEX nor a CycloneDX VEX document`);
  }
  return out;
}

/** The statement that suppresses a finding (by any of its ids, for its package), if any. */
export function vexFor(
  statements: VexStatement[],
  findingIds: string[],
  purl: string,
): VexStatement | undefined {
  const key = purl ? purlKey(purl) : '';
  return statements.find(
    (s) =>
      SUPPRESSING.has(s.status) &&
      findingIds.includes(s.vulnerability) &&
      (s.products.length === 0 || (key !== '' && s.products.includes(key))),
  );
}
