import { describe, expect, it } from 'vitest';
import { targetOf } from '../../src/server/targetLock';

const of = (target: string) => targetOf({ system: 'claims-assistant', runbook: { target } as never });

describe('the production target a run locks', () => {
  it('is one target however its URL is written', () => {
    expect(of('https://CLAIMS.example.org:443/')).toBe('https://claims.example.org');
    expect(of('HTTPS://claims.example.org')).toBe('https://claims.example.org');
    expect(of('Http://127.0.0.1:8410')).toBe('http://localhost:8410');
    expect(of('http://127.0.0.1:8410')).toBe('http://localhost:8410');
    for (const alias of [
      'http://localhost:8410/',
      'http://[::1]:8410',
      'http://127.0.0.2:8410',
      'http://app.localhost:8410',
    ])
      expect(of(alias), alias).toBe(of('http://127.0.0.1:8410'));
  });

  it('tells different ports, paths, hosts and schemes apart', () => {
    const first = of('http://127.0.0.1:8410');
    for (const other of [
      'http://127.0.0.1:8411',
      'http://127.0.0.1:8410/eu',
      'http://10.0.0.1:8410',
      'https://127.0.0.1:8410',
    ])
      expect(of(other), other).not.toBe(first);
  });

  it('falls back to the text, or the system when the runbook names no target', () => {
    expect(of('mainframe CICS region 7')).toBe('mainframe CICS region 7');
    expect(targetOf({ system: 'claims-assistant', runbook: {} as never })).toBe('system claims-assistant');
  });
});
