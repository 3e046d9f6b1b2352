import type { Message } from './Message.js';

/**
 * Every event a server chart takes is named after the spec action that delivers it, so that a
 * trace, a chart transition and a TLA+ disjunct share one name.
 */
export type MessageEventType =
  | 'LeaderProcessCEPOCH'
  | 'FollowerProcessNEWEPOCH'
  | 'LeaderProcessACKEPOCH'
  | 'FollowerProcessDIFF'
  | 'FollowerProcessTRUNC'
  | 'FollowerProcessSNAP'
  | 'FollowerProcessNEWLEADER'
  | 'LeaderProcessACKLD'
  | 'FollowerProcessUPTODATE'
  | 'FollowerProcessPROPOSAL'
  | 'LeaderProcessACK'
  | 'FollowerProcessCOMMIT'
  | 'ObserverProcessINFORM'
  | 'FLEReceiveNOTIFICATION'
  | 'FLEReplyNOTIFICATION'
  | 'RefuseCEPOCH';

/** The NEWLEADER steps a learner takes on its own. */
export type StepEventType = 'FollowerPersistSyncedTxns' | 'FollowerPersistCurrentEpoch' | 'FollowerAckNEWLEADER';

/** An event of the server chart: a spec action with the parameters the acting server sees. */
export type ServerEvent =
  | { readonly type: MessageEventType; readonly from: number; readonly msg: Message }
  | { readonly type: StepEventType }
  | { readonly type: 'ElectLeader'; readonly leader: number; readonly quorum: number }
  | { readonly type: 'JoinLeader'; readonly leader: number; readonly learner: number }
  | { readonly type: 'LeaderProcessRequest'; readonly value: number }
  | { readonly type: 'FLEDecide' }
  | { readonly type: 'FLEFollowEstablished' }
  | { readonly type: 'LeaderTimeout' }
  | { readonly type: 'LeaderInitTimeout' }
  | { readonly type: 'Crash' }
  | { readonly type: 'Restart' }
  | { readonly type: 'Disconnect'; readonly peer: number };

/** The name of a server event, which is the name of a spec action. */
export type ServerEventType = ServerEvent['type'];

/**
 * Which actions may handle a message at the head of a channel, in the order they are tried; the
 * receiver's chart decides which (if any) is enabled in its state.
 */
export const HANDLERS_OF_MESSAGE: Readonly<Record<Message['type'], readonly MessageEventType[]>> = {
  NOTIFICATION: ['FLEReceiveNOTIFICATION', 'FLEReplyNOTIFICATION'],
  CEPOCH: ['LeaderProcessCEPOCH', 'RefuseCEPOCH'],
  NEWEPOCH: ['FollowerProcessNEWEPOCH'],
  ACKEPOCH: ['LeaderProcessACKEPOCH'],
  DIFF: ['FollowerProcessDIFF'],
  TRUNC: ['FollowerProcessTRUNC'],
  SNAP: ['FollowerProcessSNAP'],
  NEWLEADER: ['FollowerProcessNEWLEADER'],
  ACKLD: ['LeaderProcessACKLD'],
  UPTODATE: ['FollowerProcessUPTODATE'],
  PROPOSAL: ['FollowerProcessPROPOSAL'],
  ACK: ['LeaderProcessACK'],
  COMMIT: ['FollowerProcessCOMMIT'],
  INFORM: ['ObserverProcessINFORM'],
};
