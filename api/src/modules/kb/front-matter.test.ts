import { describe, expect, it } from 'vitest';
import { parseArticleFile } from './front-matter.js';
import { markdownToText } from './markdown.js';

const GOOD = `---
title: "Pausing SLA clocks: how it works"
slug: sla-pauses
summary: One sentence.
tags: [sla, pause, waiting-on-customer]
productArea: sla
visibility: tier:business
updated: 2026-11-21
---

## Body

Some **bold** text with a [link](other.md).
`;

describe('front matter', () => {
  it('reads a well-formed article', () => {
    const result = parseArticleFile('kb/articles/sla-pauses.md', GOOD, 'sla-pauses');
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.article.content).toMatchObject({
      slug: 'sla-pauses',
      title: 'Pausing SLA clocks: how it works',
      tags: ['sla', 'pause', 'waiting-on-customer'],
      productArea: 'sla',
      visibility: 'tier:business',
    });
    expect(result.article.updated.toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(result.article.lines).toMatchObject({ title: 2, slug: 3, visibility: 7 });
  });

  it('reports a YAML syntax error with the line of the file it is on', () => {
    const broken = GOOD.replace('summary: One sentence.', 'summary: [unclosed');
    const result = parseArticleFile('a.md', broken);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ file: 'a.md', severity: 'error' });
    expect(result.problems[0]!.message).toMatch(/^YAML: /);
    expect(result.problems[0]!.line).toBeGreaterThanOrEqual(4);
    expect(result.problems[0]!.line).toBeLessThanOrEqual(6);
  });

  it('reports an unquoted colon in the title on line 2', () => {
    const result = parseArticleFile('a.md', GOOD.replace('"Pausing SLA clocks: how it works"', 'Pausing: how: it works'));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems[0]).toMatchObject({ line: 2 });
  });

  it('collects every field problem with the line of its field', () => {
    const bad = GOOD.replace('productArea: sla', 'productArea: gardening')
      .replace('visibility: tier:business', 'visibility: everyone')
      .replace('updated: 2026-11-21', 'updated: 2026-02-30');
    const result = parseArticleFile('a.md', bad, 'sla-pauses');
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.problems.map((problem) => [problem.line, problem.message.split(' ')[0]])).toEqual([
      [6, 'productArea'],
      [7, 'visibility'],
      [8, 'updated'],
    ]);
  });

  it('reports missing fields, a slug that differs from the file name, a missing block and an unclosed one', () => {
    const missing = parseArticleFile('a.md', '---\ntitle: T\nslug: other\n---\nbody\n', 'a');
    expect(missing.ok).toBe(false);
    if (!missing.ok) {
      const messages = missing.problems.map((problem) => problem.message).join('\n');
      expect(messages).toMatch(/summary is required/);
      expect(messages).toMatch(/tags must be a list/);
      expect(messages).toMatch(/does not match the file name "a\.md"/);
    }
    expect(parseArticleFile('a.md', 'no front matter')).toMatchObject({ ok: false, problems: [{ line: 1 }] });
    expect(parseArticleFile('a.md', '---\ntitle: T\n')).toMatchObject({
      ok: false,
      problems: [{ line: 1, message: expect.stringMatching(/never closed/) }],
    });
    expect(parseArticleFile('a.md', '---\n- a\n- b\n---\nbody')).toMatchObject({ ok: false, problems: [{ line: 2 }] });
  });

  it('warns about unknown fields without refusing the article, and handles CRLF and a BOM', () => {
    const result = parseArticleFile(
      'a.md',
      `\uFEFF${GOOD.replace('updated:', 'author: Jo\nupdated:')}`.replace(/\n/g, '\r\n'),
      'sla-pauses',
    );
    expect(result.ok).toBe(true);
    if (result.ok) expect(result.article.warnings).toEqual([expect.objectContaining({ line: 8, severity: 'warning' })]);
  });
});

describe('markdown to searchable text', () => {
  it('keeps words and code, drops markup and link targets', () => {
    const text = markdownToText(
      '## Title\n\nSome **bold**, _em_ and `code` with a [link](https://x.example/y).\n\n| a | b |\n| --- | --- |\n| 1 | 2 |\n\n```sh\ncurl -s "$API"\n```\n- item one\n> quoted',
    );
    expect(text).toBe('Title\nSome bold, em and code with a link.\na b\n1 2\ncurl -s "$API"\nitem one\nquoted');
  });
});
