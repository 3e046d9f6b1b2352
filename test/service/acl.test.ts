import { describe, expect, it } from 'vitest';
import type { ACL, Id } from '../../src/service/Acl.js';
import { Ids } from '../../src/service/Acl.js';
import { Code } from '../../src/service/Code.js';
import { OpCode } from '../../src/service/OpCode.js';
import { Perms } from '../../src/service/Perms.js';
import { checkACL } from '../../src/service/checkACL.js';
import { fixupACL } from '../../src/service/fixupACL.js';
import { generateDigest } from '../../src/service/generateDigest.js';
import { ipMatches } from '../../src/service/ipMatches.js';
import { Ensemble, create, del, setData } from './ensemble.js';

const alice: Id = { scheme: 'digest', id: generateDigest('alice:secret') };
const bob: Id = { scheme: 'digest', id: generateDigest('bob:hunter2') };
const fromLan: Id = { scheme: 'ip', id: '10.1.2.3' };
const fromElsewhere: Id = { scheme: 'ip', id: '192.168.0.9' };

function withNode(acl: readonly ACL[], authInfo: readonly Id[] = [alice]): { ensemble: Ensemble; session: bigint } {
  const ensemble = new Ensemble();
  const session = ensemble.openSession();
  const outcome = ensemble.write(session, create('/n', 'secret', 0, acl), authInfo);
  expect(outcome.err).toBe(Code.Ok);
  return { ensemble, session };
}

