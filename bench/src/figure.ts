// One row of the benchmark table and of bench/results/latest.json.

/** What a figure is compared with, measured in the same run. */
export interface Baseline {
  readonly name: string;
  readonly value: number;
  readonly unit: string;
}

export type FigureStatus = 'measured' | 'skipped' | 'not measured yet' | 'failed';

export interface FigureRow {
  /** Stable id, e.g. `submit.postgres`; the part before the dot is the benchmark's name for `--only`. */
  readonly figure: string;
  /** What was measured, in words. */
  readonly title: string;
  readonly status: FigureStatus;
  readonly value: number | null;
  readonly unit: string;
  readonly baseline: Baseline | null;
  /** value / baseline.value, when both are throughputs. */
  readonly ratio: number | null;
  /** The target from issue #6, in words: `ratio >= 0.5`, `p99 <= 1000 ms`. */
  readonly target: string;
  /** null when nothing was measured. */
  readonly met: boolean | null;
  /** Latency distribution and other supporting numbers, by name (p50_ms, p99_ms, proof_hashes, ...). */
  readonly details: Readonly<Record<string, number>>;
  /** Why skipped or not measured, or what the number means. */
  readonly note?: string;
}

export interface MeasuredFigure {
  figure: string;
  title: string;
  value: number;
  unit: string;
  baseline?: Baseline;
  /** Targets are checked by the benchmark, which knows whether higher or lower is better. */
  target: string;
  /** null for a supporting row without a target of its own. */
  met: boolean | null;
  details?: Record<string, number>;
  note?: string;
}

export function measured(f: MeasuredFigure): FigureRow {
  const ratio = f.baseline && f.baseline.value > 0 ? f.value / f.baseline.value : null;
  return {
    figure: f.figure,
    title: f.title,
    status: 'measured',
    value: f.value,
    unit: f.unit,
    baseline: f.baseline ?? null,
    ratio,
    target: f.target,
    met: f.met,
    details: f.details ?? {},
    ...(f.note ? { note: f.note } : {}),
  };
}

/** A figure that could not be measured in this run, and why: never a made-up number. */
export function unmeasured(
  status: Exclude<FigureStatus, 'measured'>,
  figure: string,
  title: string,
  target: string,
  note: string,
): FigureRow {
  return {
    figure,
    title,
    status,
    value: null,
    unit: '',
    baseline: null,
    ratio: null,
    target,
    met: null,
    details: {},
    note,
  };
}
