// docs/http.md's curl examples, run in order against a real server, as a reader would paste them: each must succeed
// (curl -f fails on an HTTP error) and answer JSON (/metrics: Prometheus text).

import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from '../helpers/server';
import { parsePrometheusText } from './prometheus-text';

const DOC = join(__dirname, '..', '..', '..', 'docs', 'http.md');

function curlExamples(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.flatMap((b) => b.split('\n')).filter((line) => line.startsWith('curl '));
}

describe('docs/http.md', () => {
  test('every curl example works as written', async () => {
    const examples = curlExamples(readFileSync(DOC, 'utf8'));
    assert.ok(examples.length >= 10, `only ${examples.length} examples found`);
    const server = await startServer();
    try {
      for (const example of examples) {
        const command = example.replaceAll('localhost:5434', `127.0.0.1:${server.httpPort}`);
        let out: string;
        try {
          out = execFileSync('sh', ['-c', command], { encoding: 'utf8', timeout: 60_000 });
        } catch (e) {
          assert.fail(`${example}\nfailed: ${(e as Error).message}\nserver log: ${server.stderr().slice(-2000)}`);
        }
        if (/\/metrics\b/.test(example)) assert.doesNotThrow(() => parsePrometheusText(out), `${example} answered ${out}`);
        else assert.doesNotThrow(() => JSON.parse(out), `${example} answered ${out}`);
      }
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });
});
