export { freePort } from '#evx/transport';
