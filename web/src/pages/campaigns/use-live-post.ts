/**
 * Asks the API again once typing pauses: a POST whose body follows what is on the screen
 * (encoding counter, policy lint, template preview). Only the answer to the latest body is kept,
 * so a slow early answer never overwrites a newer one.
 */
import { useEffect, useRef, useState } from 'react';
import { api } from '../../lib/api';
import { useDebounced } from '../segments/controls';

export interface LiveAnswer<T> {
  readonly data: T | null;
  readonly error: unknown;
  /** True from a change until its answer arrives. */
  readonly pending: boolean;
  /** The body the data answers. */
  readonly answered: string | null;
}

export function useLivePost<T>(path: string, body: object | null, ms = 300): LiveAnswer<T> {
  const key = body === null ? null : JSON.stringify(body);
  const settled = useDebounced(key, ms);
  const [state, setState] = useState<{ data: T | null; error: unknown; answered: string | null }>({
    data: null,
    error: null,
    answered: null,
  });
  const latest = useRef<string | null>(null);

  useEffect(() => {
    latest.current = settled;
    if (settled === null) return;
    api
      .post<T>(path, JSON.parse(settled) as unknown)
      .then((data) => {
        if (latest.current === settled) setState({ data, error: null, answered: settled });
      })
      .catch((error: unknown) => {
        if (latest.current === settled) setState((s) => ({ ...s, error, answered: settled }));
      });
  }, [path, settled]);

  return { ...state, pending: key !== null && key !== state.answered };
}
