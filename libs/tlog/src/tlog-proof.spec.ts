import { hashLeaf } from '#evx/merkle';
import { signCheckpoint } from './checkpoint.js';
import {
  CheckpointOriginError,
  InclusionProofError,
  InvalidSignatureError,
  MalformedNoteError,
  MalformedTlogProofError,
  UnverifiedNoteError,
} from './errors.js';
import { generateNoteKeyPair, parseSignerKey, parseVerifierKey } from './note-key-string.js';
import { inclusionPath, leafHash, treeHash } from './testing/rfc6962.fixture.js';
import { verifyTlogProof } from './tlog-proof-verify.js';
import { formatTlogProof, parseTlogProof } from './tlog-proof.js';

// C2SP tlog-proof.md example, verbatim. Its signatures are elided ("[...]")
// and its proof is illustrative, so it can only be parsed, not verified.
const SPEC_CHECKPOINT = `example.com/fancylog
109482
sFodV/vSp5O8n9a8QpW6PRY97tfOSW5bsc2Xl/EQi08=

\u2014 example.com/fancylog hI2DJw[...]1roloI=
\u2014 witness1.example mJirIklj[...]qY9v2B/5bg==
\u2014 witness2.example TnKKVHLX[...]xwYwrSjgow==
\u2014 witness3.example S4X82uH5[...]3oEcROGLFQ==
`;
const SPEC_HASHES = [
  'gSKyXoYZUgZ6jduWYrkDOARinOMGJveXjgMkBTcdPlQ=',
  'B95lDa8R83lS8n0eG+o0buTxRKQTYFi//1U8anccXmA=',
  'EKNzoDWG8LGC0Yp9o+sv3qllpMP9uHQ9B20KNL+Q1zs=',
  'RoopEkOdqkYqMB4MJXrbt/hMjOxsVn0IrWjpz1ZMMes=',
  'AHCioX9nLjsrse6YhjRRmk1WUEirVOLLRoOQ6vfO5vk=',
];
const SPEC_EXTRA = 'YWdlLXYxLjIuMS1kYXJ3aW4tYXJtNjQudGFyLmd6kYXJ3aW4tYXJ';
const SPEC_PROOF = `c2sp.org/tlog-proof@v1
extra ${SPEC_EXTRA}
index 73894
${SPEC_HASHES.join('\n')}

${SPEC_CHECKPOINT}`;

const ORIGIN = 'evx.example/log';
const keys = generateNoteKeyPair(ORIGIN);
const signer = parseSignerKey(keys.signerKey);
const verifier = parseVerifierKey(keys.verifierKey);
const enc = new TextEncoder();

// A 13-leaf log (not a power of two, so proofs have uneven paths).
const entries = Array.from({ length: 13 }, (_, i) => enc.encode(`evidence record ${i}`));
const leaves = entries.map(leafHash);
const checkpoint = signCheckpoint({ origin: ORIGIN, size: leaves.length, rootHash: treeHash(leaves) }, [signer]);
const proofFor = (index: number, extra?: Uint8Array): string =>
  formatTlogProof({ index, proof: inclusionPath(index, leaves), checkpoint, ...(extra ? { extra } : {}) });

