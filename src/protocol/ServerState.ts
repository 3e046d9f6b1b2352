/** ZooKeeper's server states, plus DOWN for a crashed server (the spec's `state`). */
export const ServerState = {
  DOWN: 'DOWN',
  LOOKING: 'LOOKING',
  FOLLOWING: 'FOLLOWING',
  LEADING: 'LEADING',
  OBSERVING: 'OBSERVING',
} as const;
export type ServerState = (typeof ServerState)[keyof typeof ServerState];

/** The ZAB phase a server is in (the spec's `zabState`). */
export const ZabState = {
  ELECTION: 'ELECTION',
  DISCOVERY: 'DISCOVERY',
  SYNCHRONIZATION: 'SYNCHRONIZATION',
  BROADCAST: 'BROADCAST',
} as const;
export type ZabState = (typeof ZabState)[keyof typeof ZabState];
