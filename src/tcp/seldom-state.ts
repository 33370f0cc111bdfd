import type { ChallengeLimit } from './acceptability.js';
import type { TcpErrorCode } from './events.js';
import type { TimeWait } from './time-wait.js';

/**
 * The start of the challenge-ACK window before the first one: far enough in the past that the first
 * challenge opens a window, and a small integer (not -Infinity), which V8 keeps in the object unboxed.
 */
const NO_CHALLENGE_YET = -0x40000000;

/**
 * What a connection needs only now and then, made on first need (Connection.seldom): most connections
 * never send a keepalive probe or a challenge ACK, get an ICMP soft error, see a retransmitted SYN or a
 * PAWS drop, or reach TIME_WAIT as a full TCB, and hold one pointer instead of these seven fields (56 B).
 * Every field starts as a connection without the record reads it (Connection's accessors).
 */
export class SeldomState implements ChallengeLimit {
  /** RFC 5961 §7 rate limit state (see acceptability.ts). */
  challengeWindowStart = NO_CHALLENGE_YET;
  challengeCount = 0;
  /** Keepalive probes sent and unanswered (RFC 1122 §4.2.3.6, as Linux). */
  keepProbes = 0;
  /** PAWS drops, for info(). */
  pawsDrops = 0;
  /** An ICMP soft error, reported instead of ETIMEDOUT (Linux sk_err_soft). */
  softError: TcpErrorCode | undefined = undefined;
  /** The last SYN-ACK that answered a retransmitted SYN. */
  synAckAnsweredAt: number | undefined = undefined;
  /** The compact record that does TIME_WAIT's work once the TCB is there (tcp/time-wait.ts). */
  tw: TimeWait | undefined = undefined;
}
