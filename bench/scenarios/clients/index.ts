/** Every client, in table order; each scenario runs the ones it names (catalog.ts). */
import type { ClientSpec } from '../types.js';
import { bareFetch, cockatielWrap, kyDefault, pRetryLoop } from './peers.js';
import { selfhealDefaults, selfhealRate, selfhealTuned } from './selfheal.js';

export const PEERS: readonly ClientSpec[] = [bareFetch, kyDefault, pRetryLoop, cockatielWrap];

export const CLIENTS: readonly ClientSpec[] = [
  ...PEERS,
  selfhealDefaults,
  selfhealTuned,
  selfhealRate,
];
