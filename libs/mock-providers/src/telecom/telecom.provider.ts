// telco-a: a mobile operator. Subscribers by MSISDN, IMSI or IMEI; call detail records; cell-site locations; IP
// session logs that resolve a (carrier-grade NAT) IP address, port and time to the subscriber behind it.
import type { EvidenceRecordInput } from '#evx/adapter-sdk';
import type { RequestType, Selector } from '#evx/workflow';
import { json, type MockProvider } from '../synthetic/mock-provider.js';
import {
  DEFAULT_PERIOD,
  inRange,
  isUnknown,
  selectorKey,
  stateInstant,
  type OrderScope,
  type SyntheticSettings,
} from '../synthetic/order-scope.js';
import { personOf, sinceDate } from '../synthetic/people.js';
import { SeededRandom, spreadTime, type Random } from '../synthetic/seeded.random.js';

const JSON_TYPE = 'application/json';
/** Ports per subscriber in the NAT pool. */
const PORT_BLOCK = 2048;

export interface Subscriber {
  readonly msisdn: string;
  readonly imsi: string;
  readonly imei: string;
  readonly name: string;
  readonly dateOfBirth: string;
  readonly address: string;
  readonly contractSince: string;
  readonly plan: string;
}

/** The subscriber an identifier belongs to. An IMSI or IMEI maps to an MSISDN first, so all three agree. */
export function subscriberOf(selector: Selector, seed: string): Subscriber {
  const random = new SeededRandom(seed, 'telco-a');
  let msisdn: string;
  switch (selector.kind) {
    case 'msisdn':
      msisdn = selector.value;
      break;
    case 'ipObservation': {
      const o = selector.value;
      const block = Math.floor(o.port / PORT_BLOCK);
      const day = o.observedTime.toISOString().slice(0, 10);
      msisdn = `+316${random.child('nat', o.ipAddress, block, day).digits('msisdn', 8)}`;
      break;
    }
    default:
      msisdn = `+316${random.child(selector.kind, selectorKey(selector)).digits('msisdn', 8)}`;
  }
  const own = random.child('subscriber', msisdn);
  const person = personOf(own);
  return {
    msisdn,
    imsi: selector.kind === 'imsi' ? selector.value : `20416${own.digits('imsi', 10)}`,
    imei: selector.kind === 'imei' ? selector.value : `35${own.digits('imei', 12)}`,
    ...person,
    contractSince: sinceDate(own, 'contract'),
    plan: own.pick('plan', ['prepaid', 'postpaid', 'business']),
  };
}

function subscriberRecord(
  selector: Selector,
  scope: OrderScope,
  settings: SyntheticSettings,
  type: RequestType,
): EvidenceRecordInput {
  return {
    requestType: type,
    selectorId: selector.selectorId,
    recordTime: stateInstant(scope),
    contentType: JSON_TYPE,
    payload: json({ kind: 'subscriber', ...subscriberOf(selector, settings.seed) }),
  };
}

async function* events(
  selector: Selector,
  type: RequestType,
  scope: OrderScope,
  settings: SyntheticSettings,
  render: (random: Random, at: Date, i: number) => unknown,
): AsyncGenerator<EvidenceRecordInput> {
  const period = scope.timeRange ?? DEFAULT_PERIOD;
  const random = new SeededRandom(settings.seed, 'telco-a', type, selector.selectorId, JSON.stringify(selector));
  for (let i = 0; i < settings.volume; i++) {
    const record = random.stream('event', i);
    const at = spreadTime(record, period.start, period.end, i, settings.volume);
    yield {
      requestType: type,
      selectorId: selector.selectorId,
      recordTime: at,
      contentType: JSON_TYPE,
      payload: json(render(record, at, i)),
    };
  }
}

function cellOf(random: Random): Record<string, unknown> {
  const lac = random.int('lac', 1000, 9999);
  const ci = random.int('ci', 10000, 65535);
  return {
    cellId: `204-16-${lac}-${ci}`,
    lat: Number((51.5 + random.fraction('lat') * 1.8).toFixed(5)),
    lon: Number((4.0 + random.fraction('lon') * 2.6).toFixed(5)),
    azimuth: random.int('azimuth', 0, 359),
  };
}

