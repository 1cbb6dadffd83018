/**
 * The rate limiters the bench upstream simulates (bench/limiters.ts), driven by an
 * explicit clock: nginx `limit_req` as ngx_http_limit_req_module.c computes it, and
 * HAProxy's `http_req_rate` with denied requests counted.
 */
import { describe, expect, it } from 'vitest';
import { haproxyReqRate, nginxLimitReq } from '../../bench/limiters.js';

const admitted = (limit: (now: number) => { admitted: boolean }, times: number[]) =>
  times.filter((t) => limit(t).admitted).length;

describe('nginx limit_req', () => {
  it('passes the first request and then `burst` more at once, refusing the rest', () => {
    const limit = nginxLimitReq({ rate: 50, burst: 10, nodelay: true });
    expect(admitted(limit, Array(40).fill(1_000))).toBe(11);
  });

  it('drains the excess at the rate: one more request every 1 / rate', () => {
    const limit = nginxLimitReq({ rate: 50, burst: 10, nodelay: true });
    admitted(limit, Array(11).fill(0));
    expect(limit(10).admitted).toBe(false); // half a request drained
    expect(limit(20).admitted).toBe(true); // one drained
    expect(limit(20).admitted).toBe(false);
  });

  it('does not count refused requests: a client that keeps trying is not punished', () => {
    const limit = nginxLimitReq({ rate: 50, burst: 0, nodelay: true });
    // 1000 req/s against 50 r/s without burst: exactly one per 20 ms passes.
    const times = Array.from({ length: 1_000 }, (_, i) => i);
    expect(admitted(limit, times)).toBe(50);
  });

  it('without nodelay, delays a passed request by excess ÷ rate', () => {
    const limit = nginxLimitReq({ rate: 50, burst: 10, nodelay: false });
    expect(limit(0)).toEqual({ admitted: true, delayMs: 0 });
    expect(limit(0)).toEqual({ admitted: true, delayMs: 20 });
    expect(limit(0)).toEqual({ admitted: true, delayMs: 40 });
  });
});

describe('HAProxy http_req_rate', () => {
  it('denies over the limit within a period', () => {
    const limit = haproxyReqRate({ limit: 50 });
    expect(admitted(limit, Array(60).fill(0))).toBe(50);
  });

  it('counts denied requests, so a client sending twice the limit stays denied', () => {
    const limit = haproxyReqRate({ limit: 50 });
    // 100 req/s for 5 s: after the first 50, the estimate never drops to 50 again.
    const times = Array.from({ length: 500 }, (_, i) => i * 10);
    expect(admitted(limit, times)).toBe(50);
  });

  it('slides: the previous period counts by the share of this one still to run', () => {
    const limit = haproxyReqRate({ limit: 50 });
    admitted(limit, Array(50).fill(0));
    // Half-way into the next period, 25 of the previous 50 still count.
    expect(admitted(limit, Array(30).fill(1_500))).toBe(25);
    // Two idle periods later it has forgotten everything.
    expect(admitted(limit, Array(50).fill(5_000))).toBe(50);
  });
});
