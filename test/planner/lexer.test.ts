// The one lexer (planner/parse/lexer.ts): every token kind with its value and offsets, the error tokens that take
// the place of exceptions, and the rule that it never throws and covers the text in order whatever it is given.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { tokenize, type Token } from '../../planner/parse/lexer';
import { seededRandom } from '../helpers/random';

/** [kind, value, start, end] of each token, compact enough to read in an assertion. */
function lex(sql: string): [string, string, number, number][] {
  return tokenize(sql).map((t) => [t.kind, t.value, t.start, t.end]);
}

function only(sql: string): Token {
  const tokens = tokenize(sql);
  assert.equal(tokens.length, 1, `one token in ${JSON.stringify(sql)}: ${JSON.stringify(tokens)}`);
  return tokens[0];
}

describe('token kinds', () => {
  test('words fold to lower case; quoted names keep theirs, with "" undone', () => {
    assert.deepEqual(lex('SELECT Ab_1$x "Mixed ""Q""" Éa'), [
      ['word', 'select', 0, 6],
      ['word', 'ab_1$x', 7, 13],
      ['quoted', 'Mixed "Q"', 14, 27],
      ['word', 'éa', 28, 30],
    ]);
  });

  test('strings: doubled quotes, E escapes, dollar quotes with and without a tag', () => {
    assert.deepEqual(only("'it''s'"), { kind: 'string', value: "it's", start: 0, end: 7 });
    assert.deepEqual(only("E'a\\nb\\tc\\'d\\\\e''f'"), { kind: 'string', value: "a\nb\tc'd\\e'f", start: 0, end: 19 });
    assert.deepEqual(only('$$a;b$$'), { kind: 'string', value: 'a;b', start: 0, end: 7 });
    assert.deepEqual(only('$fn$ $$x$$ $f$ $fn$'), { kind: 'string', value: ' $$x$$ $f$ ', start: 0, end: 19 });
  });

  test('a dollar-quote tag may hold any non-ASCII character, as PostgreSQL 15 scan.l allows', () => {
    assert.deepEqual(only('$é$a;b$é$'), { kind: 'string', value: 'a;b', start: 0, end: 9 });
    assert.deepEqual(only('$_1€$x$_1€$'), { kind: 'string', value: 'x', start: 0, end: 11 });
    // A tag cannot start with a digit: `$1` is a parameter.
    assert.deepEqual(lex('$1$'), [['param', '1', 0, 2], ['error', 'syntax error at or near "$"', 2, 3]]);
  });

  test('U& strings and names resolve their Unicode escapes', () => {
    assert.deepEqual(only("U&'d\\0061t\\+000061 \\\\'"), { kind: 'string', value: 'data \\', start: 0, end: 22 });
    assert.deepEqual(only('u&"a\\00e9"'), { kind: 'quoted', value: 'aé', start: 0, end: 10 });
    assert.deepEqual(only("U&'\\D83D\\DE00'"), { kind: 'string', value: '😀', start: 0, end: 14 });
  });

  test('bit strings are tokens of their own; N before a string is a word, as in PostgreSQL', () => {
    assert.deepEqual(only("B'101'"), { kind: 'bitstring', value: 'b101', start: 0, end: 6 });
    assert.deepEqual(only("x'1F'"), { kind: 'bitstring', value: 'x1F', start: 0, end: 5 });
    assert.deepEqual(lex("N'a'"), [['word', 'n', 0, 1], ['string', 'a', 1, 4]]);
  });

  test('numbers and parameters', () => {
    assert.deepEqual(lex('1 12.5 .5 1. 1e3 2.5E-2 $3'), [
      ['number', '1', 0, 1],
      ['number', '12.5', 2, 6],
      ['number', '.5', 7, 9],
      ['number', '1.', 10, 12],
      ['number', '1e3', 13, 16],
      ['number', '2.5E-2', 17, 23],
      ['param', '3', 24, 26],
    ]);
    // PostgreSQL stops a number before a second dot.
    assert.deepEqual(lex('1..2'), [['number', '1.', 0, 2], ['number', '.2', 2, 4]]);
  });

  test('operators: the ones the grammar knows, longest first; != reads <>', () => {
    assert.deepEqual(tokenize('a->>b->c::t<=>=<>!=||(),;.+-*/%=< >[]:').map((t) => t.value), [
      'a', '->>', 'b', '->', 'c', '::', 't', '<=', '>=', '<>', '<>', '||', '(', ')', ',', ';', '.', '+', '-', '*', '/',
      '%', '=', '<', '>', '[', ']', ':',
    ]);
  });

  test('comments and whitespace are skipped; block comments nest', () => {
    assert.deepEqual(lex('a -- b ; c\n/* d /* e */ ; f */\u00a0g'), [['word', 'a', 0, 1], ['word', 'g', 31, 32]]);
    assert.deepEqual(lex('-- only a comment'), []);
  });
});

