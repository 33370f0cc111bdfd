/**
 * /proc/net/snmp and /proc/net/netstat: pairs of lines, a header of names and
 * a line of values, each starting with the group ("Tcp:", "TcpExt:"). Keys
 * come out as nstat spells them: TcpRetransSegs, TcpExtListenOverflows.
 */
export function parseProcCounters(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i++) {
    const head = lines[i].split(/\s+/);
    const vals = lines[i + 1].split(/\s+/);
    if (head[0] === '' || head[0] !== vals[0] || !head[0].endsWith(':')) continue;
    if (!vals.slice(1).every((v) => /^-?\d+$/.test(v) || v === '')) continue;
    const group = head[0].slice(0, -1);
    for (let k = 1; k < head.length && k < vals.length; k++) {
      if (head[k] === '' || vals[k] === '') continue;
      out[`${group}${head[k]}`] = Number(vals[k]);
    }
    i++;
  }
  return out;
}
