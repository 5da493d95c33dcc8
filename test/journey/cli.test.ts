/**
 * `runloom journeys …` and `runloom entities …` as a user runs them: real child processes on a
 * SQLite file, then the same commands with --server against a server on loopback, where
 * progression moves the entity on.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { cli, tempDir } from '../cli/helpers.js';
import { openServer, type TestServer } from '../server/support.js';
import { SALES_JOURNEY, scoreFlow, until } from './fixtures.js';

const temp = tempDir('runloom-journeys-cli-');
const dir = temp.dir;
const SLOW = { timeoutMs: 60_000 };
const file = (name: string, value: unknown) => {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(value));
  return path;
};
let t: TestServer | undefined;
afterAll(async () => {
  await t?.close();
  temp.cleanup();
});

describe('runloom journeys / entities', () => {
  it('maps, adds, lists, moves and shows entities in a local store, refusing what is not a ux node', {
    timeout: 120_000,
  }, async () => {
    const db = join(dir, 'local.db');
    const flows = [
      file('enrich.json', scoreFlow('enrich')),
      file('qualify.json', scoreFlow('qualify')),
      file('sales.json', SALES_JOURNEY),
    ];
    expect((await cli(['--store', db, 'flows', 'push', ...flows], SLOW)).code).toBe(0);
    const mapped = await cli(['--store', db, 'journeys', 'map', 'sales', 'lead=enrich', 'qualified=qualify'], SLOW);
    expect(mapped.stdout).toBe('sales: 2 mappings\n');
    const shown = await cli(['--store', db, 'journeys', 'show', 'sales'], SLOW);
    expect(shown.stdout).toContain('lead             → enrich');
    expect(shown.stdout).toContain('nurture          (manual)');
    const added = await cli(
      ['--store', db, '--json', 'entities', 'add', 'sales', '--email', 'ada@example.com', '--attr', 'score=80'],
      SLOW,
    );
    expect(added.code).toBe(0);
    const ada = JSON.parse(added.stdout);
    expect(ada).toMatchObject({ nodeId: 'lead', attributes: { score: 80 } });
    const moved = await cli(['--store', db, 'entities', 'move', ada.id, 'nurture', '--by', 'ann'], SLOW);
    expect(moved.stdout).toContain('nurture');
    const show = await cli(['--store', db, 'entities', 'show', ada.id], SLOW);
    expect(show.stdout).toMatch(/moved\s+\{"from":"lead","to":"nurture","source":"manual","by":"ann"\}/);
    const listed = await cli(['--store', db, 'entities', 'list', 'sales', '--node', 'nurture'], SLOW);
    expect(listed.stdout).toContain(ada.id);
    const board = await cli(['--store', db, 'journeys', 'board', 'sales'], SLOW);
    expect(board.stdout).toMatch(/nurture\s+1 active/);
    const refused = await cli(['--store', db, 'entities', 'add', 'sales', '--email', 'b@example.com', '--node', 'start'], SLOW);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("'start' is not a ux node of journey 'sales'");
    const badMap = await cli(['--store', db, 'journeys', 'map', 'sales', 'lead'], SLOW);
    expect(badMap.code).toBe(2);
    expect(badMap.stderr).toContain("mapping 'lead': write <uxNode>=<flowId>[@version]");
  });

  it('with --server: the entity added walks the journey on the server', { timeout: 120_000 }, async () => {
    t = await openServer({ runloom: { journeys: { intervalMs: 50 } } });
    await t.runloom.flows.publish(scoreFlow('enrich'));
    await t.runloom.flows.publish(scoreFlow('qualify'));
    await t.runloom.flows.publish(SALES_JOURNEY);
    expect((await cli(['--server', t.url, 'journeys', 'map', 'sales', 'lead=enrich', 'qualified=qualify'], SLOW)).code).toBe(0);
    const added = await cli(
      ['--server', t.url, '--json', 'entities', 'add', 'sales', '--email', 'ada@example.com', '--attr', 'score=90'],
      SLOW,
    );
    const ada = JSON.parse(added.stdout);
    await until(
      () => t!.runloom.entities.get(ada.id),
      (e) => e.nodeId === 'won',
    );
    const board = await cli(['--server', t.url, 'journeys', 'board', 'sales'], SLOW);
    expect(board.stdout).toMatch(/won\s+1 active/);
  });
});
