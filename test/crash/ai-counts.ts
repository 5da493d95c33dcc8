/** Shared by the AI crash test and its child (ai-worker.ts): how long each run's work is. */

/** Tool rounds of the reasoning step. */
export const ROUNDS = 8;
/** The person's messages after which the model ends the conversation. */
export const MESSAGES = 12;
