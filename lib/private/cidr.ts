/**
 * CIDR arithmetic for the gate: how much of the public internet a set of CIDRs opens, whatever way it is written
 * (`0.0.0.0/0`, two `/1` halves, sixteen `/4`s, …).
 */

/** An address range [start, end] (inclusive) of one IP version. */
interface Range {
  readonly start: bigint;
  readonly end: bigint;
}

const V4_BITS = 32n;
const V6_BITS = 128n;

/** IPv4 ranges that are not on the public internet (RFC 1918, CGNAT, loopback, link-local, this-network, multicast, reserved). */
const NON_PUBLIC_V4 = ['0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.168.0.0/16', '224.0.0.0/3'];
/** The IPv6 global unicast space; everything else (ULA, link-local, multicast, …) is not public. */
const PUBLIC_V6 = '2000::/3';

/** More public addresses than this in one set of rules or routes is "open to the internet": a /8 of IPv4. */
export const MAX_PUBLIC_IPV4_ADDRESSES = 2n ** 24n;
/** The same bound for IPv6: a /32 (one ISP allocation). */
export const MAX_PUBLIC_IPV6_ADDRESSES = 2n ** 96n;

/** Parses `a.b.c.d/n` into its range, or undefined when it is not an IPv4 CIDR. */
export function parseIpv4Cidr(cidr: string): Range | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!m) return undefined;
  const octets = m.slice(1, 5).map(Number);
  const prefix = BigInt(m[5]);
  if (octets.some((o) => o > 255) || prefix > V4_BITS) return undefined;
  const address = octets.reduce((acc, o) => (acc << 8n) | BigInt(o), 0n);
  return block(address, prefix, V4_BITS);
}

/** Parses an IPv6 CIDR (`2001:db8::/32`, `::/0`) into its range, or undefined when it is not one. */
export function parseIpv6Cidr(cidr: string): Range | undefined {
  const m = /^([0-9a-fA-F:]+)\/(\d{1,3})$/.exec(cidr.trim());
  if (!m || !m[1].includes(':')) return undefined;
  const prefix = BigInt(m[2]);
  if (prefix > V6_BITS) return undefined;
  const halves = m[1].split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string) => (s === '' ? [] : s.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (missing < 0 || (halves.length === 1 && missing !== 0)) return undefined;
  const all = [...head, ...Array(missing).fill('0'), ...tail];
  if (all.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  const address = all.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
  return block(address, prefix, V6_BITS);
}

function block(address: bigint, prefix: bigint, bits: bigint): Range {
  const size = 1n << (bits - prefix);
  const start = (address / size) * size;
  return { start, end: start + size - 1n };
}

/** Sorted, non-overlapping union of ranges. */
function union(ranges: readonly Range[]): Range[] {
  const sorted = [...ranges].sort((a, b) => (a.start < b.start ? -1 : a.start > b.start ? 1 : 0));
  const out: Range[] = [];
  for (const r of sorted) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end + 1n) out[out.length - 1] = { start: last.start, end: r.end > last.end ? r.end : last.end };
    else out.push(r);
  }
  return out;
}

function size(ranges: readonly Range[]): bigint {
  return ranges.reduce((n, r) => n + (r.end - r.start + 1n), 0n);
}

function intersect(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  for (const x of a) {
    for (const y of b) {
      const start = x.start > y.start ? x.start : y.start;
      const end = x.end < y.end ? x.end : y.end;
      if (start <= end) out.push({ start, end });
    }
  }
  return union(out);
}

const V4_NON_PUBLIC = union(NON_PUBLIC_V4.map((c) => parseIpv4Cidr(c)!));
const V6_PUBLIC = [parseIpv6Cidr(PUBLIC_V6)!];

/** How many public IPv4 addresses the CIDRs open together (overlaps counted once). */
export function publicIpv4Addresses(cidrs: readonly string[]): bigint {
  const covered = union(cidrs.map(parseIpv4Cidr).filter((r): r is Range => r !== undefined));
  return size(covered) - size(intersect(covered, V4_NON_PUBLIC));
}

/** How many public (global unicast) IPv6 addresses the CIDRs open together. */
export function publicIpv6Addresses(cidrs: readonly string[]): bigint {
  return size(intersect(union(cidrs.map(parseIpv6Cidr).filter((r): r is Range => r !== undefined)), V6_PUBLIC));
}

/** True when the CIDRs together open more of the public internet than a /8 of IPv4 or a /32 of IPv6. */
export function opensPublicInternet(cidrs: readonly string[]): boolean {
  return publicIpv4Addresses(cidrs) > MAX_PUBLIC_IPV4_ADDRESSES || publicIpv6Addresses(cidrs) > MAX_PUBLIC_IPV6_ADDRESSES;
}
