// The SDK's record hashing must equal libs/evidence-package's and the specification's: pinned by the worked example
// of docs/package-format.md §13.
import { describe, expect, it } from '@jest/globals';
import { RecordAccumulator } from '#evx/evidence-package';
import { prepareRecord, type EvidenceRecordInput } from './evidence-record.js';

const WORKED_EXAMPLE: EvidenceRecordInput[] = [
  {
    requestType: 'SUBSCRIBER_DATA',
    selectorId: 's1',
    recordTime: new Date('2026-11-19T00:00:00.000Z'),
    contentType: 'application/json',
    payload: '{"msisdn":"+15550100","name":"A. Example","since":"2019-03-01"}',
  },
  {
    requestType: 'TRAFFIC_DATA',
    selectorId: 's1',
    recordTime: new Date('2026-11-19T21:04:00.000Z'),
    contentType: 'text/csv',
    payload: 'caller,callee,start,seconds\n+15550100,+15550199,2026-11-19T21:04:00Z,42\n',
  },
  {
    requestType: 'LOCATION_DATA',
    selectorId: 's1',
    recordTime: new Date('2026-11-19T21:04:05.000Z'),
    contentType: 'text/csv',
    payload: 'cell,lat,lon,at\n262-01-4711-0815,52.5200,13.4050,2026-11-19T21:04:05Z\n',
  },
];

describe('prepareRecord', () => {
  it('gives the metadata bytes, chain head and Merkle root of the worked example', () => {
    const sut = new RecordAccumulator();
    const records = WORKED_EXAMPLE.map((input, i) => prepareRecord(input, i + 1));
    for (const record of records) sut.add(record.metadataAt(record.sequenceNumber));
    expect(Buffer.from(records[0]!.metadataAt(1)).toString('utf8')).toBe(
      '{"contentType":"application/json","payloadSha256":"ab327abc1ca6c9c47dced32f6f0fbea45b8482e1e4e6ab932f30705712ea608d","payloadSize":63,"recordTime":"2026-11-19T00:00:00.000Z","requestType":"REQUEST_TYPE_SUBSCRIBER_DATA","selectorId":"s1","sequenceNumber":1,"type":"evx.record.v1"}',
    );
    expect(Buffer.from(sut.chainHead).toString('hex')).toBe(
      'ad6bb6602287456e5af82d70b8dbd235cb5b42ed0c146e60b151159f2d72a3f7',
    );
    expect(Buffer.from(sut.merkleRoot).toString('hex')).toBe(
      '11915bf78c0ee9e8bdf92821a0e93015c203b901c6ee66b301703933d744bcbd',
    );
  });

  it('sends the same metadata in every message of the wire form and the payload hash EVX checks', () => {
    const sut = prepareRecord(WORKED_EXAMPLE[0]!, 7);
    expect(sut.messages).toHaveLength(1);
    const [message] = sut.messages;
    expect(message).toMatchObject({
      sequenceNumber: '7',
      chunkOffset: '0',
      payloadSize: '63',
      requestType: 'REQUEST_TYPE_SUBSCRIBER_DATA',
    });
    expect(Buffer.from(message!.payloadSha256).toString('hex')).toBe(
      'ab327abc1ca6c9c47dced32f6f0fbea45b8482e1e4e6ab932f30705712ea608d',
    );
  });

  it('cuts a payload larger than 1 MiB into chunks of at most 1 MiB at increasing offsets', () => {
    const payload = Buffer.alloc(2.5 * 1024 * 1024, 7);
    const sut = prepareRecord({ ...WORKED_EXAMPLE[1]!, payload }, 1);
    expect(sut.messages.map((m) => [m.chunkOffset, m.payload.length])).toEqual([
      ['0', 1024 * 1024],
      [String(1024 * 1024), 1024 * 1024],
      [String(2 * 1024 * 1024), 0.5 * 1024 * 1024],
    ]);
    expect(new Set(sut.messages.map((m) => m.payloadSize))).toEqual(new Set([String(payload.length)]));
  });

  it('sends an empty payload as one message', () => {
    expect(prepareRecord({ ...WORKED_EXAMPLE[0]!, payload: '' }, 1).messages).toHaveLength(1);
  });
});
