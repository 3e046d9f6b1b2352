import { describe, expect, it } from 'vitest';
import { isValidPath, validatePath } from '../../src/service/validatePath.js';

describe('validatePath follows ZooKeeper\'s PathUtils', () => {
  it.each(['/', '/a', '/a/b', '/a.b', '/..a', '/a..', '/.a.', '/zookeeper', '/\u00e9t\u00e9', '/a b'])('accepts %j', (path) => {
    expect(validatePath(path)).toBeNull();
  });

  it.each(['', 'a', 'a/b', '/a/', '//', '/a//b', '/.', '/..', '/a/.', '/a/../b', '/a\u0000', '/a\u001f', '/a\u007f', '/a\u0085',
    '/a\ud83d\ude00', '/a\ue000', '/a\ufff0', '/a\uffff'])('rejects %j', (path) => {
    expect(validatePath(path)).not.toBeNull();
  });

  it('a sequential create may end with a slash, because the suffix follows it', () => {
    expect(isValidPath('/a/', true)).toBe(true);
    expect(isValidPath('/', true)).toBe(true);
    expect(isValidPath('/a//', true)).toBe(false);
  });

  it('the reason names the offending position', () => {
    expect(validatePath('/a//b')).toBe('Invalid path string "/a//b" caused by empty node name specified @3');
  });
});
