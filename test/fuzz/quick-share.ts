/**
 * The fuzzer's quick share: 10^5 injected packets from a fixed campaign seed
 * over every state, zero faults allowed, every state reached. `npm test` runs
 * it (fuzz.test.ts); `npm run fuzz -- --quick-share` runs it alone and lists problems.
 */
import { runCampaign, type CampaignResult } from './campaign.js';

export const QUICK_SHARE = { packets: 100_000, seed: 0x5eed0010 };
export const STATES = ['LISTEN-empty', 'LISTEN-full', 'SYN_SENT', 'SYN_RCVD', 'ESTABLISHED', 'FIN_WAIT_1', 'FIN_WAIT_2', 'CLOSE_WAIT', 'CLOSING', 'LAST_ACK', 'TIME_WAIT', 'sliver', 'damaged', 'CLOSED-port'];

/** Problems with the quick share: faults, and states no packet reached. */
export function quickShare(): { result: CampaignResult; problems: string[] } {
  const result = runCampaign({ ...QUICK_SHARE, shrink: false });
  const problems = result.faults.map((f) => `seed ${f.seed}: ${f.fault.kind}: ${f.fault.message.split('\n')[0]}`);
  for (const s of STATES) if (!result.labels.get(s)) problems.push(`no packet reached ${s}`);
  return { result, problems };
}
