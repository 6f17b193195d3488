import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { hashChildren, hashLeaf, InMemoryTree } from '#evx/merkle';
import { hex, sha256Hex } from './canonical.util.js';
import { encodeOrigin, packageCommitmentLeaf } from './package-statements.codec.js';
import { RecordAccumulator, recordHash } from './record.accumulator.js';
import { encodeRecordMetadata } from './record-metadata.codec.js';

// The worked example of docs/package-format.md §13, pinned: the implementation and the page must agree.
const DOC = readFileSync(resolve(process.cwd(), 'docs/package-format.md'), 'utf8');

const PAYLOADS = [
  '{"msisdn":"+15550100","name":"A. Example","since":"2019-03-01"}',
  'caller,callee,start,seconds\n+15550100,+15550199,2026-11-19T21:04:00Z,42\n',
  'cell,lat,lon,at\n262-01-4711-0815,52.5200,13.4050,2026-11-19T21:04:05Z\n',
];
const META = [
  ['REQUEST_TYPE_SUBSCRIBER_DATA', 'application/json', '2026-11-19T00:00:00.000Z'],
  ['REQUEST_TYPE_TRAFFIC_DATA', 'text/csv', '2026-11-19T21:04:00.000Z'],
  ['REQUEST_TYPE_LOCATION_DATA', 'text/csv', '2026-11-19T21:04:05.000Z'],
] as const;
const EXPECTED = [
  {
    payloadSha256: 'ab327abc1ca6c9c47dced32f6f0fbea45b8482e1e4e6ab932f30705712ea608d',
    recordHash: '994d11b8be4eee20d5aed29c880d1e59445036a957cdd6397be5507bb7e8cf08',
    leafHash: 'f9879bba72796e053a4f62842bc1e5f42cc4e09e657a75d28995ecf2aa56089c',
    chain: 'a03ef34a8131da85ad9b7e7552cce2db21ffac0470f33631eacd9eb5b1c958e0',
  },
  {
    payloadSha256: '86e2fdf705bbe25c6b86725541187e1f38e0c5cf45a3ee6e8b0ea4ae8e730517',
    recordHash: 'c74f44c74d3f16c217639b5da4bcd086492450084f9c2bc5f44df09da73ada13',
    leafHash: '79b8cf1eb62a72f233c0c4698142c78e88c25ba1edcb195034cd2d2bf576f390',
    chain: 'b1a0e4c1be98f0115184abfa6edf071d6ebabc1fe291c98897cddfac86772335',
  },
  {
    payloadSha256: 'ff03499600f87f5be375adac9827e27ab27644c187b01233ebeae76315241b1c',
    recordHash: '4783e70d24371b44c1410f0f7ea8eae95c3531885fcc505de8c427a7c5fc3f7f',
    leafHash: '943e93f9f925a49f619540db9465289c875ebe316ea9ba99d364e375334868ad',
    chain: 'ad6bb6602287456e5af82d70b8dbd235cb5b42ed0c146e60b151159f2d72a3f7',
  },
];
const NODE_01 = 'e8dab025eb1b80ff8b07694e5670906fd64aaa2ec8123703bad5f783a85288e4';
const ROOT = '11915bf78c0ee9e8bdf92821a0e93015c203b901c6ee66b301703933d744bcbd';
const IDS = {
  packageId: '5d0c1f38-3a52-4d0f-9a55-0b7f4c1e2a10',
  authorisationId: '0b9e2a4c-7d1f-4e3a-8c55-2f6d9b1a7e30',
  taskId: '8f3a6c2e-1b4d-4a7e-9f10-3c5e7a9b1d20',
  uploadId: 'c47e1a2b-9d3f-4b6a-8e21-5a7c9e1b3d40',
};
const ORIGIN_SHA256 = '72e61ea1c6ac609a147194f09e77b5acb49388b3f59c10030f1e375cb36d8960';
const COMMITMENT_LEAF_HASH = '0071c56e843650603eec7e08d14497cca573a0398e9297a9924c6ef7d6f17e93';

function records(): Uint8Array[] {
  return PAYLOADS.map((payload, i) => {
    const [requestType, contentType, recordTime] = META[i] as (typeof META)[number];
    return encodeRecordMetadata({
      sequenceNumber: i + 1,
      requestType,
      selectorId: 's1',
      recordTime,
      contentType,
      payloadSize: Buffer.byteLength(payload),
      payloadSha256: sha256Hex(Buffer.from(payload)),
    });
  });
}

