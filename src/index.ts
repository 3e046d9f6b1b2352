/**
 * zabstate: a model-checked reference implementation of ZooKeeper's atomic broadcast (ZAB).
 *
 * The public API: the server statechart and its implementations (protocol), the ensemble as a
 * model (model), the explorer and its properties (checker), counterexample traces (trace) and the
 * seeded simulator (sim).
 *
 * @packageDocumentation
 */
export * from './protocol/Message.js';
export * from './protocol/ServerContext.js';
export * from './protocol/ServerEvent.js';
export * from './protocol/ServerState.js';
export * from './protocol/Txn.js';
export * from './protocol/compileServerMachine.js';
export * from './protocol/quorum.js';
export * from './protocol/serverActions.js';
export * from './protocol/serverGuards.js';
export * from './protocol/serverMachine.js';
export * from './protocol/syncMessage.js';
export * from './protocol/History.js';
export * from './protocol/Seq.js';
export * from './protocol/RunList.js';
export * from './protocol/zxid.js';
export * from './model/ClusterState.js';
export * from './model/Model.js';
export * from './model/ModelConfig.js';
export * from './model/parseModelConfig.js';
export * from './checker/FingerprintSet.js';
export * from './checker/encodeState.js';
export * from './checker/explore.js';
export * from './checker/fingerprint.js';
export * from './checker/invariants.js';
export * from './checker/reachability.js';
export * from './trace/Trace.js';
export * from './trace/replay.js';
export * from './trace/toMermaid.js';
export * from './sim/Random.js';
export * from './sim/describeStep.js';
export * from './sim/simulate.js';
