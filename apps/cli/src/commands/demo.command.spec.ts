import { jest } from '@jest/globals';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '#evx/adapter-contract';
import { checkStack, emergencyOrder, standardOrder, StackNotRunning } from './demo.command.js';
import { sharedTestPki } from '../../../../test/support/test-pki.js';

jest.setTimeout(180_000);

describe('evx demo: the two orders', () => {
  const now = new Date('2026-11-26T10:00:00.000Z');

  it('an emergency to telco-a within the look-back window, with grounds', () => {
    const sut = emergencyOrder(now);
    expect(sut).toMatchObject({ urgency: 'EMERGENCY', targetProviderId: 'telco-a', emergency: { threat: 'LIFE' } });
    expect(sut.requestDetails.requestTypes).toEqual(['SUBSCRIBER_DATA', 'LOCATION_DATA']);
    expect(Date.parse(sut.requestDetails.timeRange!.start)).toBeGreaterThanOrEqual(now.getTime() - 7 * 86_400_000);
  });

  it('a standard order to bank-b', () => {
    const sut = standardOrder(now);
    expect(sut).toMatchObject({ urgency: 'STANDARD', targetProviderId: 'bank-b' });
    expect(sut.emergency).toBeUndefined();
    expect(sut.requestDetails.selectors[0]).toMatchObject({ kind: 'iban' });
  });
});

describe('evx demo: is the stack there?', () => {
  it('no dev PKI: says to run npm start', async () => {
    const certs = mkdtempSync(join(tmpdir(), 'evx-no-pki-'));
    await expect(checkStack({ certs, url: 'https://localhost:1', grpc: 'localhost:1' })).rejects.toThrow(
      new StackNotRunning(
        `no dev PKI in ${certs} (${join(certs, 'actors', 'police-hn.inv-1.crt')} is missing): start EVX with \`npm start\`, which generates it, then run \`npx evx demo\` again`,
      ),
    );
  });

  it('nothing listening: EVX is not running, start it with npm start', async () => {
    const url = `https://localhost:${await freePort()}`;
    const error = await checkStack({ certs: await sharedTestPki(), url, grpc: 'localhost:1' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StackNotRunning);
    expect((error as Error).message).toMatch(
      new RegExp(`^EVX is not running at ${url} \\(.*ECONNREFUSED.*\\): start it with \`npm start\``),
    );
  });
});
