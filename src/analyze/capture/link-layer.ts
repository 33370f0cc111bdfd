/**
 * From a captured frame to the IP packet inside it, by link type
 * (tcpdump.org/linktypes.html). Unknown link types and non-IP frames give
 * undefined; the caller counts them.
 */
import { LINKTYPE_IPV4, LINKTYPE_IPV6, LINKTYPE_RAW } from '../../link/pcap.js';

export const LINKTYPE_NULL = 0;
export const LINKTYPE_ETHERNET = 1;
/** DLT_RAW as some systems number it in files (12 on most BSDs, 14 on OpenBSD). */
const DLT_RAW_12 = 12;
const DLT_RAW_14 = 14;
export const LINKTYPE_LOOP = 108;
export const LINKTYPE_LINUX_SLL = 113;
export const LINKTYPE_LINUX_SLL2 = 276;

const ETH_IPV4 = 0x0800;
const ETH_IPV6 = 0x86dd;
const ETH_VLAN = 0x8100;
const ETH_QINQ = 0x88a8;
const ETH_QINQ_OLD = 0x9100;

export const SUPPORTED_LINKTYPES: ReadonlyMap<number, string> = new Map([
  [LINKTYPE_NULL, 'BSD loopback (NULL)'],
  [LINKTYPE_ETHERNET, 'Ethernet'],
  [DLT_RAW_12, 'raw IP'],
  [DLT_RAW_14, 'raw IP'],
  [LINKTYPE_RAW, 'raw IP'],
  [LINKTYPE_LOOP, 'OpenBSD loopback'],
  [LINKTYPE_LINUX_SLL, 'Linux cooked (SLL)'],
  [LINKTYPE_LINUX_SLL2, 'Linux cooked v2 (SLL2)'],
  [LINKTYPE_IPV4, 'raw IPv4'],
  [LINKTYPE_IPV6, 'raw IPv6'],
]);

/** Skip 802.1Q / 802.1ad tags starting with the EtherType at `at`; the IP payload or undefined. */
function afterEthertype(data: Uint8Array, at: number): Uint8Array | undefined {
  for (let tags = 0; tags < 4; tags++) {
    if (at + 2 > data.length) return undefined;
    const type = (data[at] << 8) | data[at + 1];
    if (type === ETH_IPV4 || type === ETH_IPV6) return data.subarray(at + 2);
    if (type !== ETH_VLAN && type !== ETH_QINQ && type !== ETH_QINQ_OLD) return undefined;
    at += 4; // TCI (2 bytes), then the inner EtherType
  }
  return undefined;
}

/** Bytes starting at an IPv4 or IPv6 header, checked by the version nibble. */
function ipAt(data: Uint8Array, at: number): Uint8Array | undefined {
  if (at >= data.length) return undefined;
  const v = data[at] >>> 4;
  return v === 4 || v === 6 ? data.subarray(at) : undefined;
}

/** The IP packet inside `data`, or undefined for a non-IP frame or an unsupported link type. */
export function ipPayload(linkType: number, data: Uint8Array): Uint8Array | undefined {
  switch (linkType) {
    case LINKTYPE_ETHERNET:
      return afterEthertype(data, 12);
    case LINKTYPE_LINUX_SLL:
      return afterEthertype(data, 14);
    case LINKTYPE_LINUX_SLL2: {
      // The protocol comes first and the 20-byte header ends before the packet.
      if (data.length < 20) return undefined;
      const type = (data[0] << 8) | data[1];
      return type === ETH_IPV4 || type === ETH_IPV6 ? data.subarray(20) : undefined;
    }
    case LINKTYPE_NULL:
    case LINKTYPE_LOOP:
      // A 4-byte address family (host order for NULL, network order for LOOP); the version nibble decides.
      return ipAt(data, 4);
    case LINKTYPE_RAW:
    case DLT_RAW_12:
    case DLT_RAW_14:
    case LINKTYPE_IPV4:
    case LINKTYPE_IPV6:
      return ipAt(data, 0);
    default:
      return undefined;
  }
}
