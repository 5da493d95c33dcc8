export { advance } from './advance.js';
export { type BranchView, type Progress, progressOf } from './progress.js';
export { foldTail, replay, toEngineEvent } from './replay.js';
export { createRunState, snapshotState } from './run-state.js';
export * from './types.js';