describe('ACLs', () => {
  it('generateDigest is ZooKeeper\'s user:base64(sha1(user:password))', () => {
    // The value ZooKeeper's DigestAuthenticationProvider prints for "super:test"... computed independently:
    expect(generateDigest('alice:secret')).toMatch(/^alice:[A-Za-z0-9+/]{27}=$/);
    expect(generateDigest('alice:secret')).toBe(generateDigest('alice:secret'));
    expect(generateDigest('alice:secret')).not.toBe(generateDigest('alice:Secret'));
  });

  it('world:anyone grants its permissions to everybody', () => {
    const { ensemble, session } = withNode(Ids.READ_ACL_UNSAFE);
    expect(ensemble.read(session, { type: OpCode.getData, path: '/n', watch: false }, []).err).toBe(Code.Ok);
    expect(ensemble.write(session, setData('/n', 'x'), []).err).toBe(Code.NoAuth);
  });

  it('digest grants only to a client that authenticated with the same user and password', () => {
    const { ensemble, session } = withNode([{ perms: Perms.ALL, id: alice }]);
    expect(ensemble.write(session, setData('/n', 'x'), [alice]).err).toBe(Code.Ok);
    expect(ensemble.write(session, setData('/n', 'x'), [bob]).err).toBe(Code.NoAuth);
    expect(ensemble.read(session, { type: OpCode.getData, path: '/n', watch: false }, [bob]).err).toBe(Code.NoAuth);
  });

  it('ip grants to addresses in the ACL\'s network', () => {
    const { ensemble, session } = withNode([{ perms: Perms.READ | Perms.WRITE, id: { scheme: 'ip', id: '10.0.0.0/8' } }]);
    expect(ensemble.write(session, setData('/n', 'x'), [fromLan]).err).toBe(Code.Ok);
    expect(ensemble.write(session, setData('/n', 'x'), [fromElsewhere]).err).toBe(Code.NoAuth);
    expect(ipMatches('10.1.2.3', '10.1.2.3')).toBe(true);
    expect(ipMatches('10.1.2.4', '10.1.2.3')).toBe(false);
    expect(ipMatches('10.1.2.4', '10.1.2.0/29')).toBe(true);
    expect(ipMatches('10.1.2.4', '10.1.2.0/30')).toBe(false);
  });

  it('each operation asks for its own permission: create and delete on the parent, write, read and admin on the node', () => {
    const { ensemble, session } = withNode([{ perms: Perms.READ | Perms.CREATE, id: Ids.ANYONE_ID_UNSAFE }]);
    expect(ensemble.write(session, create('/n/child'), []).err).toBe(Code.Ok);
    expect(ensemble.write(session, del('/n/child'), []).err).toBe(Code.NoAuth);
    expect(ensemble.write(session, setData('/n', 'x'), []).err).toBe(Code.NoAuth);
    expect(ensemble.write(session, { type: OpCode.setACL, path: '/n', acl: Ids.OPEN_ACL_UNSAFE, version: -1 }, []).err).toBe(Code.NoAuth);
    expect(ensemble.write(session, { type: OpCode.check, path: '/n', version: -1 }, []).err).toBe(Code.Ok);
    // DELETE is checked on the parent: the open root lets /n go, once it is empty.
    expect(ensemble.write(session, del('/n'), []).err).toBe(Code.NotEmpty);
  });

  it('delete without DELETE on the parent is NoAuth even before the node is looked up', () => {
    const { ensemble, session } = withNode([{ perms: Perms.READ, id: Ids.ANYONE_ID_UNSAFE }]);
    expect(ensemble.write(session, del('/n/missing'), []).err).toBe(Code.NoAuth);
  });

  it('the auth scheme expands to the creator\'s digest ids, and needs one', () => {
    const { ensemble, session } = withNode(Ids.CREATOR_ALL_ACL, [alice, fromLan]);
    expect(ensemble.tree.getNode('/n')?.acl).toEqual([{ perms: Perms.ALL, id: alice }]);
    expect(ensemble.write(session, create('/m', '', 0, Ids.CREATOR_ALL_ACL), [fromLan]).err).toBe(Code.InvalidACL);
  });

  it('malformed ids and unknown schemes are InvalidACL', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    const invalid: Id[] = [
      { scheme: 'digest', id: 'no-colon' },
      { scheme: 'ip', id: '10.0.0.300' },
      { scheme: 'ip', id: '10.0.0.0/33' },
      { scheme: 'world', id: 'someone' },
      { scheme: 'kerberos', id: 'x' },
    ];
    for (const id of invalid) {
      expect(ensemble.write(session, create('/x', '', 0, [{ perms: Perms.ALL, id }])).err).toBe(Code.InvalidACL);
    }
    expect(ensemble.tree.getNode('/x')).toBeUndefined();
  });

  it('a valid list without duplicates or auth is kept as the very array asked for; others are rebuilt', () => {
    const digestAcl: ACL[] = [{ perms: Perms.READ, id: alice }, { perms: Perms.ALL, id: fromLan }];
    expect(fixupACL(Ids.OPEN_ACL_UNSAFE, [])).toBe(Ids.OPEN_ACL_UNSAFE);
    expect(fixupACL(digestAcl, [])).toBe(digestAcl);
    const duplicated = [...Ids.OPEN_ACL_UNSAFE, { perms: Perms.ALL, id: { scheme: 'world', id: 'anyone' } }];
    expect(fixupACL(duplicated, [])).toEqual(Ids.OPEN_ACL_UNSAFE);
    const withAuth = [...digestAcl, ...Ids.CREATOR_ALL_ACL];
    expect(fixupACL(withAuth, [bob])).toEqual([...digestAcl, { perms: Perms.ALL, id: bob }]);
    expect(fixupACL([...digestAcl, { perms: Perms.ALL, id: { scheme: 'ip', id: '10.0.0.300' } }], [])).toBe(Code.InvalidACL);
    expect(fixupACL([], [])).toBe(Code.InvalidACL);
  });

  it('schemes named like Object.prototype members are unknown schemes, in ACLs and in checks', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    for (const scheme of ['constructor', 'toString', 'hasOwnProperty', '__proto__', 'valueOf']) {
      expect(ensemble.write(session, create('/x', '', 0, [{ perms: Perms.ALL, id: { scheme, id: 'x' } }])).err).toBe(Code.InvalidACL);
    }
    expect(ensemble.tree.getNode('/x')).toBeUndefined();
    expect(checkACL([{ perms: Perms.ALL, id: { scheme: 'hasOwnProperty', id: 'x' } }], Perms.READ, [{ scheme: 'hasOwnProperty', id: 'x' }])).toBe(false);
  });

  it('a super identity passes every check', () => {
    const { ensemble, session } = withNode([{ perms: Perms.READ, id: alice }]);
    expect(ensemble.write(session, setData('/n', 'x'), [{ scheme: 'super', id: '' }]).err).toBe(Code.Ok);
  });

  it('setACL needs ADMIN and the new ACL applies at once, even to requests prepped before it commits', () => {
    const { ensemble, session } = withNode(Ids.OPEN_ACL_UNSAFE);
    ensemble.prep(session, { type: OpCode.setACL, path: '/n', acl: Ids.READ_ACL_UNSAFE, version: 0 }, []);
    expect(ensemble.prep(session, setData('/n', 'x'), [])).toMatchObject({ type: OpCode.error, err: Code.NoAuth });
  });

  it('getACL needs READ or ADMIN, and masks digest hashes without ADMIN', () => {
    const { ensemble, session } = withNode([{ perms: Perms.ALL, id: alice }, { perms: Perms.READ, id: Ids.ANYONE_ID_UNSAFE }]);
    const asAlice = ensemble.read(session, { type: OpCode.getACL, path: '/n' }, [alice]);
    expect(asAlice.acl?.[0].id).toEqual(alice);
    const asAnyone = ensemble.read(session, { type: OpCode.getACL, path: '/n' }, []);
    expect(asAnyone.acl?.[0].id).toEqual({ scheme: 'digest', id: 'alice:x' });
    expect(asAnyone.stat?.aversion).toBe(0);
  });

  it('exists needs READ on an existing node', () => {
    const { ensemble, session } = withNode([{ perms: Perms.ALL, id: alice }]);
    expect(ensemble.read(session, { type: OpCode.exists, path: '/n', watch: false }, [bob]).err).toBe(Code.NoAuth);
    expect(ensemble.read(session, { type: OpCode.exists, path: '/n', watch: false }, [alice]).err).toBe(Code.Ok);
  });
});
