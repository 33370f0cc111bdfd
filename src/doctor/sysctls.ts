/** The sysctls that decide what the TCP states cost (read from /proc/sys; per network namespace where the kernel makes them so). */
import { readFileSync } from 'node:fs';

export const SYSCTLS = [
  'net.ipv4.tcp_fin_timeout',
  'net.ipv4.tcp_tw_reuse',
  'net.ipv4.tcp_max_tw_buckets',
  'net.ipv4.tcp_max_syn_backlog',
  'net.core.somaxconn',
  'net.ipv4.tcp_syncookies',
  'net.ipv4.ip_local_port_range',
  'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
  'net.ipv4.tcp_synack_retries',
  'net.ipv4.tcp_syn_retries',
  'net.ipv4.tcp_rfc1337',
] as const;

/** Name → value as the file holds it (whitespace collapsed); missing ones are left out. */
export function readSysctls(root = '/proc/sys'): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of SYSCTLS) {
    try {
      out[name] = readFileSync(`${root}/${name.replaceAll('.', '/')}`, 'utf8').trim().split(/\s+/).join(' ');
    } catch {
      /* not on this kernel */
    }
  }
  return out;
}
