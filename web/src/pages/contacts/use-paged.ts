/**
 * A keyset-paged list that grows with "Show more": the first page on load (and again when
 * `version` changes, after a write), the next one appended each time `more` is called.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type Query } from '../../lib/api';

export interface Paged<T> {
  readonly items: T[];
  readonly error: unknown;
  readonly loading: boolean;
  /** Loads the next page; null when there is none. */
  readonly more: (() => void) | null;
}

export function usePaged<T>(
  path: string | null,
  options: {
    query?: Query;
    /** The query parameter that takes the cursor, and the answer's field that gives it. */
    cursorParam: string;
    nextField: string;
    version?: number;
  },
): Paged<T> {
  const { cursorParam, nextField, version = 0 } = options;
  const queryKey = JSON.stringify(options.query ?? {});
  const [items, setItems] = useState<T[]>([]);
  const [next, setNext] = useState<string | number | null>(null);
  const [cursor, setCursor] = useState<string | number | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(path !== null);

  // A new path, query or version starts again from the first page.
  useEffect(() => {
    setCursor(null);
    setItems([]);
  }, [path, queryKey, version]);

  useEffect(() => {
    if (path === null) return;
    let live = true;
    setLoading(true);
    const query = { ...(JSON.parse(queryKey) as Query), [cursorParam]: cursor ?? undefined };
    api
      .get<Record<string, unknown>>(path, query)
      .then((page) => {
        if (!live) return;
        const got = (page.items as T[]) ?? [];
        setItems((before) => (cursor === null ? got : [...before, ...got]));
        setNext((page[nextField] as string | number | null) ?? null);
        setError(null);
      })
      .catch((e: unknown) => live && setError(e))
      .finally(() => live && setLoading(false));
    return () => {
      live = false;
    };
  }, [path, queryKey, cursor, cursorParam, nextField, version]);

  const loadMore = useCallback(() => setCursor(next), [next]);
  return { items, error, loading, more: next !== null && !loading ? loadMore : null };
}
