// One free-port rule for tests, benchmarks and the contract kit (libs/transport/src/free-port.ts).
export { freePort } from '#evx/transport';
