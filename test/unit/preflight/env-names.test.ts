import { parseEnvNames, parseNameList } from '../../../src/rollback/preflight/env-names';

describe('parseEnvNames', () => {
  it('reads names from assignments, export lines and bare names, skipping comments and blanks', () => {
    const text = [
      '# database',
      'DATABASE_URL=postgres://localhost/app',
      '',
      'export NEXTAUTH_SECRET="x"',
      '  SENTRY_DSN =',
      'BARE_NAME',
      '#COMMENTED=1',
    ].join('\n');
    expect(parseEnvNames(text)).toEqual(['DATABASE_URL', 'NEXTAUTH_SECRET', 'SENTRY_DSN', 'BARE_NAME']);
  });

  it('skips the lines of a quoted multi-line value instead of reading them as names', () => {
    const text = [
      'PRIVATE_KEY="-----BEGIN KEY-----',
      'NOT_A_NAME=inside the value',
      '-----END KEY-----"',
      'AFTER=1',
    ].join('\n');
    expect(parseEnvNames(text)).toEqual(['PRIVATE_KEY', 'AFTER']);
  });

  it('keeps a one-line quoted value on one line, escaped quotes included', () => {
    expect(parseEnvNames('A="say \\"hi\\""\nB=2\r\nC=\'x\'')).toEqual(['A', 'B', 'C']);
  });

  it('lists a repeated name once and ignores lines that are not names', () => {
    expect(parseEnvNames('A=1\nA=2\n1BAD=3\nhello world\nB=')).toEqual(['A', 'B']);
  });
});

describe('parseNameList', () => {
  it('splits a one-line list on commas and spaces', () => {
    expect(parseNameList('DATABASE_URL, NEXTAUTH_SECRET  SENTRY_DSN,')).toEqual([
      'DATABASE_URL',
      'NEXTAUTH_SECRET',
      'SENTRY_DSN',
    ]);
  });
});
