/** Where a prompt run and a chat live in the app. */
export const promptRunPath = (promptRunId: string) => `/prompts/runs/${encodeURIComponent(promptRunId)}`;
export const chatPath = (chatId: string) => `/chats/${encodeURIComponent(chatId)}`;
