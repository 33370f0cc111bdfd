# Creates TCP pathologies for `synack doctor` to find (run inside a throwaway network namespace).
# Prints one JSON line {"type":"ready",...} when everything is in place, then holds its sockets
# until stdin closes.
import json, socket, struct, sys, threading, time

held = []

def listener(addr, port, backlog=128):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((addr, port))
    s.listen(backlog)
    return s

# 1. A server that never closes accepted sockets: its peers close -> CLOSE_WAIT here, FIN_WAIT2 there.
never = listener('127.0.0.1', 9001)
for _ in range(20):
    c = socket.create_connection(('127.0.0.1', 9001))
    held.append(never.accept()[0])
    c.close()

# 2. Many short connections, the client closing first -> TIME_WAIT on the client's ephemeral ports.
short = listener('127.0.0.1', 9002)
def serve_short():
    for _ in range(200):
        s, _ = short.accept()
        s.recv(10)          # EOF once the client closed
        s.close()
t = threading.Thread(target=serve_short); t.start()
for _ in range(200):
    c = socket.create_connection(('127.0.0.1', 9002))
    c.close()
t.join()

# 3. A half-close never answered: the client shuts down its sending side and waits; the server never closes.
half = listener('127.0.0.1', 9003)
for _ in range(10):
    c = socket.create_connection(('127.0.0.1', 9003))
    c.shutdown(socket.SHUT_WR)
    held.append(c)
    held.append(half.accept()[0])

# 4. A SYN flood from spoofed sources (raw socket) against a listener with a tiny backlog.
def checksum(b):
    if len(b) % 2: b += b'\0'
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    while s >> 16: s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

flood = listener('10.99.0.1', 9004, backlog=4)
raw = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
dst = socket.inet_aton('10.99.0.1')
for i in range(40):
    src = socket.inet_aton('10.77.%d.%d' % (i // 200, i % 200 + 1))
    tcp = struct.pack('!HHIIBBHHH', 20000 + i, 9004, 1000 * i + 1, 0, 5 << 4, 0x02, 64240, 0, 0)
    tcp = tcp[:16] + struct.pack('!H', checksum(src + dst + struct.pack('!BBH', 0, 6, len(tcp)) + tcp)) + tcp[18:]
    ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(tcp), i, 0, 64, 6, 0, src, dst)
    raw.sendto(ip + tcp, ('10.99.0.1', 0))
time.sleep(0.2)

print(json.dumps({'type': 'ready'}), flush=True)
sys.stdin.read()
