// Published Flink 1.13 throughput per core from the Nexmark repository (nexmark/nexmark README), events/s per
// core, as quoted in issue 6: the reference we report against, not a figure measured here.

export const FLINK_PER_CORE: Readonly<Record<string, number>> = {
  q0: 155_000, q1: 158_000, q2: 175_000, q3: 152_000, q5: 22_000, q7: 12_000, q8: 146_000, q11: 40_000,
};
