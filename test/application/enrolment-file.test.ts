import { describe, expect, it } from 'vitest';
import { readEnrolmentFile } from '../../src/application/use-cases/import/enrolment-file.ts';

const verdicts = (text: string) =>
  readEnrolmentFile(text).rows.map((row) =>
    row.ok
      ? { line: row.line, username: row.username, secret: row.secret, parameters: row.parameters }
      : { line: row.line, reason: row.reason },
  );

describe('reading a file of existing enrolments', () => {
  it('accepts 128 bits (26 base32 characters) and refuses 120 bits with its own reason', () => {
    expect(verdicts(`a,${'A'.repeat(26)}\nb,${'A'.repeat(24)}`)).toEqual([
      {
        line: 1,
        username: 'a',
        secret: 'A'.repeat(26),
        parameters: { algorithm: 'SHA1', digits: 6, period: 30 },
      },
      { line: 2, reason: 'secret-too-short' },
    ]);
  });

  it('reads secrets the way apps show them: grouped, lower case, padded', () => {
    const [row] = verdicts('Someone , jbsw y3dp ehpk 3pxp jbsw y3dp ehpk 3pxp====\n');
    expect(row).toMatchObject({ username: 'someone', secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP' });
  });

  it('takes the columns of a header in any order, and SHA-256 spelt with a dash', () => {
    const [row] = verdicts(
      'period,algorithm,secret,username\n60,sha-256,JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP,x\n',
    );
    expect(row).toMatchObject({
      line: 2,
      username: 'x',
      parameters: { algorithm: 'SHA256', digits: 6, period: 60 },
    });
  });

  it('takes the account after the issuer in an otpauth label, and refuses HOTP', () => {
    expect(
      verdicts(
        'otpauth://totp/ACME%20Co:jan%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&digits=8\n' +
          'otpauth://hotp/ACME:x?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&counter=0',
      ),
    ).toEqual([
      {
        line: 1,
        username: 'jan@example.com',
        secret: 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP',
        parameters: { algorithm: 'SHA1', digits: 8, period: 30 },
      },
      { line: 2, reason: 'invalid-uri' },
    ]);
  });

  it('reads the good lines around broken ones, and reports each broken line once by its number', () => {
    const secret = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';
    expect(verdicts(`"a"b,x\nalice,${secret}\n"c,unclosed\r\nbob,${secret}\rlee"s,${secret}`)).toEqual([
      { line: 1, reason: 'unreadable-row' },
      { line: 2, username: 'alice', secret, parameters: { algorithm: 'SHA1', digits: 6, period: 30 } },
      { line: 3, reason: 'unreadable-row' },
      { line: 4, username: 'bob', secret, parameters: { algorithm: 'SHA1', digits: 6, period: 30 } },
      { line: 5, reason: 'unreadable-row' },
    ]);
  });

  it('makes one row of a line of 200,000 quotes (csv-parse recovering from each one blocked the service for minutes)', () => {
    expect(verdicts(`{"username":"${'"'.repeat(200_000)}"}`)).toEqual([
      { line: 1, reason: 'unreadable-row' },
    ]);
    expect(verdicts('"'.repeat(200_001))).toHaveLength(1);
  });

  it('refuses every row of a user named twice, whatever the case, since which secret is right is unknown', () => {
    const reasons = readEnrolmentFile(
      `Kim,${'A'.repeat(32)}\nkim,${'B'.repeat(32)}\nlee,${'C'.repeat(32)}`,
    ).rows.map((row) => (row.ok ? 'ok' : row.reason));
    expect(reasons).toEqual(['duplicate-user', 'duplicate-user', 'ok']);
  });
});
