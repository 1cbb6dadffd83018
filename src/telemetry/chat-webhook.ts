/**
 * A `notify` for {@link alarmSink} that posts each alarm to a chat incoming webhook.
 * Slack, Mattermost and Rocket.Chat accept `{ "text": … }`; for Microsoft Teams or Google
 * Chat pass `format`. Sent with plain `fetch` under its own timeout — never through a
 * client being watched, so an alarm about a failing dependency does not queue behind it.
 */
import type { TelemetryAlarm } from './alarms.js';
import { createRedactor } from './redact.js';

/** Options of {@link chatWebhook}. */
export interface ChatWebhookOptions {
  /** The request body for one alarm. @default `{ text: "🔴 <message> (<ISO time>)" }` */
  format?: (alarm: TelemetryAlarm) => unknown;
  /** Gives up on the webhook after this long. @default 5000 */
  timeoutMs?: number;
  /** The fetch to send with. @default globalThis.fetch */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /** Extra request headers (an auth token, …). @default {} */
  headers?: Record<string, string>;
}

const ICONS: Readonly<Record<string, string>> = {
  'breaker-open': '🔴',
  timeout: '🔴',
  'retry-budget': '🟠',
  utilization: '🟡',
  advice: '🔵',
};

/** The default body: one line of text, the repeats held back by the cooldown included. */
export function alarmText(alarm: TelemetryAlarm): { text: string } {
  const icon = ICONS[alarm.kind] ?? '⚪';
  const more = alarm.suppressed > 0 ? ` (+${alarm.suppressed} similar since the last alert)` : '';
  return { text: `${icon} ${alarm.message}${more} — ${new Date(alarm.at).toISOString()}` };
}

/**
 * Returns `notify(alarm)`: a POST of the formatted, redacted alarm; it rejects with an
 * Error naming the status when the webhook does not answer 2xx.
 */
export function chatWebhook(
  url: string | URL,
  options: ChatWebhookOptions = {},
): (alarm: TelemetryAlarm) => Promise<void> {
  const target = String(url);
  // A webhook URL is a credential (its path is the secret): the message names the scheme only.
  if (!/^https?:\/\//i.test(target)) {
    const scheme = /^[a-z][a-z0-9+.-]{0,30}:/i.exec(target)?.[0];
    const got = scheme ? `a URL with scheme ${scheme}` : 'something that is not a URL';
    throw new TypeError(`Expected \`url\` to be an http(s) URL, got ${got}`);
  }
  const timeoutMs = options.timeoutMs ?? 5000;
  if (typeof timeoutMs !== 'number' || !(timeoutMs > 0) || !Number.isFinite(timeoutMs))
    throw new RangeError(`Expected \`timeoutMs\` to be a finite number > 0, got ${timeoutMs}`);
  const format = options.format ?? alarmText;
  const send = options.fetch ?? ((u: string, init: RequestInit) => globalThis.fetch(u, init));
  const { redact } = createRedactor({ maxBytes: 8192 });
  return async (alarm) => {
    const response = await send(target, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...options.headers },
      body: JSON.stringify(redact(format(alarm))),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok)
      throw new Error(`Chat webhook answered ${response.status} for a ${alarm.kind} alarm`);
  };
}
