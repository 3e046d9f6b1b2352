import type { Socket } from 'node:net';

/**
 * Writes through a cork that opens in the check phase of the event loop, after every I/O callback
 * of this iteration (and its microtasks) has run: what they send on a socket (a leader's PROPOSALs
 * and COMMITs to a peer, a learner's forwarded requests and ACKs, the replies of a client's
 * pipelined requests) leaves in one writev instead of one system call per frame.
 */
export function writeCoalesced(socket: Socket, bytes: Uint8Array): void {
  if (socket.writableCorked === 0) {
    socket.cork();
    setImmediate(uncork, socket);
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
