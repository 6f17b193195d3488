import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from '@jest/globals';
import { parseOrigin, verifySignatureValue } from '#evx/evidence-package';
import { sharedTestPki } from '../../../test/support/test-pki.js';
import { adapterIdentity, signOrigin, type AdapterIdentity } from './origin.signer.js';

let pki: string;
let identity: AdapterIdentity;
const read = (file: string) => readFileSync(join(pki, 'actors', file), 'utf8');

const FACTS = {
  authorisationId: '0b9e2a4c-7d1f-4e3a-8c55-2f6d9b1a7e30',
  requestSha256: 'f98aac4f00bb49f73feb4e4cd1e09626e467b9c7a27050d6478d1c5350300246',
  taskId: '8f3a6c2e-1b4d-4a7e-9f10-3c5e7a9b1d20',
  uploadId: 'c47e1a2b-9d3f-4b6a-8e21-5a7c9e1b3d40',
  recordCount: 3,
  chainHead: 'ad6bb6602287456e5af82d70b8dbd235cb5b42ed0c146e60b151159f2d72a3f7',
  merkleRoot: '11915bf78c0ee9e8bdf92821a0e93015c203b901c6ee66b301703933d744bcbd',
};

describe('signOrigin', () => {
  beforeAll(async () => {
    pki = await sharedTestPki();
    identity = adapterIdentity(read('telco-a.main.crt'), read('telco-a.main.key'));
  }, 180_000);

  it('reads the adapter identity from its certificate', () => {
    expect(identity).toMatchObject({ uri: 'evx://provider/telco-a/adapter/main', providerId: 'telco-a' });
  });

  it('refuses a certificate that is not an adapter', () => {
    expect(() => adapterIdentity(read('police-hn.inv-1.crt'), read('police-hn.inv-1.key'))).toThrow(
      /no adapter identity/,
    );
  });

  it('signs the worked example origin statement byte for byte, with RSASSA-PSS under the adapter key', async () => {
    const sut = await signOrigin(identity, FACTS, new Date('2026-11-20T09:00:00.000Z'));
    expect(Buffer.from(sut.statement).toString('utf8')).toBe(
      '{"adapterUri":"evx://provider/telco-a/adapter/main","authorisationId":"0b9e2a4c-7d1f-4e3a-8c55-2f6d9b1a7e30","chainHead":"ad6bb6602287456e5af82d70b8dbd235cb5b42ed0c146e60b151159f2d72a3f7","merkleRoot":"11915bf78c0ee9e8bdf92821a0e93015c203b901c6ee66b301703933d744bcbd","providerId":"telco-a","recordCount":3,"requestSha256":"f98aac4f00bb49f73feb4e4cd1e09626e467b9c7a27050d6478d1c5350300246","signedAt":"2026-11-20T09:00:00.000Z","taskId":"8f3a6c2e-1b4d-4a7e-9f10-3c5e7a9b1d20","type":"evx.origin.v1","uploadId":"c47e1a2b-9d3f-4b6a-8e21-5a7c9e1b3d40"}',
    );
    expect(parseOrigin(sut.statement)).toMatchObject(FACTS);
    expect(() =>
      verifySignatureValue('origin', sut.statement, sut.signature.value, identity.signer.certificates[0]!),
    ).not.toThrow();
    const other = Buffer.from(sut.statement).toString('utf8').replace('"recordCount":3', '"recordCount":4');
    expect(() =>
      verifySignatureValue('origin', Buffer.from(other), sut.signature.value, identity.signer.certificates[0]!),
    ).toThrow();
  });
});
