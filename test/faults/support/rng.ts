/**
 * A seeded random source for fault timing, so a failing run can be replayed: the seed is printed,
 * and FAULT_SEED=<seed> npm run test:faults repeats the same kill and kick moments (the gateway's
 * own timing still varies from run to run, so a replay is close, not identical).
 */
export interface Rng {
  readonly seed: number;
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max]. */
  int(min: number, max: number): number;
}

export function seededRng(label: string): Rng {
  const fromEnv = Number(process.env.FAULT_SEED);
  const seed = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : Math.floor(Math.random() * 2 ** 31) + 1;
  process.stdout.write(`[faults] ${label}: seed ${seed} (replay with FAULT_SEED=${seed})\n`);
  // mulberry32: tiny, well-distributed for timing choices; no cryptographic use.
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { seed, next, int: (min, max) => min + Math.floor(next() * (max - min + 1)) };
}
