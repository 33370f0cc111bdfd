/**
 * A kernel-TCP peer the interop tests drive step by step: a Python process in
 * the test's namespace holding one socket, told what to do through JSON lines
 * on stdin (connect, send, shutdown, receive, close) and answering with JSON
 * lines. Between steps the socket just sits there, so the test can look at
 * both ends' states with `ss` and synack's /connections. The process is
 * bounded by alarm(), its socket operations by timeouts, and it is killed by
 * PID with the namespace.
 */
import { JsonLines, type Netns } from '../fixtures/netns.js';

const CODE = String.raw`
import hashlib, json, os, signal, socket, sys
signal.alarm(120)
s = None
def say(**kw):
    print(json.dumps(kw), flush=True)
for line in sys.stdin:
    if not line.strip():
        continue
    cmd = json.loads(line)
    c = cmd["cmd"]
    try:
        if c == "connect":
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            if "rcvbuf" in cmd:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, cmd["rcvbuf"])
            s.settimeout(cmd.get("timeout", 10))
            s.connect((cmd["host"], cmd["port"]))
            say(type="connected", local="%s:%d" % s.getsockname())
        elif c == "send":
            data = os.urandom(cmd["n"])
            s.sendall(data)
            say(type="sent", n=len(data), sha256=hashlib.sha256(data).hexdigest())
        elif c == "shutdown":
            s.shutdown(socket.SHUT_WR)
            say(type="shut")
        elif c == "recv":
            # Read until EOF (or "n" bytes); report what came and whether EOF was seen.
            want = cmd.get("n")
            h = hashlib.sha256()
            got = 0
            eof = False
            while want is None or got < want:
                d = s.recv(65536 if want is None else min(65536, want - got))
                if not d:
                    eof = True
                    break
                h.update(d)
                got += len(d)
            say(type="received", n=got, sha256=h.hexdigest(), eof=eof)
        elif c == "close":
            s.close()
            say(type="closed")
        elif c == "exit":
            say(type="bye")
            break
    except OSError as e:
        say(type="oserror", cls=type(e).__name__, errno=e.errno, message=str(e))
`;

export class PyPeer {
  private readonly lines: JsonLines;

  constructor(ns: Netns) {
    const child = ns.spawn('python3', ['-u', '-c', CODE]);
    this.lines = new JsonLines(child);
  }

  /** Send one command and wait (bounded) for its answer; an OSError answer rejects unless `allowError`. */
  async do<T = Record<string, unknown>>(cmd: Record<string, unknown>, timeoutMs = 15_000, allowError = false): Promise<T> {
    this.lines.send(cmd);
    const m = await this.lines.next<Record<string, unknown>>(timeoutMs);
    if (m.type === 'oserror' && !allowError) throw new Error(`python ${String(cmd.cmd)}: ${String(m.cls)}: ${String(m.message)}`);
    return m as T;
  }
}
