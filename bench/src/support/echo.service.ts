// The bare unary echo used as the baseline of the request-submission figure (see echo.server.ts).
import type { ServiceDefinition } from '@grpc/grpc-js';

const identity = (b: Buffer): Buffer => b;

/** The echo service, without a .proto: raw bytes in and out. */
export const ECHO_SERVICE: ServiceDefinition = {
  echo: {
    path: '/evx.bench.Echo/Echo',
    requestStream: false,
    responseStream: false,
    requestSerialize: identity,
    requestDeserialize: identity,
    responseSerialize: identity,
    responseDeserialize: identity,
  },
};
