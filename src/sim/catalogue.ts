import type { Scenario } from './scenario.js';
import { acceptQueueOverflow, connectTimeout, handshake, rstInSynRcvd, simultaneousOpen, synToClosedPort } from './scenarios/opening.js';
import { activeClose, closeWaitLeak, finAckCombined, finWait2Timeout, halfClose, lostFinalAck, passiveClose, simultaneousClose, timeWaitExpiry, timeWaitReuse } from './scenarios/closing.js';
import { blindRst, closeWithUnreadData, rstAbort, rstOnDataAfterClose, synFlood } from './scenarios/resets.js';
import { keepaliveTimeout, lossyTransfer, zeroWindow } from './scenarios/data.js';
import { tailLossProbe } from './scenarios/tail-loss-probe.js';
import { spuriousRtoUndo } from './scenarios/spurious-rto-undo.js';
import { pmtuBlackHole, pmtuBlackHoleIcmp } from './scenarios/pmtu.js';
import { windowAutotuning } from './scenarios/window-autotuning.js';
import { ecnCongestion } from './scenarios/ecn-congestion.js';

/** Every scenario, in the order the seed articles tell the story. */
export const SCENARIOS: readonly Scenario[] = [
  handshake,
  simultaneousOpen,
  synToClosedPort,
  rstInSynRcvd,
  connectTimeout,
  acceptQueueOverflow,
  activeClose,
  passiveClose,
  halfClose,
  finAckCombined,
  simultaneousClose,
  timeWaitExpiry,
  timeWaitReuse,
  lostFinalAck,
  finWait2Timeout,
  closeWaitLeak,
  closeWithUnreadData,
  rstOnDataAfterClose,
  rstAbort,
  blindRst,
  synFlood,
  zeroWindow,
  keepaliveTimeout,
  lossyTransfer,
  tailLossProbe,
  spuriousRtoUndo,
  pmtuBlackHole,
  pmtuBlackHoleIcmp,
  windowAutotuning,
  ecnCongestion,
];

export function findScenario(name: string): Scenario | undefined {
  return SCENARIOS.find((s) => s.name === name);
}
