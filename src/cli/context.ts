import { ApiClient } from './api';
import { resolveConnection } from './config';
import { painter, type Io, type Paint } from './output';

/** What every command gets: where to write, and (lazily) the API client for this user. */
export interface CommandContext {
  io: Io;
  /** Colours for stdout (off when piped or with NO_COLOR). */
  paint: Paint;
  /** Resolves the URL and token only when a command needs the server: local ones never do. */
  api(): Promise<ApiClient>;
}

export function createContext(io: Io, fetchImpl?: typeof fetch): CommandContext {
  let client: Promise<ApiClient> | undefined;
  return {
    io,
    paint: painter(io.stdout, io.env),
    api: () => (client ??= resolveConnection(io.env).then((conn) => new ApiClient(conn, fetchImpl))),
  };
}
