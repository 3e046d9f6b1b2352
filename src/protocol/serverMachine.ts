import { assign, setup } from 'xstate';
import { initialServerContext, type ServerContext } from './ServerContext.js';
import type { ServerEvent } from './ServerEvent.js';
import { serverActions, type Action, type ServerActionName } from './serverActions.js';
import { serverGuards, type Guard, type ServerGuardName } from './serverGuards.js';

/** What a server chart is started with. */
export interface ServerInput {
  readonly id: number;
  readonly voters: number;
  readonly serverCount: number;
  readonly commitLogCount: number;
  readonly fle?: boolean;
}

/** The implementations behind the chart's named guards and actions: what a variant replaces. */
export interface ServerImplementations {
  readonly guards: Record<ServerGuardName, Guard>;
  readonly actions: Record<ServerActionName, Action>;
}

/** The protocol as specified: the guards and actions of serverGuards.ts and serverActions.ts. */
export const defaultImplementations: ServerImplementations = { guards: serverGuards, actions: serverActions };

function xstateGuards(impl: ServerImplementations) {
  const out: Record<string, (args: { context: ServerContext; event: ServerEvent }) => boolean> = {};
  for (const [name, guard] of Object.entries(impl.guards)) out[name] = ({ context, event }) => guard(context, event);
  return out as Record<ServerGuardName, (args: { context: ServerContext; event: ServerEvent }) => boolean>;
}

function xstateActions(impl: ServerImplementations) {
  const out: Record<string, ReturnType<typeof assign<ServerContext, ServerEvent, undefined, ServerEvent, never>>> = {};
  for (const [name, action] of Object.entries(impl.actions)) {
    out[name] = assign<ServerContext, ServerEvent, undefined, ServerEvent, never>(({ context, event }) => action(context, event));
  }
  return out as Record<ServerActionName, (typeof out)[string]>;
}

/**
 * A learner's role: followers and observers share discovery and synchronization and differ only
 * in what they take in broadcast (`broadcast`: event → action), which they may also take once
 * their NEWLEADER steps are done and before UPTODATE.
 */
function learnerState<E extends string, A extends ServerActionName>(broadcast: Record<E, A>) {
  const afterNewLeader = Object.fromEntries(
    Object.entries(broadcast).map(([event, action]) => [event, { guard: 'isNewLeaderDone' as const, actions: action as A }]),
  ) as Record<E, { guard: 'isNewLeaderDone'; actions: A }>;
  const inBroadcast = Object.fromEntries(
    Object.entries(broadcast).map(([event, action]) => [event, { actions: action as A }]),
  ) as Record<E, { actions: A }>;
  return {
    initial: 'DISCOVERY' as const,
    on: {
      Disconnect: { guard: 'isPeerLeader' as const, target: '#server.LOOKING', actions: ['leaveLeader' as const, 'startElection' as const] },
      FLEReplyNOTIFICATION: { actions: 'fleReplyNOTIFICATION' as const },
      RefuseCEPOCH: { actions: 'refuseCEPOCH' as const },
      Crash: { target: '#server.DOWN', actions: 'crash' as const },
    },
    states: {
      DISCOVERY: {
        on: {
          FollowerProcessNEWEPOCH: [
            { guard: 'isEpochBelowAccepted' as const, target: '#server.LOOKING', actions: ['leaveLeader' as const, 'startElection' as const] },
            { target: 'SYNCHRONIZATION', actions: 'followerProcessNEWEPOCH' as const },
          ],
        },
      },
      SYNCHRONIZATION: {
        on: {
          FollowerProcessDIFF: { actions: 'followerProcessDIFF' as const },
          FollowerProcessTRUNC: { actions: 'followerProcessTRUNC' as const },
          FollowerProcessSNAP: { actions: 'followerProcessSNAP' as const },
          FollowerProcessNEWLEADER: { actions: 'followerProcessNEWLEADER' as const },
          FollowerPersistSyncedTxns: { guard: 'isNextNewLeaderStep' as const, actions: 'followerPersistSyncedTxns' as const },
          FollowerPersistCurrentEpoch: { guard: 'isNextNewLeaderStep' as const, actions: 'followerPersistCurrentEpoch' as const },
          FollowerAckNEWLEADER: { guard: 'isNextNewLeaderStep' as const, actions: 'followerAckNEWLEADER' as const },
          ...afterNewLeader,
          FollowerProcessUPTODATE: { guard: 'isNewLeaderDone' as const, target: 'BROADCAST', actions: 'followerProcessUPTODATE' as const },
        },
      },
      BROADCAST: { on: inBroadcast },
    },
  };
}

/**
 * One ZooKeeper server as a statechart. Every event is a spec action; a state's transitions are
 * tried in order and the first whose guard holds is taken, exactly as the spec's disjuncts are
 * mutually exclusive by their guards. The chart has no entry or exit actions: everything a step
 * does is on its transition, so that the compiled step function (compileServerMachine) and the
 * spec see the same granularity.
 */
