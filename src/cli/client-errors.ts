/** One clear line for the network errors `synack connect` and `synack fetch` report. */

const MEANING: Record<string, string> = {
  ECONNREFUSED: 'connection refused (the peer answered the SYN with RST: nothing listens there)',
  ETIMEDOUT: 'connection timed out (no answer after every retransmission)',
  ECONNRESET: 'connection reset by peer (RST)',
  EPIPE: 'broken pipe (the peer closed while we were still sending)',
  ENETUNREACH: 'network unreachable (no interface reaches that address)',
  EADDRNOTAVAIL: 'address not available',
};

export function describeNetError(err: NodeJS.ErrnoException, target: string): string {
  const code = err.code;
  const meaning = code !== undefined ? MEANING[code] : undefined;
  return meaning !== undefined ? `${target}: ${meaning} [${code}]` : `${target}: ${err.message}`;
}