/** A literal from the page: one line of a fenced block. */
function docLiteral(startsWith: string): string {
  const line = DOC.split('\n').find((l) => l.startsWith(startsWith));
  if (line === undefined) throw new Error(`docs/package-format.md has no line starting with ${startsWith}`);
  return line;
}

describe('docs/package-format.md §13 worked example', () => {
  it('record 1 metadata is byte for byte the document on the page', () => {
    expect(Buffer.from(records()[0] as Uint8Array).toString()).toBe(docLiteral('{"contentType":"application/json"'));
  });

  it.each([0, 1, 2])('record %i: payload hash, record hash, leaf hash and chain value', (i) => {
    const expected = EXPECTED[i] as (typeof EXPECTED)[number];
    const accumulator = new RecordAccumulator();
    let chain = '';
    for (const record of records().slice(0, i + 1)) chain = hex(accumulator.add(record));
    const record = records()[i] as Uint8Array;
    expect(sha256Hex(Buffer.from(PAYLOADS[i] as string))).toBe(expected.payloadSha256);
    expect(hex(recordHash(record))).toBe(expected.recordHash);
    expect(hex(hashLeaf(record))).toBe(expected.leafHash);
    expect(chain).toBe(expected.chain);
    for (const value of Object.values(expected)) expect(DOC).toContain(value);
  });

  it('Merkle root, interior node and the inclusion proof of record 2', () => {
    const accumulator = new RecordAccumulator();
    for (const record of records()) accumulator.add(record);
    const leaves = records().map(hashLeaf);
    expect(hex(hashChildren(leaves[0] as Uint8Array, leaves[1] as Uint8Array))).toBe(NODE_01);
    expect(hex(accumulator.merkleRoot)).toBe(ROOT);
    const proof = InMemoryTree.fromLeaves(records()).inclusionProof(1, 3).map(hex);
    expect(DOC).toContain(JSON.stringify(proof));
    for (const value of [NODE_01, ROOT]) expect(DOC).toContain(value);
  });

  it('origin statement and package commitment leaf', () => {
    const origin = encodeOrigin({
      authorisationId: IDS.authorisationId,
      requestSha256: sha256Hex(Buffer.from('example request')),
      taskId: IDS.taskId,
      uploadId: IDS.uploadId,
      providerId: 'telco-a',
      adapterUri: 'evx://provider/telco-a/adapter/main',
      recordCount: 3,
      chainHead: EXPECTED[2]?.chain ?? '',
      merkleRoot: ROOT,
      signedAt: '2026-11-20T09:00:00.000Z',
    });
    expect(Buffer.from(origin).toString()).toBe(docLiteral('{"adapterUri":'));
    expect(sha256Hex(origin)).toBe(ORIGIN_SHA256);
    const leaf = packageCommitmentLeaf({
      packageId: IDS.packageId,
      authorisationId: IDS.authorisationId,
      taskId: IDS.taskId,
      providerId: 'telco-a',
      recordCount: 3,
      chainHead: EXPECTED[2]?.chain ?? '',
      merkleRoot: ROOT,
      originSha256: ORIGIN_SHA256,
      originSignatureSha256: '1'.repeat(64),
      custodySha256: '2'.repeat(64),
      custodySignatureSha256: '3'.repeat(64),
    });
    expect(Buffer.from(leaf).toString()).toBe(
      docLiteral('{"authorisationId":"0b9e2a4c-7d1f-4e3a-8c55-2f6d9b1a7e30","chainHead"'),
    );
    expect(hex(hashLeaf(leaf))).toBe(COMMITMENT_LEAF_HASH);
    expect(DOC).toContain(ORIGIN_SHA256);
    expect(DOC).toContain(COMMITMENT_LEAF_HASH);
  });

  it('an empty package has chain head 00…00 and the empty-tree root', () => {
    const accumulator = new RecordAccumulator();
    expect(hex(accumulator.chainHead)).toBe('0'.repeat(64));
    expect(hex(accumulator.merkleRoot)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });

  it('packageCommitmentLeaf refuses hashes that are not lowercase hex', () => {
    const bad = { ...IDS, providerId: 'telco-a', recordCount: 0, chainHead: 'AB'.repeat(32), merkleRoot: ROOT };
    const hashes = {
      originSha256: ROOT,
      originSignatureSha256: ROOT,
      custodySha256: ROOT,
      custodySignatureSha256: ROOT,
    };
    expect(() => packageCommitmentLeaf({ ...bad, ...hashes })).toThrow('"chainHead" must be 64 lowercase hex digits');
  });
});
