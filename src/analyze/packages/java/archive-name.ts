/**
 * Java archive file names as Maven and most build tools write them: `<artifactId>-<version>.jar`,
 * where the version starts at the first `-` followed by a digit (`commons-lang3-3.12.0.jar`,
 * `guice-no-aop-4.2.3.jar`, `app-1.0-SNAPSHOT.war`).
 */

export const ARCHIVE_EXTENSIONS = ['jar', 'war', 'ear', 'par', 'jpi', 'hpi'] as const;
export const ARCHIVE_NAME = new RegExp(`\\.(${ARCHIVE_EXTENSIONS.join('|')})$`, 'i');

export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

export function parseArchiveFileName(path: string): { name: string; version?: string } | undefined {
  const stem = baseName(path).replace(ARCHIVE_NAME, '');
  if (!stem) return undefined;
  const m = /^(.+?)-(\d[\w.+~-]*)$/.exec(stem);
  return m ? { name: m[1]!, version: m[2]! } : { name: stem };
}
