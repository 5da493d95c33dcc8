// Types of actions.mjs for TypeScript callers (the outreach test imports it).
import type { ActionDefinition } from '../../src/actions/action.js';
export declare const emailSend: ActionDefinition;
declare const actions: ActionDefinition[];
export default actions;
