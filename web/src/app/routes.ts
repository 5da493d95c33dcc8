/** Every view of the app, in one table; the navigation lists those with a `nav` label. */
import { ChatPage } from '../views/chats/chat-page';
import { ChatsList } from '../views/chats/chats-list';
import { FlowPage } from '../views/flows/flow-page';
import { FlowsList } from '../views/flows/flows-list';
import { PeopleInbox } from '../views/people/people-inbox';
import { PromptRunPage } from '../views/prompts/prompt-run-page';
import { PromptsPage } from '../views/prompts/prompts-page';
import { RunPage } from '../views/runs/run-page';
import { RunsList } from '../views/runs/runs-list';
import type { ViewRoute } from './router';

export interface AppRoute extends ViewRoute {
  readonly nav?: string;
}

export const appRoutes: readonly AppRoute[] = [
  { pattern: '/flows', view: FlowsList, nav: 'Flows' },
  { pattern: '/flows/:flowId', view: FlowPage },
  { pattern: '/flows/:flowId/versions/:version', view: FlowPage },
  { pattern: '/runs', view: RunsList, nav: 'Runs' },
  { pattern: '/runs/:runId', view: RunPage },
  { pattern: '/people', view: PeopleInbox, nav: 'Waiting for people' },
  { pattern: '/prompts', view: PromptsPage, nav: 'Prompts' },
  { pattern: '/prompts/runs/:promptRunId', view: PromptRunPage },
  { pattern: '/chats', view: ChatsList, nav: 'Chats' },
  { pattern: '/chats/:chatId', view: ChatPage },
];
