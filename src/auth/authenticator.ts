import type { IncomingMessage } from 'node:http';
import { ApiTokens } from './apiTokens';
import type { Directory } from './directory';
import { isTrustedPeer, type TrustedProxy } from './proxy';
import {
  CSRF_HEADER,
  parseCookies,
  SESSION_COOKIE,
  type LoginMethod,
  type Session,
  type SessionStore,
} from './sessions';
import type { LoginThrottle } from './throttle';
import type { Person } from './users';

/**
 * Who is making this request: one place that knows the three ways in (bearer token — from the
 * users file or issued by golive —, trusted proxy header, session cookie — after a password or
 * an OpenID Connect login) and what each needs (CSRF for anything a browser sends ambiently).
 * People are looked up in the directory (users file and OpenID Connect people) at each request,
 * so their roles are the directory's now. The server turns the result into 401 / 403; this
 * module never writes responses.
 */

export type Principal =
  | { person: Person; via: 'token' }
  | { person: Person; via: 'proxy' }
  | { person: Person; via: 'session'; session: Session };

export type Identification =
  | { kind: 'anonymous' }
  | { kind: 'ok'; principal: Principal }
  /** Credentials were presented but are not valid: never fall back to another method. */
  | { kind: 'invalid'; message: string };

export type LoginResult =
  | { kind: 'ok'; person: Person; cookie: string; maxAgeMs: number }
  | { kind: 'invalid' }
  | { kind: 'throttled'; retryAfterSeconds: number };

export interface AuthenticatorDeps {
  directory: Directory;
  tokens: ApiTokens;
  sessions: SessionStore;
  throttle: LoginThrottle;
  proxy?: TrustedProxy;
}

const PROXY_CSRF_PREFIX = 'proxy:';

export class Authenticator {
  readonly directory: Directory;
  readonly tokens: ApiTokens;
  private readonly sessions: SessionStore;
  private readonly throttle: LoginThrottle;
  private readonly proxy: TrustedProxy | undefined;

  constructor(deps: AuthenticatorDeps) {
    this.directory = deps.directory;
    this.tokens = deps.tokens;
    this.sessions = deps.sessions;
    this.throttle = deps.throttle;
    this.proxy = deps.proxy;
  }

  /** Who asked, per request: asked twice (an idempotent retry's check, then its route), looked up once. */
  private readonly identified = new WeakMap<IncomingMessage, Promise<Identification>>();

  /** Async: a session cookie is looked up in the database, where every web server sees logouts. */
  identify(req: IncomingMessage): Promise<Identification> {
    let answer = this.identified.get(req);
    if (!answer) {
      answer = this.lookUp(req);
      this.identified.set(req, answer);
    }
    return answer;
  }

  private async lookUp(req: IncomingMessage): Promise<Identification> {
    const authorization = req.headers.authorization;
    if (authorization !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
      if (!m?.[1]) return { kind: 'invalid', message: 'the Authorization header must be "Bearer <token>"' };
      const person = await this.personOfToken(m[1]);
      return person
        ? { kind: 'ok', principal: { person, via: 'token' } }
        : { kind: 'invalid', message: 'unknown, expired or revoked API token' };
    }
    if (this.proxy && isTrustedPeer(this.proxy, req.socket.remoteAddress)) {
      const value = req.headers[this.proxy.header];
      if (typeof value === 'string' && value.trim()) {
        const person = this.directory.file.get(value.trim());
        return person
          ? { kind: 'ok', principal: { person, via: 'proxy' } }
          : { kind: 'invalid', message: `the proxy named "${value.trim()}", who is not in the users file` };
      }
    }
    const cookie = parseCookies(req.headers.cookie)[SESSION_COOKIE];
    if (cookie) {
      const session = await this.sessions.verify(cookie);
      const person = session && (await this.directory.get(session.userId));
      // An expired or forged cookie is treated as no session: the browser is sent to log in.
      if (session && person) return { kind: 'ok', principal: { person, via: 'session', session } };
    }
    return { kind: 'anonymous' };
  }

  private async personOfToken(token: string): Promise<Person | undefined> {
    if (!ApiTokens.isIssued(token)) return this.directory.file.findByToken(token);
    const userId = await this.tokens.find(token);
    return userId === undefined ? undefined : this.directory.get(userId);
  }

  /** A session for someone the identity provider vouched for (routes/oidc.ts checked the login). */
  async startSession(person: Person, method: LoginMethod): Promise<{ cookie: string; maxAgeMs: number }> {
    const { cookie, maxAgeMs } = await this.sessions.issue(person.id, method);
    return { cookie, maxAgeMs };
  }

  /** The token pages embed for state-changing requests; API tokens need none. */
  csrfToken(p: Principal): string | undefined {
    if (p.via === 'session') return this.sessions.csrfToken(p.session.sid);
    if (p.via === 'proxy') return this.sessions.csrfToken(PROXY_CSRF_PREFIX + p.person.id);
    return undefined;
  }

  /** Browsers send cookies and proxy headers ambiently: those requests must carry the token. */
  checkCsrf(p: Principal, req: IncomingMessage): boolean {
    if (p.via === 'token') return true;
    const presented = req.headers[CSRF_HEADER];
    const bindTo = p.via === 'session' ? p.session.sid : PROXY_CSRF_PREFIX + p.person.id;
    return this.sessions.checkCsrf(bindTo, typeof presented === 'string' ? presented : undefined);
  }

  /** The attempt is reserved before the password is hashed, so parallel guesses are counted. */
  async login(userId: string, password: string, clientAddress: string): Promise<LoginResult> {
    const reservation = await this.throttle.reserve(userId, clientAddress);
    if (!reservation.ok) return { kind: 'throttled', retryAfterSeconds: reservation.retryAfterSeconds };
    const person = await this.directory.file.verifyPassword(userId, password);
    if (!person) return { kind: 'invalid' };
    await reservation.succeeded();
    const { cookie, maxAgeMs } = await this.sessions.issue(person.id);
    return { kind: 'ok', person, cookie, maxAgeMs };
  }

  async logout(p: Principal): Promise<void> {
    if (p.via === 'session') await this.sessions.revoke(p.session);
  }
}
