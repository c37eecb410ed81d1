// The options every request DataLoader is made with (src/schema/loaders.ts): the same batches as
// DataLoader's own schedule, without keeping the last batch alive after it was dispatched.

import DataLoader from 'dataloader';
import { describe, expect, test } from 'vitest';
import { LOADER_OPTIONS } from '../../src/schema/loaders.js';

/** A loader that records its batches; `loads` runs a mix of same-tick and later loads. */
async function batchesOf(options: DataLoader.Options<string, string> | undefined) {
  const batches: string[][] = [];
  const loader = new DataLoader<string, string>(async (keys) => {
    batches.push([...keys]);
    return keys.map((key) => key.toUpperCase());
  }, options);
  const first = await Promise.all([
    loader.load('a'),
    loader.load('b'),
    loader.load('a'),
    Promise.resolve().then(() => loader.load('c')),
    Promise.resolve().then(() => Promise.resolve()).then(() => loader.load('d')),
  ]);
  const second = await Promise.all([loader.load('a'), loader.load('e')]);
  return { batches, values: [...first, ...second], loader };
}

describe('LOADER_OPTIONS', () => {
  test("batches exactly as DataLoader's default schedule", async () => {
    const ours = await batchesOf(LOADER_OPTIONS);
    const theirs = await batchesOf(undefined);
    expect(ours.batches).toEqual(theirs.batches);
    expect(ours.values).toEqual(['A', 'B', 'A', 'C', 'D', 'A', 'E']);
    expect(ours.batches).toEqual([['a', 'b', 'c', 'd'], ['e']]);
  });

  test('lets go of a batch once dispatched (the default keeps the last one)', async () => {
    const ours = await batchesOf(LOADER_OPTIONS);
    const theirs = await batchesOf(undefined);
    // The default's last batch holds its keys, its resolvers and one closure per cache hit.
    expect((theirs.loader as unknown as { _batch: { keys: string[] } })._batch.keys).toEqual(['e']);
    expect((ours.loader as unknown as { _batch: unknown })._batch).toBeNull();
  });

  test('a failing batch still rejects its loads', async () => {
    const loader = new DataLoader<string, string>(async () => Promise.reject(new Error('upstream down')), LOADER_OPTIONS);
    await expect(loader.load('a')).rejects.toThrow('upstream down');
    expect((loader as unknown as { _batch: unknown })._batch).toBeNull();
  });
});
