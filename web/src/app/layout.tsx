/** The frame around every view: navigation, the API key (kept in this browser), the view. */
import { type ReactNode, useState } from 'react';
import { apiKey } from '../api/client';
import { Link } from './router';
import { appRoutes } from './routes';

export function Layout({ children }: { children: ReactNode }) {
  const [key, setKey] = useState(apiKey.get());
  const path = location.pathname;
  return (
    <div className="app">
      <header>
        <Link to="/flows" className="brand">
          Runloom
        </Link>
        <nav aria-label="Views">
          {appRoutes
            .filter((route) => route.nav)
            .map((route) => (
              <Link key={route.pattern} to={route.pattern} aria-current={path.startsWith(route.pattern) ? 'page' : undefined}>
                {route.nav}
              </Link>
            ))}
        </nav>
        <label className="key">
          API key
          <input
            type="password"
            placeholder="none (loopback)"
            value={key}
            onChange={(e) => {
              setKey(e.target.value);
              apiKey.set(e.target.value.trim());
            }}
          />
        </label>
      </header>
      <main>{children}</main>
    </div>
  );
}
