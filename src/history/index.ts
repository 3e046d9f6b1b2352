/** The client-history checker: history format, generic linearizability checker, ZooKeeper model and checks. */
export * from './Bitset.js';
export * from './checkLinearizability.js';
export * from './ClientHistory.js';
export * from './clientOrderedModel.js';
export * from './Json.js';
export * from './toTraceJson.js';
export * from './zooKeeperChecks.js';
export * from './zooKeeperModel.js';
