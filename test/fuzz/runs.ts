/**
 * How many generated cases the property tests run. Pure parsers: 10,000 each (issue 8's
 * acceptance); calls through the API or a file are slower, so they run fewer, still many.
 */
export const PURE_RUNS = 10_000;
export const API_RUNS = 300;
export const FILE_RUNS = 100;
