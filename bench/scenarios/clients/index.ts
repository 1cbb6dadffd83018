/** The six clients in table order; selfheal's two join when `selfheal/http` is built. */
import type { ClientSpec } from '../types.js';
import { bareFetch, cockatielWrap, kyDefault, pRetryLoop } from './peers.js';
import { loadSelfhealClients } from './selfheal.js';

export const PEERS: readonly ClientSpec[] = [bareFetch, kyDefault, pRetryLoop, cockatielWrap];

/** Every client: the peers, then selfheal's defaults and tuned config when available. */
export async function allClients(): Promise<{ clients: ClientSpec[]; missing: string[] }> {
  const selfheal = await loadSelfhealClients();
  return { clients: [...PEERS, ...selfheal.clients], missing: selfheal.missing };
}
