/** The served OpenAPI document, and whether a (method, path, status) is one it lists. */
import type { Json } from './support.js';

export interface Documented {
  /** The documented route a concrete request path falls on, if any. */
  routeOf(method: string, path: string): string | undefined;
  /** The statuses the document lists for a route (`METHOD /path/{param}`). */
  statusesOf(route: string): string[];
}

export function documented(doc: Json): Documented {
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  }));
  return {
    routeOf(method, path) {
      const bare = path.split('?')[0];
      // A literal segment wins over a parameter (`/v1/flows/drafts` over `/v1/flows/{flowId}`).
      const matches = templates.filter((t) => t.pattern.test(bare) && doc.paths[t.template][method.toLowerCase()]);
      matches.sort((a, b) => (a.template.match(/\{/g)?.length ?? 0) - (b.template.match(/\{/g)?.length ?? 0));
      return matches[0] && `${method.toUpperCase()} ${matches[0].template}`;
    },
    statusesOf(route) {
      const [method, path] = route.split(' ');
      return Object.keys(doc.paths[path]?.[method.toLowerCase()]?.responses ?? {});
    },
  };
}
