/**
 * ZooKeeper's result codes (KeeperException.Code), with ZooKeeper's numbers so that the wire layer
 * can send them unchanged. Negative numbers are errors; the API errors start below -100.
 */
export const Code = {
  Ok: 0,
  SystemError: -1,
  RuntimeInconsistency: -2,
  DataInconsistency: -3,
  ConnectionLoss: -4,
  MarshallingError: -5,
  Unimplemented: -6,
  OperationTimeout: -7,
  BadArguments: -8,
  NoNode: -101,
  NoAuth: -102,
  BadVersion: -103,
  NoChildrenForEphemerals: -108,
  NodeExists: -110,
  NotEmpty: -111,
  SessionExpired: -112,
  InvalidCallback: -113,
  InvalidACL: -114,
  AuthFailed: -115,
  SessionMoved: -118,
  NotReadOnly: -119,
  EphemeralOnLocalSession: -120,
  NoWatcher: -121,
} as const;

export type Code = (typeof Code)[keyof typeof Code];

/** The name of a code, for messages and test output ("NoNode"). */
export function codeName(code: number): string {
  const entry = Object.entries(Code).find(([, value]) => value === code);
  return entry === undefined ? `Code(${code})` : entry[0];
}
