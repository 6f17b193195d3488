// The public surface resolves through the package alias other folders use.
import * as tlog from '#evx/tlog';

describe('#evx/tlog', () => {
  it('exposes the three formats end to end', () => {
    const { signerKey, verifierKey } = tlog.generateNoteKeyPair('evx.example/log');
    const root = new Uint8Array(32);
    const note = tlog.signCheckpoint({ origin: 'evx.example/log', size: 1, rootHash: root }, [
      tlog.parseSignerKey(signerKey),
    ]);
    const proof = tlog.formatTlogProof({ index: 0, proof: [], checkpoint: note });
    // A one-leaf tree's root is the leaf hash itself.
    const r = tlog.verifyTlogProof(proof, root, tlog.parseVerifierKey(verifierKey), 'evx.example/log');
    expect(r.checkpoint.size).toBe(1);
    expect(new tlog.MalformedNoteError('x')).toBeInstanceOf(tlog.TlogError);
  });
});
