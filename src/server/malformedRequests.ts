import type { Server } from 'node:http';
import type { Duplex } from 'node:stream';

/**
 * Requests Node's HTTP parser refuses before the app sees them: a header value with a control
 * character (an `Idempotency-Key` holding one, say), a malformed request line, headers too large.
 * Node answers those `400` with an empty body; golive answers in its one error shape, saying what
 * was wrong, so a client (and its user) can tell (QA).
 */
export function answerMalformedRequests(server: Server): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (err.code === 'ECONNRESET' || !socket.writable) {
      socket.destroy();
      return;
    }
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? '431 Request Header Fields Too Large' : '400 Bad Request';
    const body = JSON.stringify({
      error: {
        code: 'invalid_request',
        message: tooLarge
          ? 'the request headers are too large'
          : 'the request could not be read as HTTP: a header name or value holds a character HTTP does not allow (a control character, for instance), or the request line is malformed',
      },
    });
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