describe('tlog-proof format', () => {
  it('parses the tlog-proof.md example and re-formats it byte for byte', () => {
    const p = parseTlogProof(SPEC_PROOF);
    expect(Buffer.from(p.extra!).toString('latin1').startsWith('age-v1.2.1-darwin-arm64.tar.gz')).toBe(true);
    expect(p.index).toBe(73894);
    expect(p.proof.map((h) => Buffer.from(h).toString('base64'))).toEqual(SPEC_HASHES);
    expect(p.checkpoint).toBe(SPEC_CHECKPOINT);
    expect(formatTlogProof(p)).toBe(SPEC_PROOF);
  });

  it('does not accept the example checkpoint, whose signatures are elided', () => {
    expect(() => verifyTlogProof(SPEC_PROOF, new Uint8Array(32), verifier, 'example.com/fancylog')).toThrow(
      new MalformedNoteError('line 5: signature is not canonical standard base64'),
    );
  });

  it('round-trips without extra, with empty extra and with no proof hashes', () => {
    const base = { index: 0, proof: [], checkpoint: 'cp\n' };
    expect(formatTlogProof(base)).toBe('c2sp.org/tlog-proof@v1\nindex 0\n\ncp\n');
    expect(parseTlogProof('c2sp.org/tlog-proof@v1\nindex 0\n\ncp\n')).toEqual(base);
    const withEmpty = { ...base, extra: new Uint8Array(0) };
    expect(formatTlogProof(withEmpty)).toBe('c2sp.org/tlog-proof@v1\nextra \nindex 0\n\ncp\n');
    expect(parseTlogProof(formatTlogProof(withEmpty))).toEqual(withEmpty);
    const real = proofFor(5, enc.encode('ctx'));
    expect(formatTlogProof(parseTlogProof(enc.encode(real)))).toBe(real);
  });

  const H = SPEC_HASHES[0]!;
  const head = 'c2sp.org/tlog-proof@v1';
  it.each([
    ['no blank line', `${head}\nindex 1\n${H}\n`, 'no blank line before the checkpoint'],
    ['no checkpoint', `${head}\nindex 1\n\n`, 'no checkpoint after the blank line'],
    [
      'wrong header',
      `c2sp.org/tlog-proof@v2\nindex 1\n\ncp\n`,
      'first line is "c2sp.org/tlog-proof@v2", want "c2sp.org/tlog-proof@v1"',
    ],
    ['missing header', `index 1\n\ncp\n`, 'first line is "index 1", want "c2sp.org/tlog-proof@v1"'],
    ['missing index', `${head}\n${H}\n\ncp\n`, `line 2: want "index <n>", found "${H}"`],
    ['only header', `${head}\n\ncp\n`, 'line 2: want "index <n>", found ""'],
    ['extra after index', `${head}\nindex 1\nextra AAAA\n\ncp\n`, 'line 3: proof hash is not base64 of 32 bytes'],
    ['bad extra', `${head}\nextra !!\nindex 1\n\ncp\n`, 'line 2: extra data is not canonical standard base64'],
    ['leading zero', `${head}\nindex 007\n\ncp\n`, 'line 2: index "007" is not a decimal number without leading zeros'],
    ['two spaces', `${head}\nindex  7\n\ncp\n`, 'line 2: index " 7" is not a decimal number without leading zeros'],
    [
      'huge index',
      `${head}\nindex 9007199254740992\n\ncp\n`,
      'line 2: index 9007199254740992 exceeds Number.MAX_SAFE_INTEGER (2^53-1)',
    ],
    [
      'short hash',
      `${head}\nindex 1\n${Buffer.alloc(31).toString('base64')}\n\ncp\n`,
      'line 3: proof hash is not base64 of 32 bytes',
    ],
    [
      'non-canonical hash',
      `${head}\nindex 1\n${H.slice(0, -2)}R=\n\ncp\n`,
      'line 3: proof hash is not base64 of 32 bytes',
    ],
    ['CRLF', `${head}\r\nindex 1\n\ncp\n`, 'line 1 contains a control character'],
    ['too many hashes', `${head}\nindex 1\n${`${H}\n`.repeat(65)}\ncp\n`, '65 proof hashes, limit 64'],
  ])('rejects %s', (_, text, reason) => {
    expect(() => parseTlogProof(text)).toThrow(new MalformedTlogProofError(reason));
    expect(() => parseTlogProof(text)).toThrow(`malformed tlog proof: ${reason}`);
  });

  it('rejects invalid UTF-8', () => {
    expect(() => parseTlogProof(Uint8Array.of(0xc3, 0x28))).toThrow(new MalformedTlogProofError('not valid UTF-8'));
  });

  it.each([
    [{ index: -1, proof: [], checkpoint: 'c\n' }, 'index -1 is not a non-negative safe integer'],
    [{ index: 0, proof: [new Uint8Array(31)], checkpoint: 'c\n' }, 'proof hash 1 is 31 bytes, want 32'],
    [{ index: 0, proof: [], checkpoint: 'c' }, 'checkpoint does not end with a newline'],
  ])('refuses to format %#', (p, reason) => {
    expect(() => formatTlogProof(p)).toThrow(new MalformedTlogProofError(reason));
  });
});

