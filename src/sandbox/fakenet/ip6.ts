/**
 * IPv6 addresses as text, in the three spellings the fake internet meets: what a sample or
 * Node writes (`2001:2::c612:1`, maybe `::ffff:1.2.3.4` or `fe80::1%eth0`), what the kernel's
 * connection table prints (all eight groups in full), and the canonical RFC 5952 form events
 * carry. Text from conntrack and from sockets is parsed, so anything malformed gives null.
 */

/** The eight 16-bit groups of an IPv6 address, or null when `text` is not one. A zone (`%eth0`) is ignored. */
export function parseIpv6(text: string): number[] | null {
  const zone = text.indexOf('%');
  if (zone >= 0 && !/^[0-9a-zA-Z.:-]+$/.test(text.slice(zone + 1))) return null;
  let s = zone >= 0 ? text.slice(0, zone) : text;
  if (s.length === 0 || s.length > 45) return null;
  const tail: number[] = [];
  if (s.includes('.')) {
    // An IPv4 address in the last 32 bits (`::ffff:1.2.3.4`): decimal octets, no leading zeros.
    const cut = s.lastIndexOf(':') + 1;
    const octets = s.slice(cut).split('.');
    if (
      cut === 0 ||
      octets.length !== 4 ||
      !octets.every((o) => /^(0|[1-9]\d{0,2})$/.test(o) && Number(o) < 256)
    )
      return null;
    const [a, b, c, d] = octets.map(Number) as [number, number, number, number];
    tail.push((a << 8) | b, (c << 8) | d);
    s = s.slice(0, cut);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string): number[] | null => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0] as string);
  const rest = halves.length === 2 ? groups(halves[1] as string) : [];
  if (!head || !rest) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 2) {
    if (given > 7) return null;
    return [...head, ...new Array<number>(8 - given).fill(0), ...rest, ...tail];
  }
  return given === 8 ? [...head, ...tail] : null;
}

/** RFC 5952: lower-case hex, no leading zeros, the first longest run of two or more zero groups as `::`. */
export function formatIpv6(groups: readonly number[]): string {
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = (list: readonly number[]) => list.map((g) => g.toString(16)).join(':');
  if (best < 0) return hex(groups);
  return `${hex(groups.slice(0, best))}::${hex(groups.slice(best + bestLen))}`;
}

/** All eight groups, four digits each: how /proc/net/nf_conntrack prints an IPv6 address. */
export function expandIpv6(groups: readonly number[]): string {
  return groups.map((g) => g.toString(16).padStart(4, '0')).join(':');
}

/** The canonical form of an IPv6 address; anything else (an IPv4 address) is returned as it is. */
export function canonicalIp(text: string): string {
  if (!text.includes(':')) return text;
  const groups = parseIpv6(text);
  return groups ? formatIpv6(groups) : text;
}

/** The sixteen bytes of an IPv6 address in network order, or null. */
export function ipv6Bytes(text: string): Buffer | null {
  const groups = parseIpv6(text);
  if (!groups) return null;
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(g, 2 * i));
  return out;
}
