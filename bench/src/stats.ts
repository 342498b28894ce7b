import { median as ssMedian, quantileSorted } from 'simple-statistics';

/** The median of `values` (not empty). */
export function median(values: readonly number[]): number {
  return ssMedian([...values]);
}

/** The `p`-quantile (0..1) of `sorted`, which must be sorted ascending and not empty. */
export function quantileOfSorted(sorted: readonly number[], p: number): number {
  return quantileSorted([...sorted], p);
}