describe('verifyTlogProof', () => {
  it('verifies every leaf of a signed 13-leaf log', () => {
    for (let i = 0; i < leaves.length; i++) {
      const r = verifyTlogProof(proofFor(i), hashLeaf(entries[i]!), verifier, ORIGIN);
      expect(r.index).toBe(i);
      expect(r.checkpoint.size).toBe(13);
      expect(r.extra).toBeUndefined();
    }
  });

  it('returns the unauthenticated extra data and witness signatures', () => {
    const r = verifyTlogProof(proofFor(3, enc.encode('ctx')), leaves[3]!, verifier, ORIGIN);
    expect(new TextDecoder().decode(r.extra)).toBe('ctx');
    expect(r.note.signatures.map((s) => s.name)).toEqual([ORIGIN]);
  });

  it('rejects a wrong leaf, a wrong index, and a tampered proof hash', () => {
    expect(() => verifyTlogProof(proofFor(3), leaves[4]!, verifier, ORIGIN)).toThrow(InclusionProofError);
    const moved = proofFor(3).replace('index 3\n', 'index 2\n');
    expect(() => verifyTlogProof(moved, leaves[3]!, verifier, ORIGIN)).toThrow(/^inclusion proof failed: /);
    const p = parseTlogProof(proofFor(3));
    const tampered = p.proof.map((h) => Uint8Array.from(h));
    tampered[1]![0]! ^= 1;
    expect(() => verifyTlogProof(formatTlogProof({ ...p, proof: tampered }), leaves[3]!, verifier, ORIGIN)).toThrow(
      InclusionProofError,
    );
  });

  it('rejects a proof with a missing or extra hash', () => {
    const p = parseTlogProof(proofFor(6));
    for (const proof of [p.proof.slice(1), [...p.proof, p.proof[0]!]]) {
      expect(() => verifyTlogProof(formatTlogProof({ ...p, proof }), leaves[6]!, verifier, ORIGIN)).toThrow(
        InclusionProofError,
      );
    }
  });

  it('rejects an index beyond the tree and a malformed leaf hash', () => {
    const beyond = proofFor(3).replace('index 3\n', 'index 13\n');
    expect(() => verifyTlogProof(beyond, leaves[3]!, verifier, ORIGIN)).toThrow(
      new InclusionProofError('index 13 is not below tree size 13'),
    );
    expect(() => verifyTlogProof(proofFor(3), new Uint8Array(31), verifier, ORIGIN)).toThrow(
      new InclusionProofError('leaf hash is 31 bytes, want 32'),
    );
  });

  it('rejects the wrong origin, the wrong key, and a tampered checkpoint', () => {
    expect(() => verifyTlogProof(proofFor(1), leaves[1]!, verifier, 'evx.example/other')).toThrow(
      CheckpointOriginError,
    );
    const stranger = parseVerifierKey(generateNoteKeyPair(ORIGIN).verifierKey);
    expect(() => verifyTlogProof(proofFor(1), leaves[1]!, stranger, ORIGIN)).toThrow(UnverifiedNoteError);
    const bumped = proofFor(1).replace(`${ORIGIN}\n13\n`, `${ORIGIN}\n14\n`);
    expect(() => verifyTlogProof(bumped, leaves[1]!, verifier, ORIGIN)).toThrow(InvalidSignatureError);
  });
});
