import { readMrkdwn, renderText } from '../../../src/slack/blocks';

describe('renderText', () => {
  it('renders headers, sections with fields, context, dividers and buttons as a reader sees them', () => {
    const text = renderText([
      { type: 'header', text: { type: 'plain_text', text: 'Title' } },
      {
        type: 'section',
        text: { type: 'mrkdwn', text: 'a &amp; b &lt;c&gt;' },
        fields: [{ type: 'mrkdwn', text: '*F:*\nv' }],
      },
      { type: 'divider' },
      {
        type: 'context',
        elements: [
          { type: 'mrkdwn', text: 'one' },
          { type: 'plain_text', text: 'two' },
        ],
      },
      {
        type: 'actions',
        elements: [
          { type: 'button', action_id: 'a', text: { type: 'plain_text', text: 'Approve' } },
          { type: 'button', action_id: 'b', text: { type: 'plain_text', text: 'Reject' } },
        ],
      },
      { type: 'image' },
    ]);
    expect(text).toBe('Title\n\na & b <c>\n*F:*\nv\n\n---\n\none · two\n\n[Approve] [Reject]\n\n[image]');
  });

  it('shows mentions, broadcasts and links readably', () => {
    expect(readMrkdwn('<@U1> <!here> <#C1|ops> <https://x.example|INC-1> <https://y.example>')).toBe(
      '@U1 @here #C1 INC-1 (https://x.example) https://y.example',
    );
  });

  it('renders what Slack sends back (parsed JSON) and ignores what is not blocks', () => {
    expect(renderText(JSON.parse('[{"type":"section","text":{"type":"mrkdwn","text":"hi"}}]'))).toBe('hi');
    expect(renderText(undefined)).toBe('');
    expect(renderText('nope')).toBe('');
  });
  it('marks the chosen radio button and every ticked checkbox', () => {
    const option = (value: string) => ({ text: { type: 'plain_text', text: value }, value });
    const text = renderText([
      {
        type: 'actions',
        elements: [
          { type: 'radio_buttons', action_id: 'r', options: [option('a'), option('b')], initial_option: option('b') },
        ],
      },
      {
        type: 'actions',
        elements: [
          {
            type: 'checkboxes',
            action_id: 'c',
            options: [option('x'), option('y'), option('z')],
            initial_options: [option('x'), option('z')],
          },
        ],
      },
    ]);
    expect(text).toBe('( ) a  (x) b\n\n(x) x  ( ) y  (x) z');
  });
});
