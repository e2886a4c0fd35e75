// splitStatements: one query string lexed once, cut at top-level semicolons, each statement with its text, its
// offset in the string and its own tokens (offsets relative to its text).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitStatements } from '../../planner/split';
import { tokenize } from '../../planner/parse/lexer';

test('semicolons inside strings, names, dollar quotes and comments do not split', () => {
  const sql = "SELECT 'a;b', \"c;d\", $é$e;f$é$ /* ; /* ; */ ; */ -- ;\n; ;  INSERT INTO t VALUES (1);";
  assert.deepEqual(splitStatements(sql).map((s) => [s.text, s.offset]), [
    ["SELECT 'a;b', \"c;d\", $é$e;f$é$", 0],
    ['INSERT INTO t VALUES (1)', sql.indexOf('INSERT')],
  ]);
});

test("each statement's tokens are its own, as if its text had been lexed alone", () => {
  const sql = '  /* c */ SET a.b = 1;\nSELECT x FROM t WHERE y = $1 ;';
  const statements = splitStatements(sql);
  assert.equal(statements.length, 2);
  for (const s of statements) {
    assert.equal(sql.slice(s.offset, s.offset + s.text.length), s.text);
    assert.deepEqual(s.tokens, tokenize(s.text));
  }
});

test('an error token stays inside its statement: the parser reports it there', () => {
  const [first, second] = splitStatements("SELECT 1; SELECT 'open; SELECT 2");
  assert.equal(first.text, 'SELECT 1');
  assert.equal(second.text, "SELECT 'open; SELECT 2");
  assert.deepEqual(second.tokens.map((t) => t.kind), ['word', 'error']);
  const [, comment] = splitStatements('SELECT 1; /* never closed');
  assert.deepEqual(comment.tokens.map((t) => [t.kind, t.value]), [['error', 'unterminated /* comment']]);
});

test('nothing but whitespace, comments and semicolons is no statement', () => {
  assert.deepEqual(splitStatements(' ; -- x\n ;/* y */'), []);
});
