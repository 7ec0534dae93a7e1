import { describe, expect, it } from 'vitest';
import { FencedStore, runFencedResourceExample } from '../../examples/fenced-resource.js';

describe('the fencing-token example', () => {
  it('a resource refuses a token older than one it has seen, term first, then index', () => {
    const store = new FencedStore();
    expect(store.write([2, 10], 'k', 'a').ok).toBe(true);
    expect(store.write([2, 9], 'k', 'older index').ok).toBe(false);
    expect(store.write([1, 99], 'k', 'older term').ok).toBe(false);
    expect(store.write([3, 1], 'k', 'newer term').ok).toBe(true);
    expect(store.contents.get('k')).toBe('newer term');
  });

  it("end to end: a deposed holder's late write is refused and its successor's stays", async () => {
    const result = await runFencedResourceExample();
    expect(result.first).toBe('accepted');
    expect(result.late).toMatch(/^refused: token/);
    expect(result.final).toBe('final by B');
  });
});
