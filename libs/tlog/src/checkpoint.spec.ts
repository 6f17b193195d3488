import { formatCheckpoint, openCheckpoint, parseCheckpoint, signCheckpoint, type Checkpoint } from './checkpoint.js';
import { CheckpointOriginError, MalformedCheckpointError, UnverifiedNoteError } from './errors.js';
import { generateNoteKeyPair, parseSignerKey, parseVerifierKey } from './note-key-string.js';
import { openNote, signNote } from './signed-note.js';

// C2SP tlog-checkpoint.md opening example. The spec publishes no verifier key
// for it, so only the body and the signature line's shape can be checked.
const SPEC_BODY = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SPEC_NOTE = `${SPEC_BODY}\n\u2014 example.com/behind-the-sofa Az3grlgtzPICa5OS8npVmf1Myq/5IZniMp+ZJurmRDeOoRDe4URYN7u5/Zhcyv2q1gGzGku9nTo+zyWE+xeMcTOAYQ8=\n`;

const ORIGIN = 'evx.example/log';
const logKey = generateNoteKeyPair(ORIGIN);
const logSigner = parseSignerKey(logKey.signerKey);
const logVerifier = parseVerifierKey(logKey.verifierKey);
const root = new Uint8Array(32).map((_, i) => i);
const cp: Checkpoint = { origin: ORIGIN, size: 42, rootHash: root };

describe('checkpoint body', () => {
  it('parses and re-formats the tlog-checkpoint.md example exactly', () => {
    const parsed = parseCheckpoint(SPEC_BODY);
    expect(parsed.origin).toBe('example.com/behind-the-sofa');
    expect(parsed.size).toBe(20852163);
    expect(Buffer.from(parsed.rootHash).toString('base64')).toBe('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=');
    expect(parsed.extensions).toEqual([]);
    expect(formatCheckpoint(parsed)).toBe(SPEC_BODY);
  });

  it('treats the example signature as a well-formed but unknown key', () => {
    const e = (() => {
      try {
        openCheckpoint(SPEC_NOTE, logVerifier, 'example.com/behind-the-sofa');
      } catch (err) {
        return err;
      }
      return undefined;
    })();
    expect(e).toBeInstanceOf(UnverifiedNoteError);
    expect((e as UnverifiedNoteError).unverified).toEqual([
      { name: 'example.com/behind-the-sofa', keyId: 0x033de0ae, base64: expect.stringMatching(/^Az3g/) },
    ]);
  });

  it('round-trips extension lines and the empty tree', () => {
    const withExt = { ...cp, extensions: ['— not a signature', 'x y z'] };
    const text = formatCheckpoint(withExt);
    expect(text).toBe(`${ORIGIN}\n42\n${Buffer.from(root).toString('base64')}\n— not a signature\nx y z\n`);
    expect(parseCheckpoint(text)).toEqual(withExt);
    expect(parseCheckpoint(formatCheckpoint({ ...cp, size: 0 })).size).toBe(0);
    const max = parseCheckpoint(formatCheckpoint({ ...cp, size: Number.MAX_SAFE_INTEGER }));
    expect(max.size).toBe(Number.MAX_SAFE_INTEGER);
  });

  const b64root = Buffer.from(root).toString('base64');
  it.each([
    ['no final newline', `o\n1\n${b64root}`, 'text does not end with a newline'],
    ['two lines', 'o\n1\n', 'want at least 3 lines (origin, size, root hash), found 2'],
    ['empty origin', `\n1\n${b64root}\n`, 'origin is empty'],
    ['leading zero', `o\n01\n${b64root}\n`, 'tree size "01" is not a decimal number without leading zeros'],
    ['double zero', `o\n00\n${b64root}\n`, 'tree size "00" is not a decimal number without leading zeros'],
    ['sign', `o\n+1\n${b64root}\n`, 'tree size "+1" is not a decimal number without leading zeros'],
    ['negative', `o\n-1\n${b64root}\n`, 'tree size "-1" is not a decimal number without leading zeros'],
    ['space', `o\n 1\n${b64root}\n`, 'tree size " 1" is not a decimal number without leading zeros'],
    ['hex', `o\n0x1\n${b64root}\n`, 'tree size "0x1" is not a decimal number without leading zeros'],
    ['empty size', `o\n\n${b64root}\n`, 'tree size "" is not a decimal number without leading zeros'],
    [
      '2^53',
      `o\n9007199254740992\n${b64root}\n`,
      'tree size 9007199254740992 exceeds Number.MAX_SAFE_INTEGER (2^53-1)',
    ],
    [
      'uint64 max',
      `o\n18446744073709551615\n${b64root}\n`,
      'tree size 18446744073709551615 exceeds Number.MAX_SAFE_INTEGER (2^53-1)',
    ],
    ['short root', `o\n1\n${Buffer.alloc(31).toString('base64')}\n`, 'root hash is 31 bytes, want 32'],
    ['unpadded root', `o\n1\n${b64root.slice(0, -1)}\n`, 'root hash is not canonical standard base64'],
    [
      'url-safe root',
      `o\n1\n${Buffer.alloc(32, 0xfb).toString('base64url')}=\n`,
      'root hash is not canonical standard base64',
    ],
    ['empty extension', `o\n1\n${b64root}\next\n\n`, 'extension line 2 is empty'],
    ['control char', `o\t\n1\n${b64root}\n`, 'origin contains a control character'],
  ])('rejects %s', (_, text, reason) => {
    expect(() => parseCheckpoint(text)).toThrow(new MalformedCheckpointError(reason));
    expect(() => parseCheckpoint(text)).toThrow(`malformed checkpoint: ${reason}`);
  });

  it.each([
    [{ ...cp, origin: '' }, 'origin is empty'],
    [{ ...cp, origin: 'a\nb' }, 'origin contains a newline'],
    [{ ...cp, size: -1 }, 'tree size -1 is not a non-negative safe integer'],
    [{ ...cp, size: 1.5 }, 'tree size 1.5 is not a non-negative safe integer'],
    [{ ...cp, size: 2 ** 53 }, 'tree size 9007199254740992 is not a non-negative safe integer'],
    [{ ...cp, rootHash: new Uint8Array(33) }, 'root hash is 33 bytes, want 32'],
    [{ ...cp, extensions: [''] }, 'extension line 1 is empty'],
    [{ ...cp, extensions: ['ok', 'a\nb'] }, 'extension line 2 contains a newline'],
  ])('refuses to format %#', (bad, reason) => {
    expect(() => formatCheckpoint(bad)).toThrow(new MalformedCheckpointError(reason));
  });
});