describe('error tokens', () => {
  const cases: [string, [string, number, number]][] = [
    ["SELECT 'abc", ['unterminated quoted string', 7, 11]],
    ["SELECT E'abc", ['unterminated quoted string', 7, 12]],
    ['SELECT "abc', ['unterminated quoted identifier', 7, 11]],
    ['SELECT $x$abc', ['unterminated dollar-quoted string', 7, 13]],
    ['SELECT 1 /* a /* b */', ['unterminated /* comment', 9, 21]],
    ['SELECT ""', ['zero-length delimited identifier', 7, 9]],
    ['SELECT 12abc', ['trailing junk after numeric literal at or near "12a"', 7, 10]],
    ['SELECT 1e', ['trailing junk after numeric literal at or near "1e"', 7, 9]],
    ['SELECT a @ b', ['syntax error at or near "@"', 9, 10]],
    ['SELECT a ! b', ['syntax error at or near "!"', 9, 10]],
    ['SELECT $ 1', ['syntax error at or near "$"', 7, 8]],
    ["SELECT B'10", ['unterminated bit string literal', 7, 11]],
    ["SELECT X'1F", ['unterminated hexadecimal string literal', 7, 11]],
    ["SELECT U&'\\12'", ['invalid Unicode escape', 7, 14]],
    ["SELECT U&'\\D83Dx'", ['invalid Unicode escape', 7, 17]],
  ];
  for (const [sql, [message, start, end]] of cases) {
    test(sql, () => {
      const errors = tokenize(sql).filter((t) => t.kind === 'error');
      assert.deepEqual(errors, [{ kind: 'error', value: message, start, end }]);
    });
  }

  test('lexing goes on after an error that does not swallow the rest', () => {
    assert.deepEqual(lex('a # b 1x; c'), [
      ['word', 'a', 0, 1],
      ['error', 'syntax error at or near "#"', 2, 3],
      ['word', 'b', 4, 5],
      ['error', 'trailing junk after numeric literal at or near "1x"', 6, 8],
      ['op', ';', 8, 9],
      ['word', 'c', 10, 11],
    ]);
  });
});

test('never throws, and its tokens lie in order inside the text, whatever the text', () => {
  const pieces = [
    "'", '"', "E'", '$', '$$', '$a$', '$é$', '$1', '--', '/*', '*/', '\n', '1', '.', 'e', 'x', ';', '\\', ' ', '::',
    '-', '>', '!', '=', '|', 'é', '\u00a0', "b'", 'U&', '&', '@', '(', ')', 'select', '_', '0.5', '\t', '\u0000', '😀',
  ];
  const seed = 20260101;
  const random = seededRandom(seed);
  for (let k = 0; k < 20_000; k++) {
    let sql = '';
    const length = 1 + Math.floor(random() * 16);
    for (let j = 0; j < length; j++) sql += pieces[Math.floor(random() * pieces.length)];
    let at = 0;
    for (const t of tokenize(sql)) {
      const where = `seed ${seed}, case ${k}: ${JSON.stringify(sql)} ${JSON.stringify(t)}`;
      assert.ok(t.start >= at && t.end > t.start && t.end <= sql.length, where);
      at = t.end;
    }
  }
});
