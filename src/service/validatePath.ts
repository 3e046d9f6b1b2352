/**
 * ZooKeeper's PathUtils.validatePath: returns why a znode path is invalid, or null when it is valid.
 * Checked on UTF-16 code units, as Java's chars are, so the disallowed ranges match ZooKeeper's.
 * `sequential` validates a create path that will get a 10-digit suffix (a trailing "/" is then allowed).
 */
export function validatePath(path: string, sequential = false): string | null {
  const checked = sequential ? `${path}1` : path;
  if (checked.length === 0) return 'Path length must be > 0';
  if (checked[0] !== '/') return 'Path must start with / character';
  if (checked.length === 1) return null;
  if (checked.endsWith('/')) return 'Path must not end with / character';
  for (let index = 1; index < checked.length; index++) {
    const reason = invalidCharacterAt(checked, index);
    if (reason !== null) return `Invalid path string "${path}" caused by ${reason} @${index}`;
  }
  return null;
}

export function isValidPath(path: string, sequential = false): boolean {
  return validatePath(path, sequential) === null;
}

function invalidCharacterAt(path: string, index: number): string | null {
  const code = path.charCodeAt(index);
  const previous = path[index - 1];
  const segmentEnds = index + 1 === path.length || path[index + 1] === '/';
  if (code === 0) return 'null character not allowed';
  if (path[index] === '/' && previous === '/') return 'empty node name specified';
  if (path[index] === '.' && previous === '.') {
    return path[index - 2] === '/' && segmentEnds ? 'relative paths not allowed' : null;
  }
  if (path[index] === '.') {
    return previous === '/' && segmentEnds ? 'relative paths not allowed' : null;
  }
  return isDisallowedCodeUnit(code) ? 'invalid character' : null;
}

/** Control characters, C1 controls, surrogates plus the private use area, and the specials block. */
function isDisallowedCodeUnit(code: number): boolean {
  return (
    (code > 0x0000 && code <= 0x001f) ||
    (code >= 0x007f && code <= 0x009f) ||
    (code >= 0xd800 && code <= 0xf8ff) ||
    (code >= 0xfff0 && code <= 0xffff)
  );
}

/** The parent of a valid, non-root path ("/a/b" → "/a", "/a" → "/"). */
export function parentPath(path: string): string {
  const lastSlash = path.lastIndexOf('/');
  if (lastSlash < 0 || path === '/') throw new Error(`parentPath: "${path}" has no parent`);
  return lastSlash === 0 ? '/' : path.slice(0, lastSlash);
}

/** The last segment of a non-root path ("/a/b" → "b"). */
export function childName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}
