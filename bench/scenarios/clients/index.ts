/** The six clients, in table order. */
import type { ClientSpec } from '../types.js';
import { bareFetch, cockatielWrap, kyDefault, pRetryLoop } from './peers.js';
import { selfhealDefaults, selfhealTuned } from './selfheal.js';

export const PEERS: readonly ClientSpec[] = [bareFetch, kyDefault, pRetryLoop, cockatielWrap];

export const CLIENTS: readonly ClientSpec[] = [...PEERS, selfhealDefaults, selfhealTuned];
