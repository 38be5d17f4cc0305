/** What a phase is: one file in bench/phases exporting one of these, listed once in bench/phases/index.ts. */
import type { Bench } from './bench.ts';
import type { Figure } from './figures.ts';

export type Phase = {
  /** The table's `#` column (several phases may share one). */
  number: number;
  /** For `--only=<name,…>`. */
  name: string;
  /**
   * 'service': runs while the seeded service with Redis read models is up (`bench.service`), in list
   * order, its RSS sampled throughout; 'alone': runs after that service stopped, in list order.
   */
  stage: 'service' | 'alone';
  run: (bench: Bench) => Promise<Figure[]>;
};
