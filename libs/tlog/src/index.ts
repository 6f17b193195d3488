// Public surface of #evx/tlog: C2SP signed-note, tlog-checkpoint, tlog-proof.
export {
  TlogError,
  KeyFormatError,
  MalformedNoteError,
  InvalidSignatureError,
  AmbiguousKeyError,
  UnverifiedNoteError,
  MalformedCheckpointError,
  CheckpointOriginError,
  MalformedTlogProofError,
  InclusionProofError,
} from './errors.js';
export {
  SIG_TYPE_ED25519,
  isValidKeyName,
  noteKeyId,
  newEd25519Verifier,
  newEd25519Signer,
  type NoteVerifier,
  type NoteSigner,
  type Ed25519NoteVerifier,
  type Ed25519NoteSigner,
} from './note-key.js';
export {
  formatVerifierKey,
  formatSignerKey,
  parseVerifierKey,
  parseSignerKey,
  generateNoteKeyPair,
} from './note-key-string.js';
export { MAX_NOTE_SIGNATURES, signNote, openNote, type NoteSignature, type OpenedNote } from './signed-note.js';
export {
  ROOT_HASH_SIZE,
  formatCheckpoint,
  parseCheckpoint,
  signCheckpoint,
  openCheckpoint,
  type Checkpoint,
  type OpenedCheckpoint,
} from './checkpoint.js';
export { TLOG_PROOF_HEADER, MAX_PROOF_HASHES, formatTlogProof, parseTlogProof, type TlogProof } from './tlog-proof.js';
export { verifyTlogProof, type VerifiedTlogProof } from './tlog-proof-verify.js';
