import { request } from 'node:https';
import type { KeyPair } from '#evx/transport';

export interface HttpsResult {
  status: number;
  body: unknown;
}

/**
 * One HTTPS request with an optional client certificate. Resolves with the status and parsed body, or rejects
 * with the socket error when the TLS handshake itself is refused.
 */
export function httpsGet(url: string, ca: string, client?: KeyPair): Promise<HttpsResult> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'GET', ca, cert: client?.certPem, key: client?.keyPem, agent: false, timeout: 10_000 },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body });
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
