// @ts-check
// golive UI: forms post JSON to the API (with the page's CSRF token) and show the outcome in
// place; run pages refresh their live region by polling. No framework: the server renders HTML
// (escaped there), these modules only move it. Loaded as a module (deferred, strict); each part
// is a module of its own beside this one, type-checked by `npm run typecheck` (tsconfig.json here).
import { installApiForms } from './apiForms.mjs';
import { installFieldErrors } from './fieldErrors.mjs';
import { installFiles } from './files.mjs';
import { installLive } from './live.mjs';
import { installPasskeys } from './passkeys.mjs';

installFieldErrors();
installApiForms();
installPasskeys();
installFiles();
installLive();
