/** Sets of servers are bitmasks with bit `sid` set; sid 0 is unused. */
export function bit(sid: number): number {
  return 1 << sid;
}

/** Whether server `sid` is in the set `mask`. */
export function has(mask: number, sid: number): boolean {
  return (mask & (1 << sid)) !== 0;
}

/** How many servers are in the set `mask`. */
export function popcount(mask: number): number {
  let m = mask - ((mask >>> 1) & 0x55555555);
  m = (m & 0x33333333) + ((m >>> 2) & 0x33333333);
  return (((m + (m >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}

/** A majority of the voters; observers in `mask` are ignored, as ZooKeeper's QuorumMaj does. */
export function isQuorum(mask: number, voters: number): boolean {
  return popcount(mask & voters) * 2 > popcount(voters);
}

/** The sids in `mask`, ascending. */
export function members(mask: number): number[] {
  const out: number[] = [];
  for (let sid = 1; 1 << sid <= mask && sid < 31; sid++) if (mask & (1 << sid)) out.push(sid);
  return out;
}
