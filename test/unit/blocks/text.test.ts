import { capBlocks, context, fieldSections, packLines, section } from '../../../src/slack/blocks/elements';
import { codeBlock, escapeMrkdwn, link, mention, truncate } from '../../../src/slack/blocks/text';
import { validateBlocks } from '../../../src/standins/slack/block-kit';

describe('mrkdwn text helpers', () => {
  it('escapes &, < and > so user text cannot mention, link or break markup', () => {
    expect(escapeMrkdwn('<!here> & <@U1>')).toBe('&lt;!here&gt; &amp; &lt;@U1&gt;');
  });

  it('truncates with an ellipsis to exactly the limit', () => {
    const cut = truncate('a'.repeat(5000), 3000);
    expect(cut).toHaveLength(3000);
    expect(cut.endsWith('…')).toBe(true);
    expect(truncate('short', 3000)).toBe('short');
  });

  it('never cuts an entity, a mention or a surrogate pair in half', () => {
    expect(truncate(`${'a'.repeat(8)}&amp;tail`, 11)).toBe('aaaaaaaa…');
    expect(truncate(`${'a'.repeat(8)}<@U0DEVOPS1> tail`, 14)).toBe('aaaaaaaa…');
    const emoji = truncate(`${'a'.repeat(8)}🚨🚨`, 10);
    expect(emoji).toBe('aaaaaaaa…');
    expect(() => encodeURIComponent(emoji)).not.toThrow();
  });

  it('keeps the closing fence of a truncated code block', () => {
    const block = codeBlock('x'.repeat(4000), 3000);
    expect(block).toHaveLength(3000);
    expect(block.startsWith('```')).toBe(true);
    expect(block.endsWith('…```')).toBe(true);
  });

  it('mentions only real user ids and links only http(s) URLs', () => {
    expect(mention('U0DEVOPS1')).toBe('<@U0DEVOPS1>');
    expect(mention('alert:<grafana>')).toBe('alert:&lt;grafana&gt;');
    expect(link('https://x.example/a?b=1&c=2|3', 'INC <1>')).toBe(
      '<https://x.example/a?b=1&amp;c=2%7C3|INC &lt;1&gt;>',
    );
    expect(link('javascript:alert(1)', 'INC-1')).toBe('INC-1');
  });
});

describe('block helpers', () => {
  it('packs lines into few sections and counts what did not fit', () => {
    const lines = Array.from({ length: 500 }, (_, i) => `line ${i} ${'x'.repeat(90)}`);
    const sections = packLines(lines, 5, (n) => `…and ${n} more`);
    expect(sections).toHaveLength(5);
    expect(validateBlocks(sections, 'message')).toEqual([]);
    const texts = sections.map((s) => s.text?.text ?? '');
    const shown = texts
      .join('\n')
      .split('\n')
      .filter((l) => l.startsWith('line ')).length;
    const more = /…and (\d+) more$/.exec(texts[4] ?? '');
    expect(Number(more?.[1])).toBe(500 - shown);
  });

  it('puts more than ten fields into further sections and merges context parts past ten', () => {
    const pairs = Array.from({ length: 23 }, (_, i) => [`F${i}`, 'v'] as const);
    expect(fieldSections(pairs).map((s) => s.fields?.length)).toEqual([10, 10, 3]);
    const ctx = context(Array.from({ length: 14 }, (_, i) => `p${i}`));
    expect(ctx.elements).toHaveLength(10);
    expect(validateBlocks([ctx], 'message')).toEqual([]);
  });

  it('caps a message at the block limit, keeping the last block', () => {
    const blocks = Array.from({ length: 80 }, (_, i) => section(`b${i}`));
    const capped = capBlocks(blocks, 50);
    expect(capped).toHaveLength(50);
    expect(capped[49]).toBe(blocks[79]);
    expect(JSON.stringify(capped[48])).toContain('31 more block(s) not shown');
  });
});
