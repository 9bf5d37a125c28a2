/**
 * The sandbox runtime: runs an image's entrypoint under runc, isolated (user, pid, mount,
 * network, ipc, uts and cgroup namespaces; Docker's capabilities at most; seccomp; cgroup
 * limits; a size-capped writable layer), and removes everything it made, whatever happens.
 *
 *   const prepared = await prepareRun(source, image, options);
 *   try {
 *     const result = await runPrepared(prepared, { timeoutMs, onCreated });
 *     const dropped = await collectDropped(prepared.upperDir);
 *   } finally {
 *     await dispose(prepared);
 *   }
 */
export { prepareRun, dispose } from './bundle.js';
export { runPrepared } from './runc.js';
export { collectDropped, collectChanges, type CollectLimits, type WritableLayerChanges } from './dropped.js';
export { cleanupStaleRuns, registryDir, type StaleCleanup } from './cleanup.js';
export { DOCKER_DEFAULT_CAPS, MASKED_PATHS, READONLY_PATHS } from './oci-config.js';
export { commandOf } from './process-spec.js';
export {
  DEFAULT_ID_MAP,
  DEFAULT_LIMITS,
  type CreatedContainer,
  type IdMap,
  type PrepareOptions,
  type PreparedRun,
  type ProcessSpec,
  type RunOptions,
  type RunResult,
  type SandboxLimits,
  type UnpackBudgets,
} from './types.js';
