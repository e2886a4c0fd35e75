// A small seeded pseudo-random generator (sfc32, seeded through splitmix32), so that a seed fixes every event.
// The reference generator uses java.util.Random; the benchmark needs determinism and speed, not Java's exact
// sequence, so the values differ from Flink's run for run while following the same distributions.

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    let s = seed >>> 0;
    const next = (): number => {
      // splitmix32: spreads a small seed over the whole state.
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** A uniform double in [0, 1). */
  nextDouble(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Java's Random.nextInt(bound): uniform in [0, bound). Bounds here are far below 2^32, so bias is negligible. */
  nextInt(bound: number): number {
    return Math.floor(this.nextDouble() * bound);
  }
}
