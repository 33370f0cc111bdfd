/** Read the admin endpoint of a running `synack serve|connect|fetch --admin HOST:PORT` (for `ss` and `nstat`). */
import { request } from 'node:http';

/** GET `path` and parse the JSON body; rejects with a one-line reason. */
export function getAdminJson<T>(target: { host: string; port: number }, path: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const req = request({ host: target.host, port: target.port, path, timeout: 5000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => {
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        try {
          resolve(JSON.parse(body) as T);
        } catch {
          reject(new Error('the answer is not JSON (is that a synack admin endpoint?)'));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('no answer within 5 s')));
    req.on('error', reject);
    req.end();
  });
}
