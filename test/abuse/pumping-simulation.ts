/**
 * An SMS pumping attack on the public sign-up endpoint, as fraudsters run it: sign-ups for many
 * premium-looking numbers of a country Herald does not send to, then bursts of consecutive and
 * same-prefix numbers of an allowed country, each request from a fresh IP (as botnets do), and
 * one greedy IP. Returns what happened, for the test to check and print.
 */
import type { FastifyInstance } from 'fastify';

export interface SimulationFigures {
  /** Per wave: requests fired, accepted (202), refused by reason. */
  readonly waves: Record<
    string,
    { fired: number; accepted: number; refused: Record<string, number>; acceptedNumbers: string[] }
  >;
}

/** Sierra Leone mobile numbers (+232 76/77/30): a classic pumping destination, no policy pack. */
export function premiumNumbers(count: number): string[] {
  const ranges = ['76', '77', '30'];
  return Array.from({ length: count }, (_, i) => {
    const range = ranges[i % ranges.length]!;
    return `+232${range}${String(100_000 + i * 37).padStart(6, '0')}`;
  });
}

/** Consecutive US numbers: +1 415 555 01xx. */
export function consecutiveNumbers(start: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `+1415555${String(start + i).padStart(4, '0')}`);
}

/** Numbers of one prefix (+1 415 555 xxxx) spread over many blocks, none consecutive. */
export function samePrefixNumbers(count: number): string[] {
  return Array.from(
    { length: count },
    (_, i) => `+1415555${String(2000 + i * 101).padStart(4, '0')}`,
  );
}

/** Numbers of distinct prefixes (+1 212 5xx 7x10): only the per-IP limit can stop them. */
export function spreadNumbers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `+1212${String(500 + i)}7${i % 10}10`);
}

export async function runPumpingSimulation(
  app: FastifyInstance,
  formKey: string,
  waves: Record<string, { numbers: string[]; ip?: string }>,
): Promise<SimulationFigures> {
  let botnet = 0;
  const figures: SimulationFigures['waves'] = {};
  for (const [name, wave] of Object.entries(waves)) {
    const figure = {
      fired: 0,
      accepted: 0,
      refused: {} as Record<string, number>,
      acceptedNumbers: [] as string[],
    };
    for (const phone of wave.numbers) {
      botnet += 1;
      const ip = wave.ip ?? `203.0.${Math.floor(botnet / 250) % 250}.${(botnet % 250) + 1}`;
      const res = await app.inject({
        method: 'POST',
        url: '/v1/subscribe',
        remoteAddress: ip,
        payload: { formKey, phone },
      });
      figure.fired += 1;
      if (res.statusCode === 202) {
        figure.accepted += 1;
        figure.acceptedNumbers.push(phone);
      } else {
        const error = res.json().error as { code: string; details?: { reason?: string } };
        const reason = error.details?.reason ?? error.code;
        figure.refused[reason] = (figure.refused[reason] ?? 0) + 1;
      }
    }
    figures[name] = figure;
  }
  return { waves: figures };
}

/** The figures as a table for the test output. */
export function formatFigures(figures: SimulationFigures): string {
  const lines = ['wave                  fired  accepted  refused (by reason)'];
  for (const [name, f] of Object.entries(figures.waves)) {
    const refused = Object.entries(f.refused)
      .map(([reason, n]) => `${reason}=${n}`)
      .join(' ');
    lines.push(
      `${name.padEnd(20)} ${String(f.fired).padStart(6)} ${String(f.accepted).padStart(9)}  ${refused}`,
    );
  }
  return lines.join('\n');
}
