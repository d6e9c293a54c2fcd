/**
 * SIEM mappings of MCPTrust decisions: OCSF API Activity and Elastic Common Schema.
 */
export { OCSF_SCHEMA_VERSION, OCSF_REQUIRED_ATTRIBUTES, toOcsfApiActivity } from './ocsf.js';
export type { SiemContext } from './ocsf.js';
export { ECS_VERSION, toEcsEvent } from './ecs.js';
