/**
 * Textbook: observers counted as voters.
 *
 * Changes: the guards isAckEpochQuorum and isAckLdQuorum count every server that answered,
 * observers included, against a majority of the voters (ZooKeeper's QuorumMaj ignores observers).
 * Real bug: none filed as such; the rule that observers never vote (ZOOKEEPER-368's design).
 * Breaks: Leadership (a leader established by itself and an observer, while the voters establish
 * another in the same epoch). Bounds: one observer.
 */
import { defineVariant } from '../Variant.js';
import { bit, popcount } from '../../protocol/quorum.js';
import type { Guard } from '../../protocol/serverGuards.js';

const countsEveryone = (mask: number, voters: number) => popcount(mask) * 2 > popcount(voters);
const quorumWith = (field: 'ackeRecv' | 'ackldRecv'): Guard => (context, event) =>
  'from' in event && countsEveryone(context[field] | bit(event.from), context.voters);

export default defineVariant({
  name: 'observers-vote',
  description: 'A leader counts observers in its ACKEPOCH and NEWLEADER-ACK quorums.',
  guards: { isAckEpochQuorum: quorumWith('ackeRecv'), isAckLdQuorum: quorumWith('ackldRecv') },
  bounds: { observers: 1, maxEpoch: 2, maxTxns: 1, maxCrashes: 1, maxPartitions: 0 },
  expect: 'Leadership',
});
