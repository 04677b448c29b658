/**
 * The policy module: packs, time rules, caps, content lint and the send decision.
 */
export * from './consent.js';
export * from './decide.js';
export * from './decision.js';
export * from './lint-memo.js';
export * from './explain.js';
export * from './frequency.js';
export * from './good-windows.js';
export * from './hours.js';
export * from './holidays.js';
export * from './instant.js';
export * from './lint.js';
export * from './packs.js';
export * from './policy-pack.js';
export * from './purposes.js';
export * from './reasons.js';
export * from './resolve.js';
export * from './sources.js';
export * from './time.js';
export * from './windows.js';
