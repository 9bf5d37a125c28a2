/**
 * Rules are data, and a careless pattern (`(a+)+`, `.*x.*y`) can take quadratic or exponential
 * time on hostile input. JavaScript regexes backtrack, so the loaders admit only patterns whose
 * every quantifier is bounded: `?` and `{m,n}`, never `*`, `+` or `{m,}`. Work per start
 * position is then capped by the product of the bounds, and the rule authors keep those small.
 */

/** Why `source` is refused, or null when every quantifier in it is bounded. */
export function unboundedQuantifier(source: string): string | null {
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') inClass = true;
    else if (c === '*' || c === '+') return `unbounded quantifier '${c}' at offset ${i}`;
    else if (c === '{') {
      const m = /^\{(\d{1,6})(,(\d{0,6}))?\}/.exec(source.slice(i, i + 16));
      if (m && m[2] !== undefined && m[3] === '') return `unbounded quantifier '${m[0]}' at offset ${i}`;
    }
  }
  return null;
}

/** Compiles a rule pattern after checking it is bounded; throws with `label` on any problem. */
export function compileBounded(source: string, flags: string, label: string): RegExp {
  const problem = unboundedQuantifier(source);
  if (problem) throw new Error(`${label}: ${problem} (use {m,n})`);
  try {
    return new RegExp(source, flags);
  } catch (err) {
    throw new Error(`${label}: ${(err as Error).message}`);
  }
}
