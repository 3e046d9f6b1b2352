import type { Socket } from 'node:net';

/**
 * When a corked socket is flushed: at the end of the current turn (its microtasks included), or in
 * the check phase of the event loop, after every I/O callback of this iteration has run.
 */
export type FlushPoint = 'turn' | 'iteration';

/**
 * Writes through a cork, so that what is sent on a socket before the flush point leaves in one
 * writev instead of one system call per frame. Peer links flush per iteration: a leader's
 * PROPOSALs and COMMITs, and a learner's forwarded requests and ACKs, come from many callbacks of
 * one iteration. Client connections flush per turn: a client mostly waits for one reply at a time,
 * which should not wait for the rest of the iteration.
 */
export function writeCoalesced(socket: Socket, bytes: Uint8Array, flush: FlushPoint): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    if (flush === 'turn') process.nextTick(uncork, socket);
    else setImmediate(uncork, socket);
  }
  socket.write(bytes);
}

function uncork(socket: Socket): void {
  socket.uncork();
}

/** Hands what is corked to the kernel now: before a destroy, which would drop it. */
export function flushCoalesced(socket: Socket): void {
  while (socket.writableCorked > 0) socket.uncork();
}
