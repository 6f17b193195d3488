// Offline inclusion proofs (C2SP tlog-proof): header, optional `extra`,
// `index N`, base64 proof hashes, a blank line, then the signed checkpoint
// verbatim. Parsing here never trusts anything; see tlog-proof-verify.ts.
import { decodeBase64, decodeUtf8, encodeBase64, findControlChar, isSafeCount, parseDecimal } from './encoding.js';
import { MalformedTlogProofError } from './errors.js';

export const TLOG_PROOF_HEADER = 'c2sp.org/tlog-proof@v1';
export const PROOF_HASH_SIZE = 32;
/** An RFC 6962 inclusion proof in a tree below 2^64 leaves has at most 64 hashes. */
export const MAX_PROOF_HASHES = 64;

export interface TlogProof {
  /** Opaque, unauthenticated application data; absent means no `extra` line. */
  readonly extra?: Uint8Array;
  readonly index: number;
  /** Sibling hashes from the leaf's sibling up to the root's child. */
  readonly proof: readonly Uint8Array[];
  /** The signed checkpoint note, verbatim and not yet verified. */
  readonly checkpoint: string;
}

function fail(reason: string): never {
  throw new MalformedTlogProofError(reason);
}

// Echoes attacker-controlled input in messages, so keep it short.
function quote(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 60)}...` : text);
}

export function formatTlogProof(p: TlogProof): string {
  if (!isSafeCount(p.index)) fail(`index ${p.index} is not a non-negative safe integer`);
  if (p.proof.length > MAX_PROOF_HASHES) fail(`${p.proof.length} proof hashes, limit ${MAX_PROOF_HASHES}`);
  p.proof.forEach((h, i) => {
    if (h.length !== PROOF_HASH_SIZE) fail(`proof hash ${i + 1} is ${h.length} bytes, want ${PROOF_HASH_SIZE}`);
  });
  if (!p.checkpoint.endsWith('\n')) fail('checkpoint does not end with a newline');
  const lines = [TLOG_PROOF_HEADER];
  if (p.extra !== undefined) lines.push(`extra ${encodeBase64(p.extra)}`);
  lines.push(`index ${p.index}`, ...p.proof.map(encodeBase64));
  return `${lines.join('\n')}\n\n${p.checkpoint}`;
}

export function parseTlogProof(input: string | Uint8Array): TlogProof {
  const text = decodeUtf8(input);
  if (text === undefined) fail('not valid UTF-8');
  // Lines before the checkpoint are never empty, so the first blank line ends them.
  const split = text.indexOf('\n\n');
  if (split < 0) fail('no blank line before the checkpoint');
  const checkpoint = text.slice(split + 2);
  if (checkpoint === '') fail('no checkpoint after the blank line');
  const lines = text.slice(0, split).split('\n');
  lines.forEach((line, i) => {
    if (findControlChar(line) >= 0) fail(`line ${i + 1} contains a control character`);
  });

  if (lines[0] !== TLOG_PROOF_HEADER) fail(`first line is ${quote(lines[0] ?? '')}, want ${quote(TLOG_PROOF_HEADER)}`);
  let at = 1;
  let extra: Uint8Array | undefined;
  const extraLine = lines[at];
  if (extraLine?.startsWith('extra ')) {
    extra = decodeBase64(extraLine.slice('extra '.length));
    if (extra === undefined) fail(`line ${at + 1}: extra data is not canonical standard base64`);
    at++;
  }
  const indexLine = lines[at];
  if (indexLine === undefined || !indexLine.startsWith('index ')) {
    fail(`line ${at + 1}: want "index <n>", found ${quote(indexLine ?? '')}`);
  }
  const index = parseDecimal(indexLine.slice('index '.length), 'index');
  if (typeof index === 'string') fail(`line ${at + 1}: ${index}`);
  at++;

  const hashLines = lines.slice(at);
  if (hashLines.length > MAX_PROOF_HASHES) fail(`${hashLines.length} proof hashes, limit ${MAX_PROOF_HASHES}`);
  const proof = hashLines.map((line, i) => {
    const hash = decodeBase64(line);
    if (hash === undefined || hash.length !== PROOF_HASH_SIZE) {
      fail(`line ${at + i + 1}: proof hash is not base64 of ${PROOF_HASH_SIZE} bytes`);
    }
    return hash;
  });
  return extra === undefined ? { index, proof, checkpoint } : { extra, index, proof, checkpoint };
}
