import { StrictMode, useEffect, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { Layout } from './app/layout';
import { Router } from './app/router';
import { appRoutes } from './app/routes';
import './styles.css';

function NotFound() {
  return <p>No view at {location.pathname}.</p>;
}

function App() {
  // The layout's navigation follows the path too.
  const [, setPath] = useState(location.pathname);
  useEffect(() => {
    const onPop = () => setPath(location.pathname);
    addEventListener('popstate', onPop);
    return () => removeEventListener('popstate', onPop);
  }, []);
  return (
    <Layout>
      <Router routes={appRoutes} fallback={NotFound} />
    </Layout>
  );
}

// The app opens on its flows.
if (location.pathname === '/') history.replaceState(null, '', '/flows');
const root = document.getElementById('root');
if (root)
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
