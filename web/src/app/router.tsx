/**
 * A small path router over the History API: each view is a `ViewRoute` (a pattern like
 * `/runs/:runId`, a component taking the named parts). A later view (prompts, swarms, journeys)
 * is a folder under views/ plus one entry in routes.ts. `runloom serve` answers every path that
 * is not /v1 with the app, so a link can be opened directly.
 */
import { type AnchorHTMLAttributes, type ComponentType, type MouseEvent, useEffect, useState } from 'react';

export interface ViewRoute {
  readonly pattern: string;
  readonly view: ComponentType<{ params: Record<string, string> }>;
}

export function navigate(to: string) {
  history.pushState(null, '', to);
  dispatchEvent(new PopStateEvent('popstate'));
}

function match(pattern: string, path: string): Record<string, string> | undefined {
  const want = pattern.split('/').filter(Boolean);
  const have = path.split('/').filter(Boolean);
  if (want.length !== have.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(':')) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return undefined;
  }
  return params;
}

export function Router({ routes, fallback }: { routes: readonly ViewRoute[]; fallback: ComponentType }) {
  const [path, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  const Fallback = fallback;
  for (const route of routes) {
    const params = match(route.pattern, path);
    if (params) {
      const View = route.view;
      return <View key={path} params={params} />;
    }
  }
  return <Fallback />;
}

/** An in-app link: a real `<a href>` (keyboard, new tab) that navigates without a reload. */
export function Link({ to, ...rest }: { to: string } & AnchorHTMLAttributes<HTMLAnchorElement>) {
  const onClick = (event: MouseEvent<HTMLAnchorElement>) => {
    if (event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
    event.preventDefault();
    navigate(to);
  };
  return <a href={to} onClick={onClick} {...rest} />;
}
