import { describe, expect, it } from 'vitest';
import { Code } from '../../src/service/Code.js';
import { CreateMode } from '../../src/service/CreateMode.js';
import { OpCode } from '../../src/service/OpCode.js';
import { Ensemble, check, create, create2, del, setData, zxid } from './ensemble.js';

describe('multi', () => {
  it('applies every op under one zxid and reports each op result', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/a', 'x'));
    const outcome = ensemble.write(session, {
      type: OpCode.multi,
      ops: [create('/b'), create2('/b/c'), setData('/a', 'y', 0), check('/a', 1), del('/a', 1)],
    }); // zxid 3
    expect(outcome.err).toBe(Code.Ok);
    const results = outcome.result?.multiResult ?? [];
    expect(results.map((result) => result.type)).toEqual([OpCode.create, OpCode.create2, OpCode.setData, OpCode.check, OpCode.delete]);
    expect(results[0]).toEqual({ type: OpCode.create, path: '/b' });
    expect(results[1]).toMatchObject({ path: '/b/c', stat: { czxid: zxid(3) } });
    expect(results[2]).toMatchObject({ stat: { version: 1, mzxid: zxid(3) } });
    expect(ensemble.tree.getChildren('/')).toEqual(['b']);
    expect(ensemble.tree.getNode('/b')?.stat).toMatchObject({ pzxid: zxid(3), cversion: 1 });
  });

  it('is all or nothing: ops before the failure report Ok (rolled back), the failing op its error, later ops RuntimeInconsistency', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/a'));
    const digest = ensemble.tree.digest;
    const outcome = ensemble.write(session, {
      type: OpCode.multi,
      ops: [create('/b'), setData('/a', 'y'), check('/a', 5), create('/c'), del('/a')],
    });
    expect(outcome.err).toBe(Code.BadVersion);
    expect(outcome.result?.multiResult).toEqual([
      { type: OpCode.error, err: Code.Ok },
      { type: OpCode.error, err: Code.Ok },
      { type: OpCode.error, err: Code.BadVersion },
      { type: OpCode.error, err: Code.RuntimeInconsistency },
      { type: OpCode.error, err: Code.RuntimeInconsistency },
    ]);
    expect(ensemble.tree.digest).toBe(digest);
    expect(ensemble.tree.getNode('/b')).toBeUndefined();
    expect(ensemble.speculative.digest).toBe(digest);
  });

  it('later ops see earlier ops of the same multi', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    const outcome = ensemble.write(session, {
      type: OpCode.multi,
      ops: [create('/q'), create('/q/s-', '', CreateMode.PERSISTENT_SEQUENTIAL), create('/q/s-', '', CreateMode.PERSISTENT_SEQUENTIAL), del('/q/s-0000000000')],
    });
    expect(outcome.err).toBe(Code.Ok);
    expect(ensemble.tree.getChildren('/q')).toEqual(['s-0000000001']);
  });

  it('a failed multi leaves sequence numbers untouched for the next request', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/q'));
    ensemble.write(session, { type: OpCode.multi, ops: [create('/q/s-', '', CreateMode.PERSISTENT_SEQUENTIAL), create('/missing/x')] });
    expect(ensemble.write(session, create('/q/s-', '', CreateMode.PERSISTENT_SEQUENTIAL)).result?.path).toBe('/q/s-0000000000');
  });

  it('a check-only multi changes nothing and answers each check', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    ensemble.write(session, create('/a'));
    const digest = ensemble.tree.digest;
    const outcome = ensemble.write(session, { type: OpCode.multi, ops: [check('/a', 0), check('/', -1)] });
    expect(outcome.result?.multiResult).toEqual([{ type: OpCode.check }, { type: OpCode.check }]);
    expect(ensemble.tree.digest).toBe(digest);
  });

  it('an empty multi succeeds with no results', () => {
    const ensemble = new Ensemble();
    const session = ensemble.openSession();
    expect(ensemble.write(session, { type: OpCode.multi, ops: [] }).result?.multiResult).toEqual([]);
  });
});