describe('signed checkpoints', () => {
  it('signs and opens, keeping cosignatures unverified', () => {
    const note = signCheckpoint(cp, [logSigner]);
    const witness = parseSignerKey(generateNoteKeyPair('witness.example').signerKey);
    const opened = openNote(note, [logVerifier]);
    const cosigned = signNote(opened.text, [witness], opened.signatures);
    const result = openCheckpoint(cosigned, logVerifier, ORIGIN);
    expect(result.checkpoint).toEqual({ ...cp, extensions: [] });
    expect(result.note.signatures.map((s) => s.name)).toEqual([ORIGIN]);
    expect(result.note.unverified.map((s) => s.name)).toEqual(['witness.example']);
  });

  it('rejects another origin, even when validly signed', () => {
    const note = signCheckpoint(cp, [logSigner]);
    expect(() => openCheckpoint(note, logVerifier, 'evx.example/other')).toThrow(
      new CheckpointOriginError(ORIGIN, 'evx.example/other'),
    );
    expect(() => openCheckpoint(note, logVerifier, 'evx.example/other')).toThrow(
      'checkpoint origin "evx.example/log" does not match expected "evx.example/other"',
    );
  });

  it('rejects a validly signed note that is not a checkpoint', () => {
    const note = signNote('hello\n', [logSigner]);
    expect(() => openCheckpoint(note, logVerifier, ORIGIN)).toThrow(
      new MalformedCheckpointError('want at least 3 lines (origin, size, root hash), found 1'),
    );
  });

  it('rejects a checkpoint signed by another key of the same name', () => {
    const other = parseSignerKey(generateNoteKeyPair(ORIGIN).signerKey);
    expect(() => openCheckpoint(signCheckpoint(cp, [other]), logVerifier, ORIGIN)).toThrow(UnverifiedNoteError);
  });
});
