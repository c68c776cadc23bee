/**
 * Seeded randomness for the what-if simulator: the same seed gives the same run. Nothing here reads Math.random;
 * the integer generator is exact by construction, and the only transcendental functions used (Math.log, Math.exp)
 * come from V8's port of fdlibm, so a run repeats bit for bit on any Node release we support.
 *
 * - `Random` is xoshiro128** (Blackman and Vigna, 2018): 128 bits of state, 32-bit output, period 2^128 − 1,
 *   passes BigCrush, and needs only 32-bit integer arithmetic, which JavaScript does exactly with Math.imul and >>>.
 *   Its state is filled by splitmix32 from the seed and a stream number, so independent streams (arrivals,
 *   handling times, business-critical flags…) can be drawn without one perturbing another: adding a draw to one
 *   part of the model does not reshuffle every other part (common random numbers between two scenarios).
 * - `uniform()` has 32 bits of resolution in [0, 1); `exponential(rate)` is by inversion; `poisson(mean)` is
 *   Knuth's product method below a mean of 30 and Hörmann's PTRS (transformed rejection) above.
 * - `poissonArrivals` produces a non-homogeneous Poisson process whose rate is piecewise constant per slot
 *   (the simulator's slots are the hours of the horizon). It is exact, not thinned: within a slot the gaps are
 *   exponential with that slot's rate, and because the exponential distribution is memoryless, restarting the
 *   gap at each slot boundary leaves the process unchanged.
 */

/** splitmix32: a good 32-bit mixer to expand one seed into several well-separated state words. */
function splitmix32(state: { value: number }): number {
  state.value = (state.value + 0x9e3779b9) | 0;
  let z = state.value;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

const TWO_TO_32 = 4294967296;

export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** `seed`: any integer (its low 53 bits count); `stream`: a small integer naming an independent sequence. */
  constructor(seed: number, stream = 0) {
    const low = Math.trunc(seed) >>> 0;
    const high = Math.trunc(seed / TWO_TO_32) >>> 0;
    const state = { value: (low ^ Math.imul(stream + 1, 0x632be5ab)) | 0 };
    // The high half of the seed enters through a second mixing round, so seeds 1 and 2^32 + 1 differ.
    state.value = (state.value ^ splitmix32({ value: high })) | 0;
    this.a = splitmix32(state);
    this.b = splitmix32(state);
    this.c = splitmix32(state);
    this.d = splitmix32(state);
    if ((this.a | this.b | this.c | this.d) === 0) this.d = 1; // the all-zero state is the one fixed point
  }

  /** The next 32-bit unsigned integer (xoshiro128**). */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return result;
  }

  /** Uniform in [0, 1), in steps of 2^-32. */
  uniform(): number {
    return this.nextUint32() / TWO_TO_32;
  }

  /** True with probability p. */
  bernoulli(p: number): boolean {
    return p >= 1 || (p > 0 && this.uniform() < p);
  }

  /** Exponential with the given rate (mean 1 / rate); Infinity when the rate is 0. */
  exponential(rate: number): number {
    if (!(rate > 0)) return Infinity;
    // 1 − u lies in (0, 1], so the logarithm is finite.
    return -Math.log(1 - this.uniform()) / rate;
  }

  /** A Poisson count with the given mean. */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 30) {
      const limit = Math.exp(-mean);
      let count = 0;
      let product = this.uniform();
      while (product > limit) {
        count++;
        product *= this.uniform();
      }
      return count;
    }
    return this.poissonPtrs(mean);
  }

  /** Hörmann (1993), "The transformed rejection method for generating Poisson random variables", PTRS. */
  private poissonPtrs(mean: number): number {
    const slam = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * slam;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) return k;
    }
  }

  /** An index drawn with probability proportional to `weights[i]` for i in [from, to) given their `total`. */
  pick(weights: ArrayLike<number>, from: number, to: number, total: number): number {
    let target = this.uniform() * total;
    for (let i = from; i < to; i++) {
      target -= weights[i]!;
      if (target < 0) return i;
    }
    // Rounding can leave a sliver at the end: the last index with a positive weight takes it.
    for (let i = to - 1; i >= from; i--) if (weights[i]! > 0) return i;
    return from;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

const LOG_FACTORIALS = [
  0, 0, 0.6931471805599453, 1.791759469228055, 3.1780538303479458, 4.787491742782046, 6.579251212010101, 8.525161361065415,
  10.60460290274525, 12.801827480081469,
];

function logFactorial(k: number): number {
  if (k < LOG_FACTORIALS.length) return LOG_FACTORIALS[k]!;
  // Stirling's series: exact to double precision from k = 10 on.
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/**
 * Arrival instants of a Poisson process whose rate is `ratesPerSlot[i]` events per `slotMs` during slot i
 * (slot i covers [startMs + i·slotMs, startMs + (i + 1)·slotMs)). Calls `onArrival(atMs, slot)` in time order;
 * instants are whole milliseconds (rounded down, so an arrival never leaves its slot).
 */
export function poissonArrivals(
  random: Random,
  ratesPerSlot: ArrayLike<number>,
  startMs: number,
  slotMs: number,
  onArrival: (atMs: number, slot: number) => void,
): void {
  for (let slot = 0; slot < ratesPerSlot.length; slot++) {
    const rate = ratesPerSlot[slot]!;
    if (!(rate > 0)) continue;
    // Measured in slots: gaps are exponential with the slot's rate; memorylessness lets each slot start afresh.
    let offset = random.exponential(rate);
    while (offset < 1) {
      onArrival(startMs + slot * slotMs + Math.floor(offset * slotMs), slot);
      offset += random.exponential(rate);
    }
  }
}
