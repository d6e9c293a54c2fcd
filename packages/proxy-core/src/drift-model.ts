/**
 * The drift model of `@mcptrust/drift`, as the engine uses it: imported dynamically
 * (engine.ts, loadDriftModel) through this module, and from the comparison's own entry
 * rather than the package index, so that a bundle loads only what the comparison needs,
 * and only when a preflight found something to grade.
 */
export { compareLiveListing } from '@mcptrust/drift/compare-live-listing';
