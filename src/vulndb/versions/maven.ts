/**
 * Maven versions, a port of maven-artifact's ComparableVersion (3.8/3.9 algorithm), written
 * from its documented behaviour and checked against the real maven-artifact jar.
 *
 * Parsing (on the lower-cased string): `.` and `-` separate items; a switch between digits and
 * letters separates items too. Numbers become numeric items (with Maven's int/long/BigInteger
 * kinds: a longer number is bigger); words become qualifiers, with the aliases a1→alpha-1,
 * b1→beta-1, m1→milestone-1, cr→rc, and ga/final/release→"" (the release). Every `-`, and
 * every digit/letter switch, opens a nested list, so `1.0-alpha-1` is [1, [alpha, [1]]]. Each
 * list drops trailing "null" items (0, "", empty lists), so 1 == 1.0 == 1-ga == 1.0.0.final.
 *
 * Order: qualifiers alpha < beta < milestone < rc < snapshot < "" (release) < sp < any other
 * word (those in ASCII order); a number is above every qualifier and list; a list is above a
 * qualifier; lists compare item by item, a missing item comparing as "null" (so 1-alpha < 1 <
 * 1-sp < 1-1 < 1.0.1 < 1.1).
 *
 * Deviations, to make a total order (Maven's own order is not transitive on some odd
 * versions, e.g. 1.sp.1 < 1-alpha < 1 < 1.sp.1 in maven-artifact): a qualifier or list item is
 * first compared by which side of "null" it lies on, and only then by kind (qualifier < list
 * < number); a zero inside a version (1.0.alpha.1) compares as a number, not as "null". Both
 * only change versions that carry a word between dots followed by more items. Invalid input
 * (empty, longer than 256 characters, anything but printable ASCII) falls back to generic.ts
 * after every valid version.
 */
import { compareCodeUnits, compareDigits, guarded, isAsciiDigit } from './generic.js';
import type { VersionScheme } from './types.js';

const QUALIFIERS = ['alpha', 'beta', 'milestone', 'rc', 'snapshot', '', 'sp'];
const ALIASES: Record<string, string> = { ga: '', final: '', release: '', cr: 'rc' };
const RELEASE_INDEX = '5';

/** Item kinds, in Maven's cross-kind order. */
const enum Kind {
  Qualifier = 0,
  List = 1,
  Number = 2,
}

type Item =
  | { kind: Kind.Qualifier; key: string; side: -1 | 0 | 1 }
  | { kind: Kind.List; items: Item[]; side: -1 | 0 | 1 }
  | { kind: Kind.Number; size: 0 | 1 | 2; digits: string; zero: boolean };

/** comparableQualifier: the index for known qualifiers, "7-word" for the others. */
function qualifierKey(word: string): string {
  const i = QUALIFIERS.indexOf(word);
  return i === -1 ? `${QUALIFIERS.length}-${word}` : String(i);
}

function qualifier(word: string, followedByDigit: boolean): Item {
  let w = word;
  if (followedByDigit && w.length === 1) {
    if (w === 'a') w = 'alpha';
    else if (w === 'b') w = 'beta';
    else if (w === 'm') w = 'milestone';
  }
  w = ALIASES[w] ?? w;
  const key = qualifierKey(w);
  return { kind: Kind.Qualifier, key, side: key < RELEASE_INDEX ? -1 : key > RELEASE_INDEX ? 1 : 0 };
}

function numberItem(text: string): Item {
  // stripLeadingZeroes keeps an all-zero string as it is; the kind follows the length.
  const nonZero = text.search(/[^0]/);
  const digits = nonZero === -1 ? text : text.slice(nonZero);
  const size = digits.length <= 9 ? 0 : digits.length <= 18 ? 1 : 2;
  return { kind: Kind.Number, size, digits, zero: nonZero === -1 };
}

function parseItem(isDigit: boolean, text: string): Item {
  return isDigit ? numberItem(text) : qualifier(text, false);
}

function isNull(item: Item): boolean {
  if (item.kind === Kind.Number) return item.zero;
  if (item.kind === Kind.Qualifier) return item.side === 0;
  return item.items.length === 0;
}

function side(item: Item | null): -1 | 0 | 1 {
  if (item === null) return 0;
  return item.kind === Kind.Number ? 1 : item.side;
}

function newList(): Item & { kind: Kind.List } {
  return { kind: Kind.List, items: [], side: 0 };
}

/** Drops trailing null items (and null items before trailing lists), then fixes the side. */
function normalize(list: Item & { kind: Kind.List }): void {
  for (let i = list.items.length - 1; i >= 0; i--) {
    const item = list.items[i]!;
    if (isNull(item)) list.items.splice(i, 1);
    else if (item.kind !== Kind.List) break;
  }
  list.side = 0;
  for (const item of list.items) {
    const s = side(item);
    if (s !== 0) {
      list.side = s;
      break;
    }
  }
}

export function parseMaven(input: string): Item | null {
  if (input === '' || /[^\x21-\x7e]/.test(input)) return null;
  const version = input.toLowerCase();
  const top = newList();
  let list = top;
  const stack = [top];
  const push = () => {
    const l = newList();
    list.items.push(l);
    list = l;
    stack.push(l);
  };
  let isDigit = false;
  let start = 0;
  for (let i = 0; i < version.length; i++) {
    const c = version[i]!;
    if (c === '.' || c === '-') {
      list.items.push(i === start ? numberItem('0') : parseItem(isDigit, version.slice(start, i)));
      start = i + 1;
      if (c === '-') push();
    } else if (isAsciiDigit(version.charCodeAt(i))) {
      if (!isDigit && i > start) {
        // 1.0.0.X1 < 1.0.0-X2: a word followed by a digit is a qualifier of its own list.
        if (list.items.length > 0) push();
        list.items.push(qualifier(version.slice(start, i), true));
        start = i;
        push();
      }
      isDigit = true;
    } else {
      if (isDigit && i > start) {
        list.items.push(numberItem(version.slice(start, i)));
        start = i;
        push();
      }
      isDigit = false;
    }
  }
  if (version.length > start) {
    if (!isDigit && list.items.length > 0) push();
    list.items.push(parseItem(isDigit, version.slice(start)));
  }
  // Innermost lists first, as Maven pops its stack.
  for (let k = stack.length - 1; k >= 0; k--) normalize(stack[k]!);
  return top;
}

function compareItems(a: Item | null, b: Item | null): number {
  const sa = side(a);
  const sb = side(b);
  if (sa !== sb) return sa - sb;
  // Both missing or a release qualifier (numbers, zero included, are never on the null side).
  if (sa === 0 || a === null || b === null) return 0;
  if (a.kind !== b.kind) return a.kind - b.kind;
  if (a.kind === Kind.Number && b.kind === Kind.Number) {
    if (a.size !== b.size) return a.size - b.size;
    return compareDigits(a.digits, b.digits);
  }
  if (a.kind === Kind.Qualifier && b.kind === Kind.Qualifier) return compareCodeUnits(a.key, b.key);
  if (a.kind === Kind.List && b.kind === Kind.List) return compareLists(a.items, b.items);
  return 0;
}

function compareLists(a: Item[], b: Item[]): number {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareItems(a[i] ?? null, b[i] ?? null);
    if (c !== 0) return c;
  }
  return 0;
}

export function compareMavenParsed(a: Item, b: Item): number {
  return compareItems(a, b);
}

export const maven: VersionScheme = {
  name: 'maven',
  ecosystems: ['Maven'],
  ...guarded(parseMaven, compareMavenParsed),
};
