import { resolveBackend } from '../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const pkg = require('../package.json') as { version: string };

/** The wiregrad version and the backend that did the products (read after the run, once it was chosen). */
export function wiregradInfo(): { version: string; backend: string } {
  const r = resolveBackend();
  return { version: pkg.version, backend: `${r.backend.name} (${r.reason})` };
}
