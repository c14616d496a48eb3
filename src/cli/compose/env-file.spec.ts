import { describe, expect, it } from '@jest/globals';
import { EnvFileError, parseEnvFile } from './env-file.js';

const none = (): undefined => undefined;

describe('parseEnvFile', () => {
  it('reads KEY=value lines with comments, blanks, export and inline comments', () => {
    const text = '# settings\n\nMAX=5368709120\nexport DAYS = 14 \nURL=http://x/#anchor # a comment\nEMPTY=\n';
    expect(parseEnvFile(text, '.env', none)).toEqual({ MAX: '5368709120', DAYS: '14', URL: 'http://x/#anchor', EMPTY: '' });
  });

  it('keeps single-quoted values literal and unescapes double-quoted ones, across lines', () => {
    const text = `A='$HOME \\n # not a comment'\nB="tab\\there \\"q\\" \\$5"\nC="line one\nline two"\nD='x' # comment\n`;
    expect(parseEnvFile(text, '.env', none)).toEqual({ A: '$HOME \\n # not a comment', B: 'tab\there "q" $5', C: 'line one\nline two', D: 'x' });
  });

  it('interpolates from the environment first, then the lines above', () => {
    const env = (name: string): string | undefined => ({ ROOT: '/srv' })[name];
    const text = 'ROOT=/ignored\nBASE=${ROOT}/data\nLOGS="${BASE}/logs"\nSIZE=${UNSET:-100}\n';
    expect(parseEnvFile(text, '.env', env)).toEqual({ ROOT: '/ignored', BASE: '/srv/data', LOGS: '/srv/data/logs', SIZE: '100' });
  });

  it('takes a bare KEY from the environment when it is set there', () => {
    expect(parseEnvFile('TOKEN\nOTHER\n', '.env', (n) => (n === 'TOKEN' ? 't' : undefined))).toEqual({ TOKEN: 't' });
  });

  it('names the file and line of a bad name or an unclosed quote', () => {
    expect(() => parseEnvFile('OK=1\n1BAD=2\n', 'app/.env', none)).toThrow(new EnvFileError('app/.env:2: "1BAD" is not a variable name'));
    expect(() => parseEnvFile('A="open\nB=2\n', '.env', none)).toThrow('.env:1: the value of A has no closing "');
    expect(() => parseEnvFile("A='x' y\n", '.env', none)).toThrow('.env:1: unexpected text after the quoted value of A');
  });
});
