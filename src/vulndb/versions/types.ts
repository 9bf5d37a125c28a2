/**
 * One comparator per version scheme, behind one interface (as Grype's version/ package does).
 * `compare` must be a total order on the versions it accepts and must never throw: a version
 * it cannot parse compares by a documented fallback (see each file), and `valid` tells callers
 * whether the version was understood so matching can report "unparseable" instead of guessing.
 *
 * Every scheme in this folder orders *all* strings: versions it understands by its own rules,
 * then every version it does not understand, ordered among themselves by the generic natural
 * order (see generic.ts). `compare` returns -1, 0 or 1.
 */
export interface VersionScheme {
  /** Short name of the comparison rules, for reports: "dpkg", "rpm", "apk", "semver", ... */
  readonly name: string;
  /** OSV ecosystem names this scheme serves (without release suffixes like ":12"). */
  readonly ecosystems: readonly string[];
  /** True when `v` is a well-formed version of this scheme. */
  valid(v: string): boolean;
  /** <0, 0, >0 like Array.prototype.sort's comparator. */
  compare(a: string, b: string): number;
}
