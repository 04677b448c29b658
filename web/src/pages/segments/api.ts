/** What /v1/segments answers, as the segments area reads it (docs/segments.md). */
import type { Filter } from './model';

export interface SegmentView {
  readonly id: number;
  readonly name: string;
  readonly description: string | null;
  readonly filter: Filter;
  readonly createdBy: string;
  readonly createdAt: string;
  readonly updatedBy: string;
  readonly updatedAt: string;
}

export interface SegmentList {
  readonly items: readonly SegmentView[];
  readonly nextAfterId: number | null;
}

export interface SampleContact {
  readonly id: number;
  /** Masked, e.g. +86 138****8000. */
  readonly phone: string;
  readonly country: string | null;
  readonly region: string | null;
  readonly ageBand: string | null;
}

export interface SegmentPreview {
  readonly count: number;
  /** Only for callers with contacts:read. */
  readonly sample?: readonly SampleContact[];
}

/** The person part of an actor name (`user:mia` → mia). */
export const actorName = (actor: string) => actor.replace(/^(user|apikey|system):/, '');
