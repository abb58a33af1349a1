import ipaddr from 'ipaddr.js';

/**
 * Whether an IP address is a public unicast address a callback may go to, in every IPv4 and IPv6 form.
 *
 * Hand-written on ipaddr.js's parsing and CIDR matching rather than its `range()`: `range()` calls
 * IPv4-compatible addresses (::7f00:1 = ::127.0.0.1) plain 'unicast', and an allow-list that names every
 * form is easier to review than a deny-list that misses one. The ranges are IANA's IPv4 and IPv6
 * Special-Purpose Address Registries (RFC 6890 and its updates), plus the forms that embed an IPv4
 * address, which are judged by the address they embed.
 */
export type AddressVerdict =
  | { public: true; address: string; family: 4 | 6 }
  | { public: false; address: string; reason: string; loopback: boolean };

const cidrs = (list: Array<[string, string]>) =>
  list.map(([cidr, reason]) => ({ range: ipaddr.parseCIDR(cidr), reason }));

/** IPv4 blocks that are not public unicast (IANA IPv4 Special-Purpose Address Registry, multicast, reserved). */
const IPV4_NOT_PUBLIC = cidrs([
  ['0.0.0.0/8', 'this network / unspecified'],
  ['10.0.0.0/8', 'private'],
  ['100.64.0.0/10', 'carrier-grade NAT'],
  ['127.0.0.0/8', 'loopback'],
  ['169.254.0.0/16', 'link-local'],
  ['172.16.0.0/12', 'private'],
  ['192.0.0.0/24', 'IETF protocol assignments'],
  ['192.0.2.0/24', 'documentation'],
  ['192.31.196.0/24', 'AS112'],
  ['192.52.193.0/24', 'AMT'],
  ['192.88.99.0/24', '6to4 relay anycast'],
  ['192.168.0.0/16', 'private'],
  ['192.175.48.0/24', 'AS112'],
  ['198.18.0.0/15', 'benchmarking'],
  ['198.51.100.0/24', 'documentation'],
  ['203.0.113.0/24', 'documentation'],
  ['224.0.0.0/4', 'multicast'],
  ['240.0.0.0/4', 'reserved / broadcast'],
]);

/** Inside 2000::/3 (the only global unicast block), the parts that are not public unicast. */
const IPV6_GLOBAL_NOT_PUBLIC = cidrs([
  ['2001::/32', 'Teredo'],
  ['2001::/23', 'IETF protocol assignments'],
  ['2001:db8::/32', 'documentation'],
  ['3fff::/20', 'documentation'],
]);

const IPV6_GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');
/** NAT64's well-known prefix: the last 32 bits are an IPv4 address the gateway connects to. */
const NAT64 = ipaddr.parseCIDR('64:ff9b::/96');
/** 6to4: bits 16–47 are the IPv4 address of the tunnel's end. */
const SIX_TO_FOUR = ipaddr.parseCIDR('2002::/16');
/** IPv4-compatible IPv6 (deprecated, RFC 4291): ::a.b.c.d; ::/127 are unspecified and loopback. */
const IPV4_COMPATIBLE = ipaddr.parseCIDR('::/96');

export function classifyAddress(raw: string): AddressVerdict {
  let parsed: ipaddr.IPv4 | ipaddr.IPv6;
  try {
    parsed = ipaddr.parse(raw);
  } catch {
    return { public: false, address: raw, reason: 'not an IP address', loopback: false };
  }
  if (parsed.kind() === 'ipv4') return classifyV4(parsed as ipaddr.IPv4, raw);
  const v6 = parsed as ipaddr.IPv6;
  if (v6.isIPv4MappedAddress()) {
    // ::ffff:a.b.c.d is how a dual-stack socket names an IPv4 peer: connect to the IPv4 address itself.
    const verdict = embedded(v6.toIPv4Address(), raw, 'IPv4-mapped');
    return verdict.public ? { public: true, address: v6.toIPv4Address().toString(), family: 4 } : verdict;
  }
  if (v6.match(NAT64)) return embedded(v4From(v6.parts[6], v6.parts[7]), raw, 'NAT64');
  if (v6.match(SIX_TO_FOUR)) {
    return embedded(v4From(v6.parts[1], v6.parts[2]), raw, '6to4');
  }
  const refuse = (reason: string, loopback = false): AddressVerdict => ({
    public: false,
    address: raw,
    reason,
    loopback,
  });
  const range = v6.range();
  if (range === 'loopback') return refuse('loopback', true);
  if (v6.match(IPV4_COMPATIBLE)) return refuse(range === 'unspecified' ? 'unspecified' : 'IPv4-compatible');
  if (!v6.match(IPV6_GLOBAL_UNICAST)) return refuse(range === 'unicast' ? 'not global unicast' : range);
  const special = IPV6_GLOBAL_NOT_PUBLIC.find((s) => v6.match(s.range));
  if (special) return refuse(special.reason);
  return { public: true, address: v6.toString(), family: 6 };
}

function classifyV4(v4: ipaddr.IPv4, raw: string): AddressVerdict {
  const special = IPV4_NOT_PUBLIC.find((s) => v4.match(s.range));
  if (special)
    return { public: false, address: raw, reason: special.reason, loopback: special.reason === 'loopback' };
  return { public: true, address: v4.toString(), family: 4 };
}

/** An IPv6 form that reaches an IPv4 address is as public as that address; it is connected to as given. */
function embedded(inner: ipaddr.IPv4, raw: string, form: string): AddressVerdict {
  const verdict = classifyV4(inner, raw);
  if (verdict.public) return { public: true, address: ipaddr.parse(raw).toString(), family: 6 };
  // Loopback through a tunnel or translator is never the test-only loopback receiver.
  return { ...verdict, reason: `${form} ${inner.toString()}, ${verdict.reason}`, loopback: false };
}

/** The IPv4 address held in two 16-bit IPv6 groups. */
function v4From(high = 0, low = 0): ipaddr.IPv4 {
  return new ipaddr.IPv4([high >> 8, high & 0xff, low >> 8, low & 0xff]);
}
