import type { StackStats } from '../stack/stats.js';

const UNDO = ['TCPLossUndo', 'TCPFullUndo', 'TCPPartialUndo', 'TCPDSACKUndo'] as const;

/**
 * The ladder's note for a segment whose receiver, on taking it, reported a
 * duplicate by D-SACK (RFC 2883) or found a retransmission spurious and undid
 * its congestion response (src/tcp/undo.ts): read from the receiver's
 * counters before and after. `ecr` is the segment's TSecr, if any. Short: the ladder has
 * little room beside a segment's label.
 */
export function recoveryNote(before: StackStats, after: StackStats, ecr: number | undefined): string | undefined {
  const rose = (k: keyof StackStats): boolean => after[k] > before[k];
  const dsackRecv = rose('TCPDSACKRecv') || rose('TCPDSACKOfoRecv');
  const undo = UNDO.find(rose);
  if (undo !== undefined) {
    const what = undo === 'TCPLossUndo' ? 'RTO' : 'fast retransmit';
    const eifel = undo !== 'TCPDSACKUndo' && !dsackRecv && ecr !== undefined;
    return `spurious ${what} undone, by ${eifel ? 'Eifel' : 'D-SACK'}`;
  }
  if (rose('TCPDSACKOldSent') || rose('TCPDSACKOfoSent')) return 'duplicate → D-SACK';
  if (dsackRecv) return 'D-SACK';
  return undefined;
}
