// The console's shell: sign-in gate, header with navigation and theme, and the hash router.
// Why Preact: components + hooks keep live pages (streams, polling, forms) short and readable at
// ~4 KB gzipped, with no runtime dependency of the server (see docs/adr/0015-web-console.md).
import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { setUnauthorizedHandler, token, verifyToken } from './api.js';
import { THEME_EVENT } from './chart.js';
import { useHashRoute, useStored } from './hooks.js';
import { Events } from './pages/events.js';
import { JobDetail } from './pages/job-detail.js';
import { Jobs } from './pages/jobs.js';
import { Overview } from './pages/overview.js';
import { Queues } from './pages/queues.js';
import { Submit } from './pages/submit.js';
import { Workers } from './pages/workers.js';
import './styles.css';

const NAV: Array<{ path: string; label: string }> = [
  { path: '/', label: 'Overview' }, { path: '/jobs', label: 'Jobs' }, { path: '/submit', label: 'Submit' },
  { path: '/workers', label: 'Workers' }, { path: '/events', label: 'Events' }, { path: '/queues', label: 'Queues & schedules' },
];

function page(route: string): { title: string; body: preact.JSX.Element } {
  const job = /^\/jobs\/([A-Za-z0-9._-]+)$/.exec(route);
  if (job?.[1]) return { title: 'Job', body: <JobDetail id={job[1]} /> };
  switch (route) {
    case '/jobs': return { title: 'Jobs', body: <Jobs /> };
    case '/submit': return { title: 'Submit', body: <Submit /> };
    case '/workers': return { title: 'Workers', body: <Workers /> };
    case '/events': return { title: 'Events', body: <Events /> };
    case '/queues': return { title: 'Queues & schedules', body: <Queues /> };
    case '/': return { title: 'Overview', body: <Overview /> };
    default: return { title: 'Not found', body: <><h1>Not found</h1><p>No page <code>{route}</code>. <a href="#/">Overview</a></p></> };
  }
}

type Theme = 'system' | 'light' | 'dark';

function App() {
  const [signedIn, setSignedIn] = useState(() => token.get() !== null);
  const [expired, setExpired] = useState(false);
  const [theme, setTheme] = useStored<Theme>('hodei.theme', 'system');
  const route = useHashRoute();
  const main = useRef<HTMLElement>(null);

  useEffect(() => {
    setUnauthorizedHandler(() => {
      token.clear();
      setExpired(true);
      setSignedIn(false);
    });
  }, []);
  useEffect(() => {
    if (theme === 'system') delete document.documentElement.dataset.theme;
    else document.documentElement.dataset.theme = theme;
    window.dispatchEvent(new Event(THEME_EVENT));
    const media = matchMedia('(prefers-color-scheme: dark)');
    const onSystem = (): void => { if (theme === 'system') window.dispatchEvent(new Event(THEME_EVENT)); };
    media.addEventListener('change', onSystem);
    return () => media.removeEventListener('change', onSystem);
  }, [theme]);

  const { title, body } = page(route);
  useEffect(() => {
    document.title = `${title} · Hodei`;
    // After navigating, keyboard and screen-reader users start at the new page's heading.
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [route, signedIn]);

  const active = route.startsWith('/jobs/') ? '/jobs' : route;
  return (
    <>
      <a class="skip" href="#main" onClick={(e) => { e.preventDefault(); main.current?.focus(); }}>Skip to content</a>
      <header class="top">
        <a class="brand" href="#/">Hodei</a>
        {signedIn && (
          <nav aria-label="Main">
            <ul>
              {NAV.map((n) => (
                <li key={n.path}><a href={`#${n.path}`} aria-current={active === n.path ? 'page' : undefined}>{n.label}</a></li>
              ))}
            </ul>
          </nav>
        )}
        <div class="tools">
          <label class="inline small">Theme{' '}
            <select value={theme} onChange={(e) => setTheme(e.currentTarget.value as Theme)}>
              <option value="system">system</option><option value="light">light</option><option value="dark">dark</option>
            </select>
          </label>
          {signedIn && <button type="button" onClick={() => { token.clear(); setExpired(false); setSignedIn(false); }}>Sign out</button>}
        </div>
      </header>
      <main id="main" ref={main} tabIndex={-1}>
        {signedIn ? body : <SignIn expired={expired} onDone={() => { setExpired(false); setSignedIn(true); }} />}
      </main>
    </>
  );
}

function SignIn({ expired, onDone }: { expired: boolean; onDone: () => void }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState<string | undefined>(expired ? 'The server no longer accepts the token: sign in again.' : undefined);
  const [busy, setBusy] = useState(false);
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    const t = value.trim();
    if (!t) return setError('Enter the API token.');
    setBusy(true);
    try {
      await verifyToken(t);
      token.set(t);
      onDone();
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section class="signin card" aria-labelledby="signin-h">
      <h1 id="signin-h" tabIndex={-1}>Sign in</h1>
      <p>The console uses the same API token as the CLI. <code>hodei server</code> prints it when it creates it, and keeps it in
        {' '}<code>&lt;data dir&gt;/api-token</code>. It stays in this tab only (session storage).</p>
      <form onSubmit={(e) => void submit(e)} noValidate>
        <label for="token">API token</label>
        <input id="token" name="token" type="password" autoComplete="current-password" value={value}
          aria-invalid={error ? 'true' : undefined} aria-describedby={error ? 'token-error' : undefined}
          onInput={(e) => setValue(e.currentTarget.value)} />
        {error && <p id="token-error" class="field-error" role="alert">{error}</p>}
        <div class="actions"><button type="submit" class="primary" disabled={busy}>{busy ? 'Checking…' : 'Sign in'}</button></div>
      </form>
    </section>
  );
}

const root = document.getElementById('app');
if (root) render(<App />, root);