export function createServerMachine(impl: ServerImplementations = defaultImplementations) {
  return setup({
    types: {
      context: {} as ServerContext,
      events: {} as ServerEvent,
      input: {} as ServerInput,
    },
    guards: xstateGuards(impl),
    actions: xstateActions(impl),
  }).createMachine({
    id: 'server',
    /** A server starts as the spec's Init has it, with the ids and sizes of `input`. */
    context: ({ input }) => initialServerContext(input.id, input.voters, input.serverCount, input.commitLogCount, input.fle ?? false),
    initial: 'LOOKING',
    states: {
      DOWN: {
        on: {
          Restart: { target: 'LOOKING', actions: ['restart', 'startElection'] },
        },
      },
      LOOKING: {
        on: {
          FLEReceiveNOTIFICATION: { actions: 'fleReceiveNOTIFICATION' },
          FLEDecide: [
            { guard: 'isElectedByVotes', target: 'LEADING', actions: 'fleBecomeLeader' },
            { guard: 'isLeaderChosenByVotes', target: 'FOLLOWING', actions: 'fleFollowVote' },
          ],
          FLEFollowEstablished: { guard: 'isEstablishedLeaderFound', target: 'FOLLOWING', actions: 'fleFollowEstablished' },
          RefuseCEPOCH: { actions: 'refuseCEPOCH' },
          ElectLeader: [
            { guard: 'isElectedLeader', target: 'LEADING', actions: ['becomeLeader', 'addElectedLearners'] },
            { guard: 'isInElectedQuorum', target: 'FOLLOWING', actions: 'becomeElectedFollower' },
          ],
          JoinLeader: [
            { guard: 'isJoiningFollower', target: 'FOLLOWING', actions: 'joinLeader' },
            { guard: 'isJoiningObserver', target: 'OBSERVING', actions: 'joinLeader' },
          ],
          Crash: { target: 'DOWN', actions: 'crash' },
        },
      },
      LEADING: {
        initial: 'DISCOVERY',
        on: {
          LeaderProcessCEPOCH: { actions: 'leaderProcessCEPOCH' },
          FLEReplyNOTIFICATION: { actions: 'fleReplyNOTIFICATION' },
          JoinLeader: { guard: 'isJoinedLeader', actions: 'addLearner' },
          Disconnect: { guard: 'isPeerLearner', actions: 'removeLearner' },
          LeaderTimeout: { guard: 'isQuorumLost', target: 'LOOKING', actions: ['leaveLeading', 'startElection'] },
          Crash: { target: 'DOWN', actions: 'crash' },
        },
        states: {
          DISCOVERY: {
            on: {
              // initLimit: a leader not yet established may give up at any time (ZooKeeper's
              // Leader.lead times out waiting for epoch acks or NEWLEADER acks).
              LeaderInitTimeout: { target: '#server.LOOKING', actions: ['leaveLeading', 'startElection'] },
              LeaderProcessACKEPOCH: [
                { guard: 'isLearnerAhead', target: '#server.LOOKING', actions: ['leaveLeading', 'startElection'] },
                { guard: 'isAckEpochQuorum', target: 'SYNCHRONIZATION', actions: ['recordAckEpoch', 'startSync'] },
                { actions: 'recordAckEpoch' },
              ],
            },
          },
          SYNCHRONIZATION: {
            on: {
              LeaderInitTimeout: { target: '#server.LOOKING', actions: ['leaveLeading', 'startElection'] },
              LeaderProcessACKEPOCH: [
                { guard: 'isLearnerAhead', target: '#server.LOOKING', actions: ['leaveLeading', 'startElection'] },
                { actions: ['recordAckEpoch', 'syncLateLearner'] },
              ],
              LeaderProcessACKLD: [
                { guard: 'isAckLdQuorum', target: 'BROADCAST', actions: 'establishLeadership' },
                { actions: 'recordAckLd' },
              ],
              // Never enabled here in the protocol (the leader is established only in BROADCAST):
              // the place where a variant lets a leader propose before a quorum acked NEWLEADER.
              LeaderProcessRequest: { guard: 'isEstablished', actions: 'leaderProcessRequest' },
            },
          },
          BROADCAST: {
            on: {
              LeaderProcessACKEPOCH: [
                { guard: 'isLearnerAhead', target: '#server.LOOKING', actions: ['leaveLeading', 'startElection'] },
                { actions: ['recordAckEpoch', 'syncLateLearner'] },
              ],
              LeaderProcessACKLD: { actions: 'sendUPTODATE' },
              LeaderProcessRequest: { guard: 'isEstablished', actions: 'leaderProcessRequest' },
              LeaderProcessACK: { actions: 'leaderProcessACK' },
            },
          },
        },
      },
      FOLLOWING: learnerState({
        FollowerProcessPROPOSAL: 'followerProcessPROPOSAL',
        FollowerProcessCOMMIT: 'followerProcessCOMMIT',
      }),
      OBSERVING: learnerState({
        ObserverProcessINFORM: 'observerProcessINFORM',
      }),
    },
  });
}

/** The type of a server chart made by createServerMachine. */
export type ServerMachine = ReturnType<typeof createServerMachine>;
