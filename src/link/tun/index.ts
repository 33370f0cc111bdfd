/** Linux TUN devices: the only part of synack that knows /dev/net/tun. */
export { TunLink, type TunOptions, type TunStats } from './tun-link.js';
export { TUN_PATH, addAddress, getMtu, getTxQueueLen, isUp, openTun, runIp, setMtu, setOffload, setTxQueueLen, setUp } from './device.js';
