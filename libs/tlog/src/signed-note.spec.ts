import {
  AmbiguousKeyError,
  InvalidSignatureError,
  KeyFormatError,
  MalformedNoteError,
  TlogError,
  UnverifiedNoteError,
} from './errors.js';
import {
  C2SP_NOTE,
  C2SP_VKEY,
  ENOCH_B64,
  ENOCH_SIG,
  ENOCH_VKEY,
  GO_TEXT,
  PETER_B64,
  PETER_SIG,
  PETER_SKEY,
  PETER_VKEY,
} from './testing/go-vectors.fixture.js';
import { generateNoteKeyPair, parseSignerKey, parseVerifierKey } from './note-key-string.js';
import type { NoteSigner } from './note-key.js';
import { MAX_NOTE_SIGNATURES, openNote, signNote } from './signed-note.js';

const peterV = parseVerifierKey(PETER_VKEY);
const enochV = parseVerifierKey(ENOCH_VKEY);
const peterS = parseSignerKey(PETER_SKEY);
const peter = { name: 'PeterNeumann', keyId: 0xc74f20a3, base64: PETER_B64 };
const enoch = { name: 'EnochRoot', keyId: 0xaf0cfe78, base64: ENOCH_B64 };
const goNote = `${GO_TEXT}\n${PETER_SIG}`;

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('spec and Go vectors', () => {
  it('verifies the C2SP signed-note.md example with its published verifier key', () => {
    const n = openNote(C2SP_NOTE, [parseVerifierKey(C2SP_VKEY)]);
    expect(n.text).toBe('This is an example message.\n');
    expect(n.signatures).toEqual([
      { name: 'example.com/foo', keyId: 0x530d903a, base64: expect.stringMatching(/^Uw2QOk/) },
    ]);
    expect(n.unverified).toEqual([]);
  });

  it('reproduces the Go sumdb/note TestSign output byte for byte', () => {
    expect(signNote(GO_TEXT, [peterS])).toBe(goNote);
    expect(Buffer.from(signNote(GO_TEXT, [peterS]), 'utf8')).toEqual(Buffer.from(goNote, 'utf8'));
  });

  it('replaces an existing signature by the same key (Go TestSign)', () => {
    expect(signNote(GO_TEXT, [peterS], [{ ...peter, base64: 'BADSIGN=' }])).toBe(goNote);
  });

  it('opens Go TestOpen notes: one verified, one unknown', () => {
    const n = openNote(`${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [peterV]);
    expect(n.text).toBe(GO_TEXT);
    expect(n.signatures).toEqual([peter]);
    expect(n.unverified).toEqual([enoch]);
    expect(
      openNote(new TextEncoder().encode(`${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`), [peterV, enochV]).signatures,
    ).toEqual([peter, enoch]);
  });

  it('reports no verifiable signature with the unverified ones, but not the text', () => {
    const e = thrown(() => openNote(`${GO_TEXT}\n${PETER_SIG}${ENOCH_SIG}`, []));
    expect(e).toBeInstanceOf(UnverifiedNoteError);
    expect((e as UnverifiedNoteError).message).toBe('note has no verifiable signatures');
    expect((e as UnverifiedNoteError).unverified).toEqual([peter, enoch]);
  });

  it('handles duplicated verifiers and duplicated signature lines as Go does', () => {
    expect(() => openNote(`${GO_TEXT}\n${ENOCH_SIG}`, [enochV, peterV, enochV])).toThrow(
      new AmbiguousKeyError('EnochRoot', 0xaf0cfe78),
    );
    expect(() => openNote(`${GO_TEXT}\n${ENOCH_SIG}`, [enochV, peterV, enochV])).toThrow(
      'ambiguous key EnochRoot+af0cfe78',
    );
    expect(openNote(goNote, [enochV, peterV, enochV]).signatures).toEqual([peter]);

    const enochABCD = `${ENOCH_SIG.slice(0, 60)}ABCD${ENOCH_SIG.slice(60)}`;
    const n = openNote(`${GO_TEXT}\n${PETER_SIG}${PETER_SIG}${ENOCH_SIG}${ENOCH_SIG}${enochABCD}`, [peterV]);
    expect(n.signatures).toEqual([peter]);
    expect(n.unverified.map((s) => s.base64)).toEqual([ENOCH_B64, enochABCD.slice('\u2014 EnochRoot '.length, -1)]);
  });

  it('rejects an invalid signature from a known key (Go TestOpen)', () => {
    const bad = `${GO_TEXT}\n${PETER_SIG.slice(0, 60)}ABCD${PETER_SIG.slice(60)}`;
    expect(() => openNote(bad, [peterV])).toThrow(new InvalidSignatureError('PeterNeumann', 0xc74f20a3));
    expect(() => openNote(bad, [peterV])).toThrow('invalid signature for key PeterNeumann+c74f20a3');
  });
});

describe('signature limits', () => {
  it(`accepts ${MAX_NOTE_SIGNATURES} signature lines and rejects more`, () => {
    expect(openNote(`${GO_TEXT}\n${PETER_SIG.repeat(100)}`, [peterV]).signatures).toEqual([peter]);
    for (const verifiers of [[peterV], []]) {
      expect(() => openNote(`${GO_TEXT}\n${PETER_SIG.repeat(101)}`, verifiers)).toThrow(
        new MalformedNoteError('too many signatures (101, limit 100)'),
      );
    }
  });

  it('signs and verifies 16 distinct keys (the spec minimum)', () => {
    const keys = Array.from({ length: 16 }, (_, i) => generateNoteKeyPair(`w${i}.example`));
    const note = signNote(
      'cosigned\n',
      keys.map((k) => parseSignerKey(k.signerKey)),
    );
    const n = openNote(
      note,
      keys.map((k) => parseVerifierKey(k.verifierKey)),
    );
    expect(n.signatures.map((s) => s.name)).toEqual(keys.map((_, i) => `w${i}.example`));
  });
});

describe('malformed notes', () => {
  it.each([
    ['no separator (Go)', GO_TEXT, 'no blank line separating text from signatures'],
    ['no signatures (Go)', `${GO_TEXT}\n`, 'no signature lines after the blank line'],
    ['no final newline (Go)', `${GO_TEXT}\n${PETER_SIG.slice(0, -1)}`, 'note does not end with a newline'],
    ['control character (Go)', `\u0001${GO_TEXT}\n${PETER_SIG}`, 'note contains control character U+0001 on line 1'],
    [
      'carriage return',
      `${GO_TEXT}\n${PETER_SIG.slice(0, -1)}\r\n`,
      'note contains control character U+000D on line 4',
    ],
    [
      'bad name (Go)',
      `${GO_TEXT}\n\u2014 Bad Name ${PETER_B64}\n`,
      'line 4: signature is not canonical standard base64',
    ],
    [
      'unexpected line (Go)',
      `${goNote}Unexpected line.\n`,
      'line 5: signature line does not start with an em dash (U+2014) and a space',
    ],
    [
      'hyphen instead of em dash',
      `${GO_TEXT}\n- PeterNeumann ${PETER_B64}\n`,
      'line 4: signature line does not start with an em dash (U+2014) and a space',
    ],
    [
      'no space',
      `${GO_TEXT}\n\u2014 PeterNeumann\n`,
      'line 4: signature line has no space between key name and signature',
    ],
    ['empty name', `${GO_TEXT}\n\u2014  ${PETER_B64}\n`, 'line 4: key name is empty'],
    ['plus in name', `${GO_TEXT}\n\u2014 a+b ${PETER_B64}\n`, 'line 4: key name "a+b" contains \'+\''],
    ['empty signature', `${GO_TEXT}\n\u2014 PeterNeumann \n`, 'line 4: signature is not canonical standard base64'],
    [
      'padding bits',
      `${GO_TEXT}\n\u2014 PeterNeumann ${PETER_B64.slice(0, -2)}N=\n`,
      'line 4: signature is not canonical standard base64',
    ],
    [
      'short signature',
      `${GO_TEXT}\n\u2014 PeterNeumann AAAAAA==\n`,
      'line 4: signature is 4 bytes, want a 4-byte key ID and a signature',
    ],
  ])('%s', (_, note, reason) => {
    expect(() => openNote(note, [peterV])).toThrow(new MalformedNoteError(reason));
    expect(() => openNote(note, [peterV])).toThrow(`malformed note: ${reason}`);
  });

  it('rejects invalid UTF-8 bytes (Go) and lone surrogates', () => {
    const bytes = Buffer.concat([Buffer.from([0xff]), Buffer.from(goNote)]);
    expect(() => openNote(bytes, [peterV])).toThrow(new MalformedNoteError('note is not valid UTF-8'));
    expect(() => openNote(`\ud800${goNote}`, [peterV])).toThrow(new MalformedNoteError('note is not valid UTF-8'));
  });

  it('keeps blank lines inside the text: the last blank line splits', () => {
    const text = 'a\n\nb\n\n';
    const n = openNote(signNote(text, [peterS]), [peterV]);
    expect(n.text).toBe(text);
  });
});

describe('tampering', () => {
  it('fails on any changed byte of the text or the signature line', () => {
    const bytes = Buffer.from(goNote, 'utf8');
    for (let i = 0; i < bytes.length; i++) {
      for (const flip of [0x01, 0x20, 0x80]) {
        const bad = Buffer.from(bytes);
        bad[i]! ^= flip;
        expect(() => openNote(bad, [peterV])).toThrow(TlogError);
      }
    }
  });

  it('reports a changed text as an invalid signature', () => {
    const bad = goNote.replace('answer', 'Answer');
    expect(() => openNote(bad, [peterV])).toThrow(InvalidSignatureError);
  });

  it('ignores a signature under another key name or ID, then finds none valid', () => {
    const renamed = goNote.replace('\u2014 PeterNeumann', '\u2014 PeterNeumanx');
    const e = thrown(() => openNote(renamed, [peterV]));
    expect(e).toBeInstanceOf(UnverifiedNoteError);
    expect((e as UnverifiedNoteError).unverified).toEqual([{ ...peter, name: 'PeterNeumanx' }]);

    // Same name, other key: different key ID, so the signature is not even tried.
    const impostor = parseVerifierKey(generateNoteKeyPair('PeterNeumann').verifierKey);
    expect(impostor.keyId).not.toBe(peter.keyId);
    expect(() => openNote(goNote, [impostor])).toThrow(new UnverifiedNoteError([peter]));
  });
});

describe('signNote', () => {
  it('appends new signatures after kept ones (cosigning)', () => {
    const witness = parseSignerKey(generateNoteKeyPair('witness.example').signerKey);
    const opened = openNote(goNote, [peterV]);
    const cosigned = signNote(opened.text, [witness], opened.signatures);
    expect(cosigned.startsWith(goNote)).toBe(true);
    const n = openNote(cosigned, [peterV, parseVerifierKey(witness.verifierKey)]);
    expect(n.signatures.map((s) => s.name)).toEqual(['PeterNeumann', 'witness.example']);
  });

  it.each([
    ['abc', 'text does not end with a newline'],
    ['a\tb\n', 'text contains control character U+0009 on line 1'],
    ['ok\n\u0000\n', 'text contains control character U+0000 on line 2'],
    ['\udc00\n', 'text is not well-formed Unicode'],
  ])('rejects text %j', (text, reason) => {
    expect(() => signNote(text, [peterS])).toThrow(new MalformedNoteError(reason));
  });

  it('rejects bad signers and bad existing signatures', () => {
    const badName: NoteSigner = { name: 'bad name', keyId: 1, sign: () => new Uint8Array(64) };
    expect(() => signNote(GO_TEXT, [badName])).toThrow(
      new KeyFormatError('invalid signer: key name "bad name" contains whitespace'),
    );
    expect(() => signNote(GO_TEXT, [{ ...badName, name: 'x', keyId: 2 ** 32 }])).toThrow(
      'invalid signer: key ID 4294967296 is not a uint32',
    );
    expect(() => signNote(GO_TEXT, [peterS, peterS])).toThrow('invalid signer: PeterNeumann given twice');
    expect(() => signNote(GO_TEXT, [])).toThrow(new MalformedNoteError('a note needs at least one signature'));
    expect(() => signNote(GO_TEXT, [], [{ name: 'a+b', keyId: 0, base64: 'ABCD' }])).toThrow(
      'malformed note: existing signature: key name "a+b" contains \'+\'',
    );
    expect(() => signNote(GO_TEXT, [], [{ ...peter, base64: 'AAAAAAA=' }])).toThrow(
      'malformed note: existing signature for PeterNeumann does not carry its key ID',
    );
    expect(() => signNote(GO_TEXT, [], [{ ...peter, base64: 'AAAA' }])).toThrow(
      'malformed note: existing signature for PeterNeumann is not base64 of key ID || signature',
    );
  });
});
