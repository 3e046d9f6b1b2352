/**
 * ZooKeeper's IPAuthenticationProvider for IPv4: an ACL id is "a.b.c.d" or "a.b.c.d/bits", and a
 * client address matches when the first `bits` bits agree. IPv6 is not supported here: an IPv6 ACL
 * id is invalid and an IPv6 client address never matches.
 */
export function ipMatches(clientAddress: string, aclExpression: string): boolean {
  const pattern = parseIpExpression(aclExpression);
  const client = parseIpv4(clientAddress);
  if (pattern === null || client === null) return false;
  return maskedEquals(client, pattern.address, pattern.bits);
}

/** IPAuthenticationProvider.isValid: whether an `ip` ACL id is well formed. */
export function isValidIpExpression(aclExpression: string): boolean {
  return parseIpExpression(aclExpression) !== null;
}

interface IpExpression {
  readonly address: readonly number[];
  readonly bits: number;
}

function parseIpExpression(expression: string): IpExpression | null {
  const slash = expression.indexOf('/');
  const addressText = slash === -1 ? expression : expression.slice(0, slash);
  const address = parseIpv4(addressText);
  if (address === null) return null;
  if (slash === -1) return { address, bits: 32 };
  const bitsText = expression.slice(slash + 1);
  if (!/^\d+$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  return bits <= 32 ? { address, bits } : null;
}

function parseIpv4(text: string): number[] | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  const octets = parts.map((part) => (/^\d{1,3}$/.test(part) ? Number(part) : -1));
  return octets.every((octet) => octet >= 0 && octet <= 255) ? octets : null;
}

function maskedEquals(a: readonly number[], b: readonly number[], bits: number): boolean {
  for (let octet = 0; octet < 4; octet++) {
    const keep = Math.max(0, Math.min(8, bits - octet * 8));
    const mask = (0xff << (8 - keep)) & 0xff;
    if ((a[octet] & mask) !== (b[octet] & mask)) return false;
  }
  return true;
}
