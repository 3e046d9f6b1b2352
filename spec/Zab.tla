-------------------------------- MODULE Zab --------------------------------
(***************************************************************************)
(* ZooKeeper's atomic broadcast (ZAB) as zabstate models it.               *)
(*                                                                         *)
(* This module mirrors the executable model of src/protocol (the server    *)
(* statechart, its guards and actions) and src/model/Model.ts (the         *)
(* cluster: FIFO channels, disconnect cascades, ghost variables, fault     *)
(* counters) variable for variable and action for action, so that TLC and  *)
(* zabstate's explorer reach the same number of distinct states on the     *)
(* same bounds.  Every action is named as the TypeScript event that        *)
(* drives it; a chart transition with several guarded branches is one      *)
(* action here whose branches are tried in the chart's order.             *)
(*                                                                         *)
(* In an action on a message, (i, j) means: server i takes the head of     *)
(* the channel from j to i.  A message stays at the head of its channel   *)
(* until the receiver's chart has a transition for it (there is no         *)
(* "discard" action), exactly as in the model.  Leaders come from an       *)
(* oracle (ElectionMode = "Oracle": ElectLeader) or from fast leader       *)
(* election (ElectionMode = "FLE": the FLE* actions).                      *)
(***************************************************************************)
EXTENDS Integers, Sequences, FiniteSets, TLC

CONSTANTS
    Server,          \* the voting servers (sids, integers)
    Observer,        \* the observers (sids, integers, disjoint from Server)
    MaxEpoch,        \* no server may accept an epoch above this (state constraint)
    MaxTxns,         \* client requests turned into proposals, over a whole run
    MaxCrashes,      \* crashes, over a whole run
    MaxPartitions,   \* Disconnect actions, over a whole run
    CommitLogCount,  \* txns a leader retains for DIFF; a learner missing more gets SNAP
    MaxRounds,       \* FLE: no server may reach an election round above this (state constraint)
    ElectionMode,    \* "Oracle" (leaders chosen by ElectLeader) or "FLE" (fast leader election)
    Null             \* a model value: "no value" in ackeZxid, pendingSync, recvVotes, outOfElection

ASSUME Server \cap Observer = {}
ASSUME Server # {} /\ Server \cup Observer \subseteq Nat \ {0}
ASSUME ElectionMode \in {"Oracle", "FLE"}

\* Every server, voter or observer.
Ensemble == Server \cup Observer

-----------------------------------------------------------------------------
\* Server states (the chart's top level) and ZAB phases (its second level).
DOWN == "DOWN"
LOOKING == "LOOKING"
FOLLOWING == "FOLLOWING"
LEADING == "LEADING"
OBSERVING == "OBSERVING"

ELECTION == "ELECTION"
DISCOVERY == "DISCOVERY"
SYNCHRONIZATION == "SYNCHRONIZATION"
BROADCAST == "BROADCAST"

\* Message types (NOTIFICATION is fast leader election's vote; ZAB paper names: CEPOCH = FOLLOWERINFO, NEWEPOCH = LEADERINFO,
\* ACKLD = the ACK of NEWLEADER).
NOTIFICATION == "NOTIFICATION"
CEPOCH == "CEPOCH"
NEWEPOCH == "NEWEPOCH"
ACKEPOCH == "ACKEPOCH"
DIFF == "DIFF"
TRUNC == "TRUNC"
SNAP == "SNAP"
NEWLEADER == "NEWLEADER"
ACKLD == "ACKLD"
UPTODATE == "UPTODATE"
PROPOSAL == "PROPOSAL"
ACK == "ACK"
COMMIT == "COMMIT"
INFORM == "INFORM"

\* The steps a learner takes after NEWLEADER, in the order ZooKeeper uses since
\* ZOOKEEPER-4643/4646: newLeaderStep counts how many are done.
NewLeaderSteps == <<"FollowerPersistSyncedTxns", "FollowerPersistCurrentEpoch", "FollowerAckNEWLEADER">>

-----------------------------------------------------------------------------
VARIABLES
    \* Per server, persistent (survives a crash).
    currentEpoch,     \* the epoch of the last NEWLEADER this server acked (or led)
    acceptedEpoch,    \* the epoch of the last NEWEPOCH this server accepted (or chose)
    history,          \* the txn log: logged proposals, committed or not
    \* Per server, volatile.
    state,            \* DOWN, LOOKING, FOLLOWING, LEADING or OBSERVING
    zabState,         \* ELECTION (when DOWN or LOOKING), DISCOVERY, SYNCHRONIZATION or BROADCAST
    lastCommitted,    \* length of the delivered prefix of history
    \* Fast leader election (FLE only; constant under the oracle).
    round,            \* the election round (ZooKeeper's logicalclock)
    vote,             \* the vote proposed while LOOKING, the leader settled on afterwards
    recvVotes,        \* recvVotes[i][k]: k's vote in i's current round (LOOKING senders), or Null
    outOfElection,    \* outOfElection[i][k]: the vote k reported while FOLLOWING/LEADING, or Null
    reportedLeading,  \* the servers of outOfElection[i] that reported LEADING
    \* Learner only.
    leader,           \* the learner's leader, 0 for none
    pendingSync,      \* sync data received (DIFF/TRUNC/SNAP) and not yet logged, or Null
    newLeaderEpoch,   \* epoch of the NEWLEADER being processed, 0 for none
    newLeaderStep,    \* how many of NewLeaderSteps are done
    \* Leader only.
    learners,         \* learners connected to this leader
    cepochRecv,       \* servers whose CEPOCH the leader counted (itself included)
    maxAcceptedEpoch, \* greatest acceptedEpoch in cepochRecv
    ackeRecv,         \* servers whose ACKEPOCH the leader counted (itself included)
    ackeZxid,         \* ackeZxid[i][j]: last zxid j reported in ACKEPOCH, Null once j is synced
    synced,           \* learners sent NEWLEADER: the forwarding set of PROPOSAL/COMMIT/INFORM
    ackldRecv,        \* servers whose ACK of NEWLEADER the leader counted (itself included)
    acks,             \* acks[i][n]: the voters that acked history[i][n] (parallel to history)
    \* Network.
    msgs,             \* msgs[j][i]: the FIFO channel from j to i
    \* Ghost variables of verification.
    proposed,         \* every proposal ever made, in the order made
    committedLog,     \* every txn committed by a quorum, in commit order
    established,      \* established[e]: the servers established as leader in epoch e
    \* Fault and workload counters (bounded by the state constraint).
    nRequests,
    nCrashes,
    nPartitions

serverVars == <<currentEpoch, acceptedEpoch, history, state, zabState, lastCommitted>>
electionVars == <<round, vote, recvVotes, outOfElection, reportedLeading>>
learnerVars == <<leader, pendingSync, newLeaderEpoch, newLeaderStep>>
leaderVars == <<learners, cepochRecv, maxAcceptedEpoch, ackeRecv, ackeZxid, synced, ackldRecv, acks>>
msgVars == <<msgs>>
verifyVars == <<proposed, committedLog, established>>
counterVars == <<nRequests, nCrashes, nPartitions>>
vars == <<serverVars, electionVars, learnerVars, leaderVars, msgVars, verifyVars, counterVars>>

-----------------------------------------------------------------------------
(* Helpers.                                                                *)

Min(a, b) == IF a < b THEN a ELSE b
Max(a, b) == IF a > b THEN a ELSE b
Range(s) == {s[n] : n \in DOMAIN s}

\* A zxid is <<epoch, counter>>, ordered lexicographically.
ZxidZero == <<0, 0>>
ZxidLt(a, b) == a[1] < b[1] \/ (a[1] = b[1] /\ a[2] < b[2])
ZxidLeq(a, b) == ~ZxidLt(b, a)
LastZxid(h) == IF h = <<>> THEN ZxidZero ELSE h[Len(h)].zxid

\* A majority of the voters; observers are ignored (ZooKeeper's QuorumMaj).
IsQuorum(S) == 2 * Cardinality(S \cap Server) > Cardinality(Server)

\* Length of the longest prefix of h whose zxids are all <= z.
PrefixLengthUpTo(h, z) ==
    CHOOSE n \in 0..Len(h) :
        /\ \A m \in 1..n : ZxidLeq(h[m].zxid, z)
        /\ (n = Len(h) \/ ZxidLt(z, h[n + 1].zxid))

\* The last counter used in epoch e, if the log ends in e.
LastCounterInEpoch(h, e) == IF h # <<>> /\ h[Len(h)].zxid[1] = e THEN h[Len(h)].zxid[2] ELSE 0

\* How a leader with log h brings a learner whose last zxid is peerZxid up to date
\* (ZooKeeper's LearnerHandler.syncFollower): equal: empty DIFF; learner ahead: TRUNC to the
\* leader's last zxid; learner missing more than CommitLogCount txns: SNAP; learner on the
\* leader's log: DIFF; else TRUNC to the common prefix, then the missing txns. The learner
\* only logs them: UPTODATE says what is committed.
SyncMessage(h, peerZxid) ==
    LET leaderZxid == LastZxid(h)
        known == PrefixLengthUpTo(h, peerZxid)
        commonZxid == IF known = 0 THEN ZxidZero ELSE h[known].zxid
        missing == SubSeq(h, known + 1, Len(h))
    IN  IF peerZxid = leaderZxid
        THEN [mtype |-> DIFF, mtxns |-> <<>>]
        ELSE IF ZxidLt(leaderZxid, peerZxid)
        THEN [mtype |-> TRUNC, mtrunc |-> leaderZxid, mtxns |-> <<>>]
        ELSE IF Len(h) - known > CommitLogCount
        THEN [mtype |-> SNAP, mtxns |-> h]
        ELSE IF commonZxid = peerZxid
        THEN [mtype |-> DIFF, mtxns |-> missing]
        ELSE [mtype |-> TRUNC, mtrunc |-> commonZxid, mtxns |-> missing]

\* Ghost: committedLog extended by the txns of ts it does not hold yet.
AppendFresh(log, ts) ==
    LET IsFresh(t) == t \notin Range(log)
    IN  log \o SelectSeq(ts, IsFresh)

\* The longest prefix of the log whose acks form quorums, from lc on (the leader commits
\* in zxid order).
CommitPoint(a, lc) ==
    CHOOSE k \in lc..Len(a) :
        /\ \A n \in (lc + 1)..k : IsQuorum(a[n])
        /\ (k = Len(a) \/ ~IsQuorum(a[k + 1]))

\* What a leader sends each learner for a committed txn: COMMIT to a voter, INFORM to an observer.
CommitMessage(k, t) == IF k \in Server THEN [mtype |-> COMMIT, mzxid |-> t.zxid] ELSE [mtype |-> INFORM, mtxn |-> t]
CommitMessages(k, ts) == [n \in 1..Len(ts) |-> CommitMessage(k, ts[n])]

-----------------------------------------------------------------------------
(* Votes of fast leader election.                                          *)

\* A vote: the proposed leader, its last zxid and its currentEpoch (peerEpoch).
NoVote == [leader |-> 0, zxid |-> ZxidZero, peerEpoch |-> 0]
NoVotes == [k \in Ensemble |-> Null]

\* The vote server x casts for itself (FastLeaderElection's initial vote).
SelfVote(x) == [leader |-> x, zxid |-> LastZxid(history[x]), peerEpoch |-> currentEpoch[x]]

\* FLE's total order on votes: (peerEpoch, zxid, sid) lexicographically.
IsBetterVote(c, cur) ==
    IF c.peerEpoch # cur.peerEpoch THEN c.peerEpoch > cur.peerEpoch
    ELSE IF c.zxid # cur.zxid THEN ZxidLt(cur.zxid, c.zxid)
    ELSE c.leader > cur.leader

\* The votes of a round in which only x's own vote v is known.
OwnVoteOnly(x, v) == [k \in Ensemble |-> IF k = x THEN v ELSE Null]

\* The servers whose recorded vote is v.
Agreeing(votes, v) == {k \in Ensemble : votes[k] = v}

\* The established leader LOOKING server x may follow: one that reported LEADING and that
\* a quorum of servers out of the election report as their leader (FastLeaderElection's
\* termPredicate and checkLeader); the smallest such sid; 0 for none.
EstablishedLeaderOf(x) ==
    LET o == outOfElection[x]
        Backed(l) == {k \in Ensemble : o[k] # Null /\ o[k].leader = l}
        C == {l \in Ensemble : o[l] # Null /\ l \in reportedLeading[x] /\ o[l].leader = l /\ IsQuorum(Backed(l))}
    IN  IF C = {} THEN 0 ELSE CHOOSE l \in C : \A k \in C : l <= k

Notification(v, r, s) == [mtype |-> NOTIFICATION, mvote |-> v, mround |-> r, mstate |-> s]

-----------------------------------------------------------------------------
(* Channels.                                                               *)

HasMessage(j, i, type) == msgs[j][i] # <<>> /\ msgs[j][i][1].mtype = type
HeadOf(j, i) == msgs[j][i][1]

\* ms with the head of the channel j -> i taken.
Received(ms, j, i) == [ms EXCEPT ![j][i] = Tail(@)]
\* ms with out[k] appended to the channel i -> k, for every k in S.
SentEach(ms, i, S, out(_)) ==
    [ms EXCEPT ![i] = [k \in Ensemble |-> IF k \in S THEN ms[i][k] \o out(k) ELSE ms[i][k]]]
Sent(ms, i, k, m) == [ms EXCEPT ![i][k] = Append(@, m)]
\* ms with notification n appended to the channel x -> y of every other voter y that is up
\* (a send to a DOWN server is lost). down: the servers DOWN when the notification is sent.
NotifiedVoters(ms, x, n, down) ==
    [ms EXCEPT ![x] = [y \in Ensemble |->
        IF y \in Server /\ y # x /\ y \notin down THEN Append(ms[x][y], n) ELSE ms[x][y]]]
\* ms with both channels between i and every server in S emptied.
Cleared(ms, i, S) ==
    [x \in Ensemble |-> [y \in Ensemble |->
        IF (x = i /\ y \in S) \/ (y = i /\ x \in S) THEN <<>> ELSE ms[x][y]]]

(***************************************************************************)
(* Disconnect cascades.  When a connection closes, the model empties both  *)
(* channels and delivers a Disconnect event to the peer: a leader that has *)
(* the peer as learner drops it (learners, synced, its ackeZxid); a        *)
(* learner whose leader is the peer goes back to LOOKING, forgets its      *)
(* learner variables (and closes the connection back, which changes        *)
(* nothing more) and starts an election.  P is a set of pairs <<x, y>>: x  *)
(* is told that y is gone.  Each x occurs at most once in P and decides on *)
(* the state before the step, as the model's sequential cascade does.      *)
(***************************************************************************)
LeavesLeader(x, P) == state[x] \in {FOLLOWING, OBSERVING} /\ <<x, leader[x]>> \in P
DroppedLearners(x, P) == IF state[x] = LEADING THEN {y \in learners[x] : <<x, y>> \in P} ELSE {}
Leavers(P) == {x \in Ensemble : LeavesLeader(x, P)}

StateAfter(P) == [x \in Ensemble |-> IF LeavesLeader(x, P) THEN LOOKING ELSE state[x]]
ZabStateAfter(P) == [x \in Ensemble |-> IF LeavesLeader(x, P) THEN ELECTION ELSE zabState[x]]
LeaderAfter(P) == [x \in Ensemble |-> IF LeavesLeader(x, P) THEN 0 ELSE leader[x]]
PendingSyncAfter(P) == [x \in Ensemble |-> IF LeavesLeader(x, P) THEN Null ELSE pendingSync[x]]
NewLeaderEpochAfter(P) == [x \in Ensemble |-> IF LeavesLeader(x, P) THEN 0 ELSE newLeaderEpoch[x]]
NewLeaderStepAfter(P) == [x \in Ensemble |-> IF LeavesLeader(x, P) THEN 0 ELSE newLeaderStep[x]]
LearnersAfter(P) == [x \in Ensemble |-> learners[x] \ DroppedLearners(x, P)]
SyncedAfter(P) == [x \in Ensemble |-> synced[x] \ DroppedLearners(x, P)]
AckeZxidAfter(P) == [x \in Ensemble |-> [k \in Ensemble |->
                        IF k \in DroppedLearners(x, P) THEN Null ELSE ackeZxid[x][k]]]

\* The pairs told when i leaves its leader, or leaves leading.
LeaveLeaderPairs(i) == {<<leader[i], i>>}
LeaveLeadingPairs(i) == {<<k, i>> : k \in learners[i]}

(***************************************************************************)
(* Starting an election (the TypeScript startElection), on every entry to  *)
(* LOOKING but a crash's: under FLE a voter enters the next round voting   *)
(* for itself and sends that vote to every other voter that is up; under   *)
(* the oracle, and for an observer, nothing happens.  L: the servers that  *)
(* start an election in the step.                                          *)
(***************************************************************************)
Starting(L) == IF ElectionMode = "FLE" THEN L \cap Server ELSE {}

RoundAfter(L) == [x \in Ensemble |-> IF x \in Starting(L) THEN round[x] + 1 ELSE round[x]]
VoteAfter(L) == [x \in Ensemble |-> IF x \in Starting(L) THEN SelfVote(x) ELSE vote[x]]
RecvVotesAfter(L) == [x \in Ensemble |-> IF x \in Starting(L) THEN OwnVoteOnly(x, SelfVote(x)) ELSE recvVotes[x]]
OutOfElectionAfter(L) == [x \in Ensemble |-> IF x \in Starting(L) THEN NoVotes ELSE outOfElection[x]]
ReportedLeadingAfter(L) == [x \in Ensemble |-> IF x \in Starting(L) THEN {} ELSE reportedLeading[x]]

ElectionsStarted(L) ==
    /\ round' = RoundAfter(L)
    /\ vote' = VoteAfter(L)
    /\ recvVotes' = RecvVotesAfter(L)
    /\ outOfElection' = OutOfElectionAfter(L)
    /\ reportedLeading' = ReportedLeadingAfter(L)

\* ms with the first notification of every server of L that starts an election; down: the
\* servers DOWN after the step. The notifications go after the step's channel clearing (in
\* the model a server's outbox holds its disconnects before its notifications).
Notified(ms, L, down) ==
    [x \in Ensemble |-> [y \in Ensemble |->
        IF x \in Starting(L) /\ y \in Server /\ y # x /\ y \notin down
        THEN Append(ms[x][y], Notification(SelfVote(x), round[x] + 1, LOOKING))
        ELSE ms[x][y]]]

Down == {x \in Ensemble : state[x] = DOWN}

\* Leader variables as they are when a server leads nobody.
NoAckeZxid == [k \in Ensemble |-> Null]

-----------------------------------------------------------------------------
(* Initial state.                                                          *)

\* Every server is LOOKING. Under FLE each voter has started its first election: round 1,
\* its vote for itself, that vote sent to every other voter (Model.init).
Init ==
    /\ currentEpoch = [i \in Ensemble |-> 0]
    /\ acceptedEpoch = [i \in Ensemble |-> 0]
    /\ history = [i \in Ensemble |-> <<>>]
    /\ state = [i \in Ensemble |-> LOOKING]
    /\ zabState = [i \in Ensemble |-> ELECTION]
    /\ lastCommitted = [i \in Ensemble |-> 0]
    /\ LET starting == Starting(Ensemble)
           InitVote(i) == [leader |-> i, zxid |-> ZxidZero, peerEpoch |-> 0]
       IN  /\ round = [i \in Ensemble |-> IF i \in starting THEN 1 ELSE 0]
           /\ vote = [i \in Ensemble |-> IF i \in starting THEN InitVote(i) ELSE NoVote]
           /\ recvVotes = [i \in Ensemble |-> IF i \in starting THEN OwnVoteOnly(i, InitVote(i)) ELSE NoVotes]
           /\ msgs = [j \in Ensemble |-> [i \in Ensemble |->
                        IF j \in starting /\ i \in Server /\ i # j
                        THEN <<Notification(InitVote(j), 1, LOOKING)>>
                        ELSE <<>>]]
    /\ outOfElection = [i \in Ensemble |-> NoVotes]
    /\ reportedLeading = [i \in Ensemble |-> {}]
    /\ leader = [i \in Ensemble |-> 0]
    /\ pendingSync = [i \in Ensemble |-> Null]
    /\ newLeaderEpoch = [i \in Ensemble |-> 0]
    /\ newLeaderStep = [i \in Ensemble |-> 0]
    /\ learners = [i \in Ensemble |-> {}]
    /\ cepochRecv = [i \in Ensemble |-> {}]
    /\ maxAcceptedEpoch = [i \in Ensemble |-> 0]
    /\ ackeRecv = [i \in Ensemble |-> {}]
    /\ ackeZxid = [i \in Ensemble |-> NoAckeZxid]
    /\ synced = [i \in Ensemble |-> {}]
    /\ ackldRecv = [i \in Ensemble |-> {}]
    /\ acks = [i \in Ensemble |-> <<>>]
    /\ proposed = <<>>
    /\ committedLog = <<>>
    /\ established = [e \in 0..MaxEpoch |-> {}]
    /\ nRequests = 0
    /\ nCrashes = 0
    /\ nPartitions = 0

-----------------------------------------------------------------------------
(* Election (oracle).                                                      *)

\* The oracle picks leader i and a quorum Q of LOOKING voters containing it. The others
\* of Q follow i and send it CEPOCH.
ElectLeader(i, Q) ==
    /\ ElectionMode = "Oracle"
    /\ i \in Server
    /\ Q \subseteq Server
    /\ i \in Q
    /\ IsQuorum(Q)
    /\ \A j \in Q : state[j] = LOOKING
    /\ state' = [x \in Ensemble |-> IF x = i THEN LEADING ELSE IF x \in Q THEN FOLLOWING ELSE state[x]]
    /\ zabState' = [x \in Ensemble |-> IF x \in Q THEN DISCOVERY ELSE zabState[x]]
    /\ learners' = [learners EXCEPT ![i] = Q \ {i}]
    /\ cepochRecv' = [cepochRecv EXCEPT ![i] = {i}]
    /\ maxAcceptedEpoch' = [maxAcceptedEpoch EXCEPT ![i] = acceptedEpoch[i]]
    /\ ackeRecv' = [ackeRecv EXCEPT ![i] = {i}]
    /\ ackldRecv' = [ackldRecv EXCEPT ![i] = {i}]
    /\ leader' = [x \in Ensemble |-> IF x \in Q \ {i} THEN i ELSE leader[x]]
    /\ msgs' = [x \in Ensemble |-> [y \in Ensemble |->
                  IF x \in Q \ {i} /\ y = i
                  THEN Append(msgs[x][y], [mtype |-> CEPOCH, mepoch |-> acceptedEpoch[x]])
                  ELSE msgs[x][y]]]
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted, electionVars,
                   pendingSync, newLeaderEpoch, newLeaderStep,
                   ackeZxid, synced, acks, verifyVars, counterVars>>

\* LOOKING server i joins leader j (established or not): as a follower if it votes, else
\* as an observer, and sends it CEPOCH. Under FLE only observers join this way (voters
\* find their leader by election).
JoinLeader(i, j) ==
    /\ i # j
    /\ ElectionMode = "Oracle" \/ i \in Observer
    /\ state[i] = LOOKING
    /\ state[j] = LEADING
    /\ state' = [state EXCEPT ![i] = IF i \in Server THEN FOLLOWING ELSE OBSERVING]
    /\ zabState' = [zabState EXCEPT ![i] = DISCOVERY]
    /\ learners' = [learners EXCEPT ![j] = @ \cup {i}]
    /\ leader' = [leader EXCEPT ![i] = j]
    /\ msgs' = Sent(msgs, i, j, [mtype |-> CEPOCH, mepoch |-> acceptedEpoch[i]])
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted, electionVars,
                   pendingSync, newLeaderEpoch, newLeaderStep,
                   cepochRecv, maxAcceptedEpoch, ackeRecv, ackeZxid, synced, ackldRecv, acks,
                   verifyVars, counterVars>>

-----------------------------------------------------------------------------
(* Election (fast leader election).                                        *)

\* LOOKING server i takes a notification from j. The vote of a server out of the election
\* (FOLLOWING or LEADING) is kept apart, to find an established leader. A newer round
\* restarts i's tally with the better of j's vote and i's own initial vote (sent to every
\* voter); an older round is answered with i's vote; in i's round, j's vote is recorded and,
\* if better than i's, adopted and sent to every voter.
FLEReceiveNOTIFICATION(i, j) ==
    /\ HasMessage(j, i, NOTIFICATION)
    /\ state[i] = LOOKING
    /\ LET n == HeadOf(j, i)
           ms == Received(msgs, j, i)
       IN  IF n.mstate # LOOKING
           THEN /\ outOfElection' = [outOfElection EXCEPT ![i][j] = n.mvote]
                /\ reportedLeading' = [reportedLeading EXCEPT ![i] =
                                         IF n.mstate = LEADING THEN @ \cup {j} ELSE @ \ {j}]
                /\ msgs' = ms
                /\ UNCHANGED <<round, vote, recvVotes>>
           ELSE IF n.mround > round[i]
           THEN LET own == SelfVote(i)
                    v == IF IsBetterVote(n.mvote, own) THEN n.mvote ELSE own
                IN  /\ round' = [round EXCEPT ![i] = n.mround]
                    /\ vote' = [vote EXCEPT ![i] = v]
                    /\ recvVotes' = [recvVotes EXCEPT ![i] =
                                       [k \in Ensemble |-> IF k = i THEN v ELSE IF k = j THEN n.mvote ELSE Null]]
                    /\ msgs' = NotifiedVoters(ms, i, Notification(v, n.mround, LOOKING), Down)
                    /\ UNCHANGED <<outOfElection, reportedLeading>>
           ELSE IF n.mround < round[i]
           THEN /\ msgs' = Sent(ms, i, j, Notification(vote[i], round[i], LOOKING))
                /\ UNCHANGED <<round, vote, recvVotes, outOfElection, reportedLeading>>
           ELSE IF ~IsBetterVote(n.mvote, vote[i])
           THEN /\ recvVotes' = [recvVotes EXCEPT ![i][j] = n.mvote]
                /\ msgs' = ms
                /\ UNCHANGED <<round, vote, outOfElection, reportedLeading>>
           ELSE /\ vote' = [vote EXCEPT ![i] = n.mvote]
                /\ recvVotes' = [recvVotes EXCEPT ![i][j] = n.mvote, ![i][i] = n.mvote]
                /\ msgs' = NotifiedVoters(ms, i, Notification(n.mvote, round[i], LOOKING), Down)
                /\ UNCHANGED <<round, outOfElection, reportedLeading>>
    /\ UNCHANGED <<serverVars, learnerVars, leaderVars, verifyVars, counterVars>>

\* The role a server out of the election reports in a notification.
ReportedState(i) ==
    IF leader[i] # 0 THEN (IF i \in Server THEN FOLLOWING ELSE OBSERVING) ELSE LEADING

\* A server out of the election (FOLLOWING, LEADING, OBSERVING) answers a LOOKING sender
\* with the leader it settled on; other notifications are dropped.
FLEReplyNOTIFICATION(i, j) ==
    /\ HasMessage(j, i, NOTIFICATION)
    /\ state[i] \in {FOLLOWING, LEADING, OBSERVING}
    /\ LET n == HeadOf(j, i)
           ms == Received(msgs, j, i)
       IN  msgs' = IF n.mstate = LOOKING
                   THEN Sent(ms, i, j, Notification(vote[i], round[i], ReportedState(i)))
                   ELSE ms
    /\ UNCHANGED <<serverVars, electionVars, learnerVars, leaderVars, verifyVars, counterVars>>

\* LOOKING server i follows leader l with vote v (leaving the election): it sends l CEPOCH.
\* If l is DOWN the connection fails at once: i leaves l again and starts the next round.
FLEFollow(i, l, v) ==
    IF state[l] = DOWN
    THEN /\ ElectionsStarted({i})
         /\ msgs' = Notified(msgs, {i}, Down)
         /\ UNCHANGED <<state, zabState, leader>>
    ELSE /\ state' = [state EXCEPT ![i] = FOLLOWING]
         /\ zabState' = [zabState EXCEPT ![i] = DISCOVERY]
         /\ leader' = [leader EXCEPT ![i] = l]
         /\ vote' = [vote EXCEPT ![i] = v]
         /\ recvVotes' = [recvVotes EXCEPT ![i] = NoVotes]
         /\ outOfElection' = [outOfElection EXCEPT ![i] = NoVotes]
         /\ reportedLeading' = [reportedLeading EXCEPT ![i] = {}]
         /\ msgs' = Sent(msgs, i, l, [mtype |-> CEPOCH, mepoch |-> acceptedEpoch[i]])
         /\ UNCHANGED round

\* LOOKING server i decides when a quorum of its round's votes equals its own vote: it
\* leads if the vote is for itself (counting itself in every quorum it will gather),
\* else it follows the voted server.
FLEDecide(i) ==
    /\ state[i] = LOOKING
    /\ IsQuorum(Agreeing(recvVotes[i], vote[i]))
    /\ vote[i].leader # 0
    /\ IF vote[i].leader = i
       THEN /\ state' = [state EXCEPT ![i] = LEADING]
            /\ zabState' = [zabState EXCEPT ![i] = DISCOVERY]
            /\ recvVotes' = [recvVotes EXCEPT ![i] = NoVotes]
            /\ outOfElection' = [outOfElection EXCEPT ![i] = NoVotes]
            /\ reportedLeading' = [reportedLeading EXCEPT ![i] = {}]
            /\ cepochRecv' = [cepochRecv EXCEPT ![i] = {i}]
            /\ maxAcceptedEpoch' = [maxAcceptedEpoch EXCEPT ![i] = acceptedEpoch[i]]
            /\ ackeRecv' = [ackeRecv EXCEPT ![i] = {i}]
            /\ ackldRecv' = [ackldRecv EXCEPT ![i] = {i}]
            /\ UNCHANGED <<round, vote, leader, msgs>>
       ELSE /\ FLEFollow(i, vote[i].leader, vote[i])
            /\ UNCHANGED <<cepochRecv, maxAcceptedEpoch, ackeRecv, ackldRecv>>
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted,
                   pendingSync, newLeaderEpoch, newLeaderStep,
                   learners, ackeZxid, synced, acks, verifyVars, counterVars>>

\* LOOKING server i follows the leader that a quorum of servers out of the election
\* report, and that itself reports LEADING.
FLEFollowEstablished(i) ==
    /\ state[i] = LOOKING
    /\ EstablishedLeaderOf(i) # 0
    /\ LET l == EstablishedLeaderOf(i)
       IN  FLEFollow(i, l, outOfElection[i][l])
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted,
                   pendingSync, newLeaderEpoch, newLeaderStep,
                   leaderVars, verifyVars, counterVars>>

\* A server that is not leading refuses the connection of learner j (its CEPOCH): j leaves
\* it and starts an election.
RefuseCEPOCH(i, j) ==
    /\ HasMessage(j, i, CEPOCH)
    /\ state[i] \in {LOOKING, FOLLOWING, OBSERVING}
    /\ Assert(leader[j] = i, "RefuseCEPOCH: the sender does not follow the refuser")
    /\ LET P == {<<j, i>>, <<i, j>>}
       IN  /\ state' = StateAfter(P)
           /\ zabState' = ZabStateAfter(P)
           /\ leader' = LeaderAfter(P)
           /\ pendingSync' = PendingSyncAfter(P)
           /\ newLeaderEpoch' = NewLeaderEpochAfter(P)
           /\ newLeaderStep' = NewLeaderStepAfter(P)
           /\ learners' = LearnersAfter(P)
           /\ synced' = SyncedAfter(P)
           /\ ackeZxid' = AckeZxidAfter(P)
           /\ ElectionsStarted(Leavers(P))
           /\ msgs' = Notified(Cleared(Received(msgs, j, i), i, {j}), Leavers(P), Down)
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted,
                   cepochRecv, maxAcceptedEpoch, ackeRecv, ackldRecv, acks,
                   verifyVars, counterVars>>

-----------------------------------------------------------------------------
(* Discovery.                                                              *)

\* Leader i connects j (if not yet) and counts j's acceptedEpoch. When the CEPOCHs first
\* form a quorum the new epoch is their greatest acceptedEpoch plus one: i accepts it and
\* sends NEWEPOCH to every connected learner it counted. After that, a late learner is
\* answered at once.
LeaderProcessCEPOCH(i, j) ==
    /\ HasMessage(j, i, CEPOCH)
    /\ state[i] = LEADING
    /\ LET m == HeadOf(j, i)
           ms == Received(msgs, j, i)
           late == IsQuorum(cepochRecv[i])
           recv == cepochRecv[i] \cup {j}
           connected == learners[i] \cup {j}
           maxEpoch == Max(maxAcceptedEpoch[i], m.mepoch)
           chosen == ~late /\ IsQuorum(recv)
           NewEpochTo(k) == <<[mtype |-> NEWEPOCH, mepoch |-> maxEpoch + 1]>>
       IN  /\ learners' = [learners EXCEPT ![i] = connected]
           /\ cepochRecv' = [cepochRecv EXCEPT ![i] = recv]
           /\ maxAcceptedEpoch' = IF late THEN maxAcceptedEpoch
                                  ELSE [maxAcceptedEpoch EXCEPT ![i] = maxEpoch]
           /\ acceptedEpoch' = IF chosen THEN [acceptedEpoch EXCEPT ![i] = maxEpoch + 1]
                               ELSE acceptedEpoch
           /\ msgs' = IF late THEN Sent(ms, i, j, [mtype |-> NEWEPOCH, mepoch |-> acceptedEpoch[i]])
                      ELSE IF chosen THEN SentEach(ms, i, recv \cap connected, NewEpochTo)
                      ELSE ms
    /\ UNCHANGED <<currentEpoch, history, state, zabState, lastCommitted, electionVars, learnerVars,
                   ackeRecv, ackeZxid, synced, ackldRecv, acks,
                   verifyVars, counterVars>>

\* Learner i leaves its leader and starts an election: back to LOOKING, learner variables
\* forgotten, the connection to its leader closed (the leader drops i). ms: the channels
\* before closing.
LearnerLeavesLeader(i, ms) ==
    LET P == LeaveLeaderPairs(i)
    IN  /\ state' = [StateAfter(P) EXCEPT ![i] = LOOKING]
        /\ zabState' = [ZabStateAfter(P) EXCEPT ![i] = ELECTION]
        /\ leader' = [LeaderAfter(P) EXCEPT ![i] = 0]
        /\ pendingSync' = [PendingSyncAfter(P) EXCEPT ![i] = Null]
        /\ newLeaderEpoch' = [NewLeaderEpochAfter(P) EXCEPT ![i] = 0]
        /\ newLeaderStep' = [NewLeaderStepAfter(P) EXCEPT ![i] = 0]
        /\ learners' = LearnersAfter(P)
        /\ synced' = SyncedAfter(P)
        /\ ackeZxid' = AckeZxidAfter(P)
        /\ ElectionsStarted(Leavers(P) \cup {i})
        /\ msgs' = Notified(Cleared(ms, i, {leader[i]}), Leavers(P) \cup {i}, Down)

\* Learner i takes NEWEPOCH from j: an epoch below what it accepted means a stale leader
\* (it leaves); otherwise it accepts the epoch and answers ACKEPOCH with its currentEpoch
\* (-1 if it had accepted this epoch already: the leader must not count it twice) and its
\* last zxid.
FollowerProcessNEWEPOCH(i, j) ==
    /\ HasMessage(j, i, NEWEPOCH)
    /\ state[i] \in {FOLLOWING, OBSERVING}
    /\ zabState[i] = DISCOVERY
    /\ LET m == HeadOf(j, i)
           ms == Received(msgs, j, i)
       IN  IF m.mepoch < acceptedEpoch[i]
           THEN /\ LearnerLeavesLeader(i, ms)
                /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted,
                               cepochRecv, maxAcceptedEpoch, ackeRecv, ackldRecv, acks,
                               verifyVars, counterVars>>
           ELSE /\ zabState' = [zabState EXCEPT ![i] = SYNCHRONIZATION]
                /\ acceptedEpoch' = [acceptedEpoch EXCEPT ![i] = Max(@, m.mepoch)]
                /\ msgs' = Sent(ms, i, j, [mtype |-> ACKEPOCH,
                                           mcurrentEpoch |-> IF m.mepoch = acceptedEpoch[i] THEN -1 ELSE currentEpoch[i],
                                           mzxid |-> LastZxid(history[i])])
                /\ UNCHANGED <<currentEpoch, history, state, lastCommitted, electionVars, learnerVars,
                               leaderVars, verifyVars, counterVars>>

\* Leader i steps down and starts an election: back to LOOKING, leader variables
\* forgotten, every learner connection closed (each learner goes back to LOOKING and
\* starts an election too). ms: the channels before closing.
LeaderLeavesLeading(i, ms) ==
    LET P == LeaveLeadingPairs(i)
    IN  /\ state' = [StateAfter(P) EXCEPT ![i] = LOOKING]
        /\ zabState' = [ZabStateAfter(P) EXCEPT ![i] = ELECTION]
        /\ leader' = LeaderAfter(P)
        /\ pendingSync' = PendingSyncAfter(P)
        /\ newLeaderEpoch' = NewLeaderEpochAfter(P)
        /\ newLeaderStep' = NewLeaderStepAfter(P)
        /\ learners' = [LearnersAfter(P) EXCEPT ![i] = {}]
        /\ synced' = [SyncedAfter(P) EXCEPT ![i] = {}]
        /\ cepochRecv' = [cepochRecv EXCEPT ![i] = {}]
        /\ maxAcceptedEpoch' = [maxAcceptedEpoch EXCEPT ![i] = 0]
        /\ ackeRecv' = [ackeRecv EXCEPT ![i] = {}]
        /\ ackeZxid' = [AckeZxidAfter(P) EXCEPT ![i] = NoAckeZxid]
        /\ ackldRecv' = [ackldRecv EXCEPT ![i] = {}]
        /\ acks' = [acks EXCEPT ![i] = <<>>]
        /\ ElectionsStarted(Leavers(P) \cup {i})
        /\ msgs' = Notified(Cleared(ms, i, learners[i]), Leavers(P) \cup {i}, Down)

\* Leader i sends learner k its sync message (computed from peerZxid, the learner's last
\* zxid) and NEWLEADER for epoch e.
SyncMessages(i, peerZxid, e) ==
    <<SyncMessage(history[i], peerZxid), [mtype |-> NEWLEADER, mepoch |-> e]>>

\* Leader i takes ACKEPOCH from j. A learner more up to date than the leader
\* ((currentEpoch, last zxid) greater) makes it give up. An ACKEPOCH with currentEpoch -1
\* is recorded but not counted. In DISCOVERY, the ACKEPOCH that makes a quorum starts
\* synchronization: the leader persists currentEpoch and syncs every connected learner
\* whose ACKEPOCH it holds; an earlier one is recorded. Later ones are synced at once.
LeaderProcessACKEPOCH(i, j) ==
    /\ HasMessage(j, i, ACKEPOCH)
    /\ state[i] = LEADING
    /\ LET m == HeadOf(j, i)
           ms == Received(msgs, j, i)
           counted == m.mcurrentEpoch # -1
           ahead == /\ counted
                    /\ IF m.mcurrentEpoch # currentEpoch[i]
                       THEN m.mcurrentEpoch > currentEpoch[i]
                       ELSE ZxidLt(LastZxid(history[i]), m.mzxid)
           recv == IF counted THEN ackeRecv[i] \cup {j} ELSE ackeRecv[i]
           recorded == [ackeZxid[i] EXCEPT ![j] = m.mzxid]
       IN  IF ahead
           THEN /\ LeaderLeavesLeading(i, ms)
                /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted,
                               verifyVars, counterVars>>
           ELSE IF zabState[i] = DISCOVERY /\ ~(counted /\ IsQuorum(recv))
           THEN /\ ackeRecv' = [ackeRecv EXCEPT ![i] = recv]
                /\ ackeZxid' = [ackeZxid EXCEPT ![i] = recorded]
                /\ msgs' = ms
                /\ UNCHANGED <<serverVars, electionVars, learnerVars, learners, cepochRecv, maxAcceptedEpoch,
                               synced, ackldRecv, acks, verifyVars, counterVars>>
           ELSE IF zabState[i] = DISCOVERY
           THEN LET toSync == {k \in learners[i] : recorded[k] # Null}
                    Out(k) == SyncMessages(i, recorded[k], acceptedEpoch[i])
                IN  /\ zabState' = [zabState EXCEPT ![i] = SYNCHRONIZATION]
                    /\ currentEpoch' = [currentEpoch EXCEPT ![i] = acceptedEpoch[i]]
                    /\ ackeRecv' = [ackeRecv EXCEPT ![i] = recv]
                    /\ ackeZxid' = [ackeZxid EXCEPT ![i] =
                                      [k \in Ensemble |-> IF k \in toSync THEN Null ELSE recorded[k]]]
                    /\ synced' = [synced EXCEPT ![i] = @ \cup toSync]
                    /\ msgs' = SentEach(ms, i, toSync, Out)
                    /\ UNCHANGED <<acceptedEpoch, history, state, lastCommitted, electionVars, learnerVars,
                                   learners, cepochRecv, maxAcceptedEpoch, ackldRecv, acks,
                                   verifyVars, counterVars>>
           ELSE /\ Assert(j \in learners[i], "LeaderProcessACKEPOCH: syncs a learner that is not connected")
                /\ ackeRecv' = [ackeRecv EXCEPT ![i] = recv]
                /\ ackeZxid' = [ackeZxid EXCEPT ![i][j] = Null]
                /\ synced' = [synced EXCEPT ![i] = @ \cup {j}]
                /\ msgs' = [ms EXCEPT ![i][j] = @ \o SyncMessages(i, m.mzxid, currentEpoch[i])]
                /\ UNCHANGED <<serverVars, electionVars, learnerVars, learners, cepochRecv, maxAcceptedEpoch,
                               ackldRecv, acks, verifyVars, counterVars>>

-----------------------------------------------------------------------------
(* Synchronization.                                                        *)

\* Learner i delivers its logged prefix up to zxid z (never shrinking what it delivered).
DeliveredUpTo(i, h, z) == Max(lastCommitted[i], PrefixLengthUpTo(h, z))

LearnerSyncing(i) == state[i] \in {FOLLOWING, OBSERVING} /\ zabState[i] = SYNCHRONIZATION

\* DIFF: keep the txns to log at NEWLEADER.
FollowerProcessDIFF(i, j) ==
    /\ HasMessage(j, i, DIFF)
    /\ LearnerSyncing(i)
    /\ LET m == HeadOf(j, i)
       IN  pendingSync' = [pendingSync EXCEPT ![i] =
                             [snap |-> FALSE, txns |-> m.mtxns]]
    /\ msgs' = Received(msgs, j, i)
    /\ UNCHANGED <<serverVars, electionVars, leader, newLeaderEpoch, newLeaderStep, leaderVars,
                   verifyVars, counterVars>>

\* TRUNC: cut the log at once (ZooKeeper truncates on receipt), keep the txns to log.
FollowerProcessTRUNC(i, j) ==
    /\ HasMessage(j, i, TRUNC)
    /\ LearnerSyncing(i)
    /\ LET m == HeadOf(j, i)
           h == SubSeq(history[i], 1, PrefixLengthUpTo(history[i], m.mtrunc))
       IN  /\ history' = [history EXCEPT ![i] = h]
           /\ lastCommitted' = [lastCommitted EXCEPT ![i] = Min(@, Len(h))]
           /\ pendingSync' = [pendingSync EXCEPT ![i] =
                                [snap |-> FALSE, txns |-> m.mtxns]]
    /\ msgs' = Received(msgs, j, i)
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, state, zabState, electionVars,
                   leader, newLeaderEpoch, newLeaderStep, leaderVars, verifyVars, counterVars>>

\* SNAP: keep the leader's whole log, to replace this one at NEWLEADER.
FollowerProcessSNAP(i, j) ==
    /\ HasMessage(j, i, SNAP)
    /\ LearnerSyncing(i)
    /\ LET m == HeadOf(j, i)
       IN  pendingSync' = [pendingSync EXCEPT ![i] =
                             [snap |-> TRUE, txns |-> m.mtxns]]
    /\ msgs' = Received(msgs, j, i)
    /\ UNCHANGED <<serverVars, electionVars, leader, newLeaderEpoch, newLeaderStep, leaderVars,
                   verifyVars, counterVars>>

\* NEWLEADER: start the steps of NewLeaderSteps.
FollowerProcessNEWLEADER(i, j) ==
    /\ HasMessage(j, i, NEWLEADER)
    /\ LearnerSyncing(i)
    /\ newLeaderEpoch' = [newLeaderEpoch EXCEPT ![i] = HeadOf(j, i).mepoch]
    /\ newLeaderStep' = [newLeaderStep EXCEPT ![i] = 0]
    /\ msgs' = Received(msgs, j, i)
    /\ UNCHANGED <<serverVars, electionVars, leader, pendingSync, leaderVars, verifyVars, counterVars>>

IsNextNewLeaderStep(i, name) ==
    /\ LearnerSyncing(i)
    /\ newLeaderEpoch[i] # 0
    /\ newLeaderStep[i] < Len(NewLeaderSteps)
    /\ NewLeaderSteps[newLeaderStep[i] + 1] = name

IsNewLeaderDone(i) == newLeaderEpoch[i] # 0 /\ newLeaderStep[i] = Len(NewLeaderSteps)

\* Step 1: write the synced txns to the log (a SNAP replaces it). Nothing is delivered:
\* UPTODATE says what is committed (after a SNAP nothing is delivered any more).
FollowerPersistSyncedTxns(i) ==
    /\ IsNextNewLeaderStep(i, "FollowerPersistSyncedTxns")
    /\ LET sync == pendingSync[i]
       IN  IF sync = Null
           THEN UNCHANGED <<history, lastCommitted, pendingSync>>
           ELSE /\ history' = [history EXCEPT ![i] = IF sync.snap THEN sync.txns ELSE @ \o sync.txns]
                /\ lastCommitted' = [lastCommitted EXCEPT ![i] = IF sync.snap THEN 0 ELSE @]
                /\ pendingSync' = [pendingSync EXCEPT ![i] = Null]
    /\ newLeaderStep' = [newLeaderStep EXCEPT ![i] = @ + 1]
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, state, zabState, electionVars, leader, newLeaderEpoch,
                   leaderVars, msgVars, verifyVars, counterVars>>

\* Step 2: persist currentEpoch.
FollowerPersistCurrentEpoch(i) ==
    /\ IsNextNewLeaderStep(i, "FollowerPersistCurrentEpoch")
    /\ currentEpoch' = [currentEpoch EXCEPT ![i] = newLeaderEpoch[i]]
    /\ newLeaderStep' = [newLeaderStep EXCEPT ![i] = @ + 1]
    /\ UNCHANGED <<acceptedEpoch, history, state, zabState, lastCommitted, electionVars,
                   leader, pendingSync, newLeaderEpoch, leaderVars, msgVars, verifyVars, counterVars>>

\* Step 3: ACK the NEWLEADER to the leader.
FollowerAckNEWLEADER(i) ==
    /\ IsNextNewLeaderStep(i, "FollowerAckNEWLEADER")
    /\ newLeaderStep' = [newLeaderStep EXCEPT ![i] = @ + 1]
    /\ msgs' = Sent(msgs, i, leader[i], [mtype |-> ACKLD, mepoch |-> newLeaderEpoch[i]])
    /\ UNCHANGED <<serverVars, electionVars, leader, pendingSync, newLeaderEpoch, leaderVars,
                   verifyVars, counterVars>>

\* Leader i takes the ACK of NEWLEADER from j. In SYNCHRONIZATION, the one that makes a
\* quorum establishes the leader: its whole log is committed and every connected learner
\* that acked gets UPTODATE with the leader's last zxid; an earlier one is recorded. In
\* BROADCAST, j gets UPTODATE at once, with the zxid of the leader's last committed txn.
LeaderProcessACKLD(i, j) ==
    /\ HasMessage(j, i, ACKLD)
    /\ state[i] = LEADING
    /\ zabState[i] \in {SYNCHRONIZATION, BROADCAST}
    /\ LET ms == Received(msgs, j, i)
           recv == ackldRecv[i] \cup {j}
       IN  /\ ackldRecv' = [ackldRecv EXCEPT ![i] = recv]
           /\ IF zabState[i] = SYNCHRONIZATION /\ IsQuorum(recv)
              THEN LET txns == SubSeq(history[i], lastCommitted[i] + 1, Len(history[i]))
                       UpToDate(k) == <<[mtype |-> UPTODATE, mzxid |-> LastZxid(history[i])]>>
                   IN  /\ zabState' = [zabState EXCEPT ![i] = BROADCAST]
                       /\ acks' = [acks EXCEPT ![i] = [n \in 1..Len(history[i]) |-> {}]]
                       /\ lastCommitted' = [lastCommitted EXCEPT ![i] = Len(history[i])]
                       /\ established' = [established EXCEPT ![currentEpoch[i]] = @ \cup {i}]
                       /\ committedLog' = AppendFresh(committedLog, txns)
                       /\ msgs' = SentEach(ms, i, recv \cap learners[i], UpToDate)
              ELSE IF zabState[i] = SYNCHRONIZATION
              THEN /\ msgs' = ms
                   /\ UNCHANGED <<zabState, acks, lastCommitted, established, committedLog>>
              ELSE LET committedZxid == IF lastCommitted[i] = 0 THEN ZxidZero
                                        ELSE history[i][lastCommitted[i]].zxid
                   IN  /\ msgs' = Sent(ms, i, j, [mtype |-> UPTODATE, mzxid |-> committedZxid])
                       /\ UNCHANGED <<zabState, acks, lastCommitted, established, committedLog>>
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, state, electionVars, learnerVars,
                   learners, cepochRecv, maxAcceptedEpoch, ackeRecv, ackeZxid, synced,
                   proposed, counterVars>>

\* UPTODATE after the NEWLEADER steps: the learner delivers up to the zxid the leader
\* says is committed and serves clients.
FollowerProcessUPTODATE(i, j) ==
    /\ HasMessage(j, i, UPTODATE)
    /\ LearnerSyncing(i)
    /\ IsNewLeaderDone(i)
    /\ zabState' = [zabState EXCEPT ![i] = BROADCAST]
    /\ lastCommitted' = [lastCommitted EXCEPT ![i] = DeliveredUpTo(i, history[i], HeadOf(j, i).mzxid)]
    /\ msgs' = Received(msgs, j, i)
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, state, electionVars, learnerVars,
                   leaderVars, verifyVars, counterVars>>

-----------------------------------------------------------------------------
(* Broadcast.                                                              *)

\* Leader i commits, in zxid order, every txn whose acks form a quorum, given its log h,
\* its acks a and the channels ms: the commit messages go to every synced learner.
LeaderCommits(i, h, a, ms) ==
    LET k == CommitPoint(a, lastCommitted[i])
        txns == SubSeq(h, lastCommitted[i] + 1, k)
        Out(l) == CommitMessages(l, txns)
    IN  /\ acks' = [acks EXCEPT ![i] = [n \in DOMAIN a |->
                      IF lastCommitted[i] < n /\ n <= k THEN {} ELSE a[n]]]
        /\ lastCommitted' = [lastCommitted EXCEPT ![i] = k]
        /\ committedLog' = IF k = lastCommitted[i] THEN committedLog ELSE AppendFresh(committedLog, txns)
        /\ msgs' = IF k = lastCommitted[i] THEN ms ELSE SentEach(ms, i, synced[i], Out)

LeaderBroadcasting(i) == state[i] = LEADING /\ zabState[i] = BROADCAST

\* A leader is established once a quorum acked NEWLEADER, a learner among them (a lone voter is
\* established by a learner's ACKLD, not by its own count). That holds exactly in BROADCAST: the
\* ACKLD that completes a quorum moves the leader there. The chart guards LeaderProcessRequest by
\* it (isEstablished) in SYNCHRONIZATION and BROADCAST, so that a variant can let a leader propose
\* early; here, as in the chart, the SYNCHRONIZATION case is never enabled.
IsEstablished(i) == ackldRecv[i] # {i} /\ IsQuorum(ackldRecv[i])

\* A client request: the established leader proposes it with its next zxid, sends PROPOSAL
\* to its synced voters, and acks it itself.
LeaderProcessRequest(i) ==
    /\ state[i] = LEADING
    /\ zabState[i] \in {SYNCHRONIZATION, BROADCAST}
    /\ IsEstablished(i)
    /\ LET txn == [zxid |-> <<currentEpoch[i], LastCounterInEpoch(history[i], currentEpoch[i]) + 1>>,
                   value |-> nRequests + 1]
           Proposal(k) == <<[mtype |-> PROPOSAL, mtxn |-> txn]>>
       IN  /\ history' = [history EXCEPT ![i] = Append(@, txn)]
           /\ proposed' = Append(proposed, txn)
           /\ LeaderCommits(i, Append(history[i], txn), Append(acks[i], {i}), SentEach(msgs, i, synced[i] \cap Server, Proposal))
    /\ nRequests' = nRequests + 1
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, state, zabState, electionVars, learnerVars,
                   learners, cepochRecv, maxAcceptedEpoch, ackeRecv, ackeZxid, synced, ackldRecv,
                   established, nCrashes, nPartitions>>

LearnerReceiving(i, role) ==
    /\ state[i] = role
    /\ \/ zabState[i] = BROADCAST
       \/ zabState[i] = SYNCHRONIZATION /\ IsNewLeaderDone(i)

\* A follower logs the proposal, then ACKs it.
FollowerProcessPROPOSAL(i, j) ==
    /\ HasMessage(j, i, PROPOSAL)
    /\ LearnerReceiving(i, FOLLOWING)
    /\ LET m == HeadOf(j, i)
       IN  /\ history' = [history EXCEPT ![i] = Append(@, m.mtxn)]
           /\ msgs' = Sent(Received(msgs, j, i), i, j, [mtype |-> ACK, mzxid |-> m.mtxn.zxid])
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, state, zabState, lastCommitted, electionVars, learnerVars,
                   leaderVars, verifyVars, counterVars>>

\* Leader i counts j's ACK (of a txn not committed yet) and commits what it can.
LeaderProcessACK(i, j) ==
    /\ HasMessage(j, i, ACK)
    /\ LeaderBroadcasting(i)
    /\ LET m == HeadOf(j, i)
           h == history[i]
           ms == Received(msgs, j, i)
           found == \E n \in 1..Len(h) : h[n].zxid = m.mzxid
           index == CHOOSE n \in 1..Len(h) : h[n].zxid = m.mzxid /\ \A o \in 1..(n - 1) : h[o].zxid # m.mzxid
       IN  IF ~found \/ index <= lastCommitted[i]
           THEN /\ msgs' = ms
                /\ UNCHANGED <<acks, lastCommitted, committedLog>>
           ELSE LeaderCommits(i, h, [acks[i] EXCEPT ![index] = @ \cup ({j} \cap Server)], ms)
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, state, zabState, electionVars, learnerVars,
                   learners, cepochRecv, maxAcceptedEpoch, ackeRecv, ackeZxid, synced, ackldRecv,
                   proposed, established, counterVars>>

\* A follower delivers up to the committed zxid.
FollowerProcessCOMMIT(i, j) ==
    /\ HasMessage(j, i, COMMIT)
    /\ LearnerReceiving(i, FOLLOWING)
    /\ lastCommitted' = [lastCommitted EXCEPT ![i] = DeliveredUpTo(i, history[i], HeadOf(j, i).mzxid)]
    /\ msgs' = Received(msgs, j, i)
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, state, zabState, electionVars, learnerVars,
                   leaderVars, verifyVars, counterVars>>

\* An observer logs (if new) and delivers an INFORM at once; it never acks.
ObserverProcessINFORM(i, j) ==
    /\ HasMessage(j, i, INFORM)
    /\ LearnerReceiving(i, OBSERVING)
    /\ LET t == HeadOf(j, i).mtxn
           h == IF ZxidLt(LastZxid(history[i]), t.zxid) THEN Append(history[i], t) ELSE history[i]
       IN  /\ history' = [history EXCEPT ![i] = h]
           /\ lastCommitted' = [lastCommitted EXCEPT ![i] = DeliveredUpTo(i, h, t.zxid)]
    /\ msgs' = Received(msgs, j, i)
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, state, zabState, electionVars, learnerVars,
                   leaderVars, verifyVars, counterVars>>

-----------------------------------------------------------------------------
(* Environment.                                                            *)

\* A leader that no longer has a quorum of connected voters (syncLimit) steps down and
\* starts an election.
LeaderTimeout(i) ==
    /\ state[i] = LEADING
    /\ ~IsQuorum(learners[i] \cup {i})
    /\ LeaderLeavesLeading(i, msgs)
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted, verifyVars, counterVars>>

\* initLimit: a leader not yet established (DISCOVERY or SYNCHRONIZATION) may give up at any
\* time, as ZooKeeper's Leader.lead does when epoch or NEWLEADER acks do not come in time. It is
\* a connection fault: it spends the partition budget (nPartitions, bounded by MaxPartitions).
LeaderInitTimeout(i) ==
    /\ state[i] = LEADING
    /\ zabState[i] \in {DISCOVERY, SYNCHRONIZATION}
    /\ LeaderLeavesLeading(i, msgs)
    /\ nPartitions' = nPartitions + 1
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted, verifyVars, nRequests, nCrashes>>

\* A crash loses every volatile variable and every message to or from i; currentEpoch,
\* acceptedEpoch and the log survive. A learner's leader, or a leader's learners, are told
\* (the learners start elections; their notifications to i are lost).
Crash(i) ==
    /\ state[i] # DOWN
    /\ LET P == IF leader[i] # 0 THEN LeaveLeaderPairs(i)
                ELSE IF learners[i] # {} THEN LeaveLeadingPairs(i)
                ELSE {}
       IN  /\ state' = [StateAfter(P) EXCEPT ![i] = DOWN]
           /\ zabState' = [ZabStateAfter(P) EXCEPT ![i] = ELECTION]
           /\ lastCommitted' = [lastCommitted EXCEPT ![i] = 0]
           /\ round' = [RoundAfter(Leavers(P)) EXCEPT ![i] = 0]
           /\ vote' = [VoteAfter(Leavers(P)) EXCEPT ![i] = NoVote]
           /\ recvVotes' = [RecvVotesAfter(Leavers(P)) EXCEPT ![i] = NoVotes]
           /\ outOfElection' = [OutOfElectionAfter(Leavers(P)) EXCEPT ![i] = NoVotes]
           /\ reportedLeading' = [ReportedLeadingAfter(Leavers(P)) EXCEPT ![i] = {}]
           /\ leader' = [LeaderAfter(P) EXCEPT ![i] = 0]
           /\ pendingSync' = [PendingSyncAfter(P) EXCEPT ![i] = Null]
           /\ newLeaderEpoch' = [NewLeaderEpochAfter(P) EXCEPT ![i] = 0]
           /\ newLeaderStep' = [NewLeaderStepAfter(P) EXCEPT ![i] = 0]
           /\ learners' = [LearnersAfter(P) EXCEPT ![i] = {}]
           /\ synced' = [SyncedAfter(P) EXCEPT ![i] = {}]
           /\ cepochRecv' = [cepochRecv EXCEPT ![i] = {}]
           /\ maxAcceptedEpoch' = [maxAcceptedEpoch EXCEPT ![i] = 0]
           /\ ackeRecv' = [ackeRecv EXCEPT ![i] = {}]
           /\ ackeZxid' = [AckeZxidAfter(P) EXCEPT ![i] = NoAckeZxid]
           /\ ackldRecv' = [ackldRecv EXCEPT ![i] = {}]
           /\ acks' = [acks EXCEPT ![i] = <<>>]
           /\ msgs' = Notified(Cleared(msgs, i, Ensemble), Leavers(P), Down \cup {i})
    /\ nCrashes' = nCrashes + 1
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, verifyVars, nRequests, nPartitions>>

\* A crashed server comes back LOOKING, with its persistent state, and starts an election.
Restart(i) ==
    /\ state[i] = DOWN
    /\ state' = [state EXCEPT ![i] = LOOKING]
    /\ ElectionsStarted({i})
    /\ msgs' = Notified(msgs, {i}, Down \ {i})
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, zabState, lastCommitted, learnerVars,
                   leaderVars, verifyVars, counterVars>>

\* The connection between two live servers breaks (it exists if one is the other's
\* leader or a message is in flight): both channels are emptied and both sides are told.
Disconnect(i, j) ==
    /\ i < j
    /\ state[i] # DOWN
    /\ state[j] # DOWN
    /\ \/ leader[i] = j
       \/ leader[j] = i
       \/ msgs[i][j] # <<>>
       \/ msgs[j][i] # <<>>
    /\ Assert(~(leader[i] = j /\ leader[j] = i), "Disconnect: two servers follow each other")
    /\ LET P == {<<i, j>>, <<j, i>>}
       IN  /\ state' = StateAfter(P)
           /\ zabState' = ZabStateAfter(P)
           /\ leader' = LeaderAfter(P)
           /\ pendingSync' = PendingSyncAfter(P)
           /\ newLeaderEpoch' = NewLeaderEpochAfter(P)
           /\ newLeaderStep' = NewLeaderStepAfter(P)
           /\ learners' = LearnersAfter(P)
           /\ synced' = SyncedAfter(P)
           /\ ackeZxid' = AckeZxidAfter(P)
           /\ ElectionsStarted(Leavers(P))
           /\ msgs' = Notified(Cleared(msgs, i, {j}), Leavers(P), Down)
    /\ nPartitions' = nPartitions + 1
    /\ UNCHANGED <<currentEpoch, acceptedEpoch, history, lastCommitted,
                   cepochRecv, maxAcceptedEpoch, ackeRecv, ackldRecv, acks,
                   verifyVars, nRequests, nCrashes>>

-----------------------------------------------------------------------------
(* The next-state relation: one disjunct per action name.                  *)

Next ==
    \/ \E i \in Ensemble, Q \in SUBSET Server : ElectLeader(i, Q)
    \/ \E i, j \in Ensemble : JoinLeader(i, j)
    \/ \E i, j \in Ensemble : FLEReceiveNOTIFICATION(i, j)
    \/ \E i, j \in Ensemble : FLEReplyNOTIFICATION(i, j)
    \/ \E i \in Ensemble : FLEDecide(i)
    \/ \E i \in Ensemble : FLEFollowEstablished(i)
    \/ \E i, j \in Ensemble : RefuseCEPOCH(i, j)
    \/ \E i, j \in Ensemble : LeaderProcessCEPOCH(i, j)
    \/ \E i, j \in Ensemble : FollowerProcessNEWEPOCH(i, j)
    \/ \E i, j \in Ensemble : LeaderProcessACKEPOCH(i, j)
    \/ \E i, j \in Ensemble : FollowerProcessDIFF(i, j)
    \/ \E i, j \in Ensemble : FollowerProcessTRUNC(i, j)
    \/ \E i, j \in Ensemble : FollowerProcessSNAP(i, j)
    \/ \E i, j \in Ensemble : FollowerProcessNEWLEADER(i, j)
    \/ \E i \in Ensemble : FollowerPersistSyncedTxns(i)
    \/ \E i \in Ensemble : FollowerPersistCurrentEpoch(i)
    \/ \E i \in Ensemble : FollowerAckNEWLEADER(i)
    \/ \E i, j \in Ensemble : LeaderProcessACKLD(i, j)
    \/ \E i, j \in Ensemble : FollowerProcessUPTODATE(i, j)
    \/ \E i \in Ensemble : LeaderProcessRequest(i)
    \/ \E i, j \in Ensemble : FollowerProcessPROPOSAL(i, j)
    \/ \E i, j \in Ensemble : LeaderProcessACK(i, j)
    \/ \E i, j \in Ensemble : FollowerProcessCOMMIT(i, j)
    \/ \E i, j \in Ensemble : ObserverProcessINFORM(i, j)
    \/ \E i \in Ensemble : LeaderTimeout(i)
    \/ \E i \in Ensemble : LeaderInitTimeout(i)
    \/ \E i \in Ensemble : Crash(i)
    \/ \E i \in Ensemble : Restart(i)
    \/ \E i, j \in Ensemble : Disconnect(i, j)

Spec == Init /\ [][Next]_vars

\* The bounds. TLC neither counts nor explores a state outside them, as the explorer drops
\* such successors (Model.withinBounds).
StateConstraint ==
    /\ nRequests <= MaxTxns
    /\ nCrashes <= MaxCrashes
    /\ nPartitions <= MaxPartitions
    /\ \A i \in Ensemble : acceptedEpoch[i] <= MaxEpoch /\ round[i] <= MaxRounds

-----------------------------------------------------------------------------
(* Properties.  D(i) is what server i has delivered.                       *)

D(i) == SubSeq(history[i], 1, lastCommitted[i])

\* The index of the first occurrence of txn t in sequence s (t must occur in s).
IndexOf(s, t) == CHOOSE n \in DOMAIN s : s[n] = t /\ \A o \in 1..(n - 1) : s[o] # t

IsEstablishing(i) == state[i] = LEADING /\ zabState[i] \in {SYNCHRONIZATION, BROADCAST}

TypeOK ==
    /\ state \in [Ensemble -> {DOWN, LOOKING, FOLLOWING, LEADING, OBSERVING}]
    /\ zabState \in [Ensemble -> {ELECTION, DISCOVERY, SYNCHRONIZATION, BROADCAST}]
    /\ \A i \in Ensemble : (state[i] \in {DOWN, LOOKING}) <=> (zabState[i] = ELECTION)
    /\ currentEpoch \in [Ensemble -> Nat]
    /\ acceptedEpoch \in [Ensemble -> Nat]
    /\ lastCommitted \in [Ensemble -> Nat]
    /\ \A i \in Ensemble : lastCommitted[i] <= Len(history[i])
    /\ leader \in [Ensemble -> Ensemble \cup {0}]
    /\ learners \in [Ensemble -> SUBSET Ensemble]
    /\ synced \in [Ensemble -> SUBSET Ensemble]
    /\ round \in [Ensemble -> Nat]
    /\ reportedLeading \in [Ensemble -> SUBSET Ensemble]
    /\ \A i \in Ensemble : ElectionMode = "Oracle" \/ i \in Observer =>
          round[i] = 0 /\ vote[i] = NoVote /\ recvVotes[i] = NoVotes /\ outOfElection[i] = NoVotes
    /\ \A i \in Ensemble : state[i] = LEADING \/ Len(acks[i]) = 0
    /\ \A i \in Ensemble : state[i] = LEADING /\ zabState[i] = BROADCAST => Len(acks[i]) = Len(history[i])

\* Persistent epochs never decrease, crashes included, and currentEpoch <= acceptedEpoch.
EpochMonotonicity ==
    [][\A i \in Ensemble :
          /\ acceptedEpoch'[i] >= acceptedEpoch[i]
          /\ currentEpoch'[i] >= currentEpoch[i]
          /\ currentEpoch'[i] <= acceptedEpoch'[i]]_vars

\* Each history's zxids strictly increase, and a broadcasting leader's log holds no zxid of
\* an epoch above its own (so its next zxid exceeds its whole history).
ZxidMonotonicity ==
    \A i \in Ensemble :
        /\ \A m, n \in 1..Len(history[i]) : m < n => ZxidLt(history[i][m].zxid, history[i][n].zxid)
        /\ state[i] = LEADING /\ zabState[i] = BROADCAST => LastZxid(history[i])[1] <= currentEpoch[i]

\* At most one leader is established per epoch: in the ghost, and among the live leaders
\* in SYNCHRONIZATION or BROADCAST.
Leadership ==
    /\ \A e \in DOMAIN established : Cardinality(established[e]) <= 1
    /\ \A i, j \in Ensemble :
          IsEstablishing(i) /\ IsEstablishing(j) /\ currentEpoch[i] = currentEpoch[j] => i = j

\* Every delivered txn was proposed (same zxid and value).
Integrity ==
    \A i \in Ensemble : \A t \in Range(D(i)) : t \in Range(proposed)

\* If a is before b in D(i) and b is in D(j), then a is in D(j), before b.
TotalOrder ==
    \A i, j \in Ensemble :
        \A m, n \in 1..Len(D(i)) :
            m < n /\ D(i)[n] \in Range(D(j)) =>
                /\ D(i)[m] \in Range(D(j))
                /\ IndexOf(D(j), D(i)[m]) < IndexOf(D(j), D(i)[n])

\* For any a delivered by i and b delivered by j: j delivered a or i delivered b.
Agreement ==
    \A i, j \in Ensemble :
        \A a \in Range(D(i)), b \in Range(D(j)) : a \in Range(D(j)) \/ b \in Range(D(i))

\* If a leader proposed a before b in one epoch, whoever delivered b delivered a before it.
LocalPrimaryOrder ==
    \A m, n \in 1..Len(proposed) :
        m < n /\ proposed[m].zxid[1] = proposed[n].zxid[1] =>
            \A i \in Ensemble :
                proposed[n] \in Range(D(i)) =>
                    /\ proposed[m] \in Range(D(i))
                    /\ IndexOf(D(i), proposed[m]) < IndexOf(D(i), proposed[n])

\* Delivered txns of an older epoch come before those of a newer epoch.
GlobalPrimaryOrder ==
    \A i \in Ensemble :
        \A m, n \in 1..Len(D(i)) : D(i)[m].zxid[1] < D(i)[n].zxid[1] => m < n

\* A broadcasting leader of epoch e has delivered every txn of an epoch below e that any
\* server delivered.
PrimaryIntegrity ==
    \A i \in Ensemble :
        state[i] = LEADING /\ zabState[i] = BROADCAST =>
            \A j \in Ensemble : \A t \in Range(D(j)) :
                t.zxid[1] < currentEpoch[i] => t \in Range(D(i))

\* Any two servers' delivered sequences agree up to the shorter one.
PrefixConsistency ==
    \A i, j \in Ensemble :
        \A n \in 1..Min(Len(D(i)), Len(D(j))) : D(i)[n] = D(j)[n]

\* A txn committed by a quorum in an epoch up to e is in the log of every leader that
\* broadcasts in epoch e (leader log completeness).
CommittedNotLost ==
    \A i \in Ensemble :
        state[i] = LEADING /\ zabState[i] = BROADCAST =>
            \A t \in Range(committedLog) :
                t.zxid[1] <= currentEpoch[i] => t \in Range(history[i])

\* A proposal skipped by a later epoch (some server delivered a txn of a newer epoch
\* without it) is delivered by no server.
ProposedOnlyDiscarded ==
    \A i, j \in Ensemble :
        \A a \in Range(proposed), b \in Range(D(i)) :
            b.zxid[1] > a.zxid[1] /\ a \notin Range(D(i)) => a \notin Range(D(j))

=============================================================================