function sessionOf(subscriber: Subscriber, random: Random, ipAddress: string, block: number, at: Date) {
  const start = new Date(at.getTime() - random.int('before', 0, 3 * 3600) * 1000);
  const end = new Date(at.getTime() + random.int('after', 1, 3 * 3600) * 1000);
  return {
    kind: 'ip-session',
    ipAddress,
    portRange: [block * PORT_BLOCK, block * PORT_BLOCK + PORT_BLOCK - 1],
    sessionStart: start.toISOString(),
    sessionEnd: end.toISOString(),
    msisdn: subscriber.msisdn,
    imsi: subscriber.imsi,
  };
}

async function* ipRecords(selector: Selector, type: RequestType, scope: OrderScope, settings: SyntheticSettings) {
  const subscriber = subscriberOf(selector, settings.seed);
  if (selector.kind === 'ipObservation' && type === 'USER_IDENTIFYING_DATA') {
    // The one question the order asks: who used this address and port at that instant.
    const o = selector.value;
    if (!inRange(o.observedTime, scope.timeRange)) return;
    const random = new SeededRandom(
      settings.seed,
      'telco-a',
      'session',
      o.ipAddress,
      o.port,
      o.observedTime.toISOString(),
    );
    const session = sessionOf(subscriber, random, o.ipAddress, Math.floor(o.port / PORT_BLOCK), o.observedTime);
    yield {
      requestType: type,
      selectorId: selector.selectorId,
      recordTime: o.observedTime,
      contentType: JSON_TYPE,
      payload: json(session),
    };
    return;
  }
  // Otherwise: every session of the subscriber in the period.
  yield* events(selector, type, scope, settings, (random, at) => {
    const ip = `100.${64 + random.int('ip2', 0, 63)}.${random.int('ip3', 0, 255)}.${random.int('ip4', 1, 254)}`;
    return sessionOf(subscriber, random, ip, random.int('block', 0, 31), at);
  });
}

export const telecomProvider: MockProvider = {
  providerId: 'telco-a',
  requestTypes: ['SUBSCRIBER_DATA', 'USER_IDENTIFYING_DATA', 'TRAFFIC_DATA', 'LOCATION_DATA'],
  holds: (selector, settings) =>
    ['msisdn', 'imsi', 'imei', 'ipObservation'].includes(selector.kind) && !isUnknown(selector, settings),
  records(selector, type, scope, settings) {
    switch (type) {
      case 'SUBSCRIBER_DATA':
        return (async function* () {
          yield subscriberRecord(selector, scope, settings, type);
        })();
      case 'USER_IDENTIFYING_DATA':
        return ipRecords(selector, type, scope, settings);
      case 'TRAFFIC_DATA': {
        if (selector.kind === 'ipObservation') return ipRecords(selector, type, scope, settings);
        const subscriber = subscriberOf(selector, settings.seed);
        return events(selector, type, scope, settings, (random, at, i) => {
          const outgoing = random.fraction('direction') < 0.6;
          const other = `+316${random.digits('other', 8)}`;
          return {
            kind: 'cdr',
            callId: `${subscriber.msisdn.slice(1)}-${i}`,
            service: random.pick('service', ['voice', 'voice', 'sms', 'data']),
            caller: outgoing ? subscriber.msisdn : other,
            callee: outgoing ? other : subscriber.msisdn,
            start: at.toISOString(),
            durationSeconds: random.int('duration', 0, 1800),
            cellId: cellOf(random).cellId,
          };
        });
      }
      case 'LOCATION_DATA': {
        const subscriber = subscriberOf(selector, settings.seed);
        return events(selector, type, scope, settings, (random, at) => ({
          kind: 'cell-location',
          msisdn: subscriber.msisdn,
          observedAt: at.toISOString(),
          ...cellOf(random),
        }));
      }
      default:
        return (async function* () {})();
    }
  },
};
