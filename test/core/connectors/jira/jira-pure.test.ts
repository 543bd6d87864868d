import {expect} from 'chai';

import {adfToText, textToAdf} from '../../../../src/core/connectors/jira/adf.js';
import {
  buildStatusOverrides,
  canonicalPriorityToJira,
  jiraPriorityToCanonical,
  jiraStatusToCanonical,
  jiraTypeToCanonical,
} from '../../../../src/core/connectors/jira/jira-mapping.js';
import {
  buildListJql,
  formatJqlMinute,
  jqlLowerBound,
  jqlString,
} from '../../../../src/core/connectors/jira/jql.js';
import {
  findTransitionPath,
  type JiraTransition,
} from '../../../../src/core/connectors/jira/transition-path.js';
import {textToWiki, wikiToText} from '../../../../src/core/connectors/jira/wiki-text.js';
import type {JsonValue} from '../../../../src/core/model/json.js';
import {parseJiraTimestamp} from '../../../../src/core/connectors/jira/jira-issue-mapper.js';

const st = (id: string, name: string, category = 'indeterminate') => ({id, name, category});

describe('jira pure pieces', () => {
  it('round-trips text through ADF (paragraphs, breaks, headings, lists, code)', () => {
    const text =
      '# Title\n\nFirst para\nsecond line\n\n- a\n- b\n\n1. one\n2. two\n\n```js\nlet x = 1;\n\nlet y = 2;\n```\n\nEnd';
    const doc = textToAdf(text);
    expect(doc.type).to.equal('doc');
    expect(adfToText(doc)).to.equal(text);
    expect(JSON.stringify(doc)).to.not.include('"text":""');
  });

  it('renders Jira-made ADF (mentions, links, code marks) as readable text', () => {
    const doc = {
      type: 'doc',
      version: 1,
      content: [
        {
          type: 'paragraph',
          content: [
            {type: 'mention', attrs: {id: 'x', text: '@Ann'}},
            {type: 'text', text: ' see '},
            {type: 'text', text: 'docs', marks: [{type: 'link', attrs: {href: 'https://d'}}]},
            {type: 'text', text: 'f()', marks: [{type: 'code'}]},
          ],
        },
      ],
    };
    expect(adfToText(doc as unknown as JsonValue)).to.equal('@Ann see [docs](https://d)`f()`');
    expect(adfToText(null)).to.equal('');
    expect(adfToText('already text')).to.equal('already text');
  });

  it('round-trips fenced code through wiki markup', () => {
    const text = 'intro\n\n```py\nprint(1)\n```';
    expect(textToWiki(text)).to.equal('intro\n\n{code:py}\nprint(1)\n{code}');
    expect(wikiToText(textToWiki(text))).to.equal(text);
  });

  it('formats JQL minutes in the user zone, across DST, with overlap and quoting', () => {
    expect(formatJqlMinute(new Date('2026-07-01T12:34:59Z'), 'Europe/Berlin')).to.equal('2026/07/01 14:34');
    expect(formatJqlMinute(new Date('2026-01-01T12:34:59Z'), 'Europe/Berlin')).to.equal('2026/01/01 13:34');
    expect(jqlLowerBound('2026-01-01T00:01:30Z', 'UTC', 2)).to.equal('2025/12/31 23:59');
    expect(jqlString('a"b\\c')).to.equal('"a\\"b\\\\c"');
    expect(buildListJql('P', null)).to.equal('project = "P" ORDER BY updated ASC, key ASC');
  });

  it('maps status categories, overrides, types and priorities', () => {
    const overrides = buildStatusOverrides({'QA Check': 'in_review'});
    expect(jiraStatusToCanonical(st('1', 'Open', 'new'), overrides)).to.equal('todo');
    expect(jiraStatusToCanonical(st('2', 'Doing'), overrides)).to.equal('in_progress');
    expect(jiraStatusToCanonical(st('3', 'Closed', 'done'), overrides)).to.equal('done');
    expect(jiraStatusToCanonical(st('4', 'In Review'), overrides)).to.equal('in_review');
    expect(jiraStatusToCanonical(st('5', 'qa check'), overrides)).to.equal('in_review');
    expect(jiraStatusToCanonical(st('6', 'Won’t Do', 'done'), overrides)).to.equal('canceled');
    expect(jiraStatusToCanonical(st('7', 'Blocked'), overrides)).to.equal('blocked');
    expect(jiraTypeToCanonical({name: 'Sub-task', subtask: true})).to.equal('subtask');
    expect(jiraTypeToCanonical({name: 'User Story'})).to.equal('story');
    expect(jiraTypeToCanonical({name: 'Spike'})).to.equal('task');
    expect(
      ['Highest', 'High', 'Medium', 'Low', 'Lowest'].map((n) => jiraPriorityToCanonical(n)),
    ).to.deep.equal([0, 1, 2, 3, 4]);
    expect(jiraPriorityToCanonical('Blocker')).to.equal(0);
    expect(jiraPriorityToCanonical('Trivial')).to.equal(4);
    expect(jiraPriorityToCanonical('Whatever')).to.equal(null);
    expect([0, 1, 2, 3, 4].map((p) => canonicalPriorityToJira(p))).to.deep.equal([
      'Highest',
      'High',
      'Medium',
      'Low',
      'Lowest',
    ]);
  });

  it('parses Jira timestamps with +hhmm offsets', () => {
    expect(parseJiraTimestamp('2026-01-05T10:00:00.000+0100')).to.equal('2026-01-05T09:00:00.000Z');
    expect(parseJiraTimestamp('garbage')).to.equal(null);
  });

  describe('findTransitionPath', () => {
    const todo = st('1', 'To Do', 'new');
    const prog = st('3', 'In Progress');
    const rev = st('4', 'Review');
    const done = st('9', 'Done', 'done');
    const t = (id: string, to: ReturnType<typeof st>): JiraTransition => ({id, name: `to ${to.name}`, to});
    const isDone = (s: {category: string}) => s.category === 'done';

    it('finds the shortest multi-hop path and asks each status once', async () => {
      const graph: Record<string, JiraTransition[]> = {
        '1': [t('11', prog)],
        '3': [t('21', rev), t('31', todo)],
        '4': [t('41', done)],
        '9': [],
      };
      const asked: string[] = [];
      const plan = await findTransitionPath(todo, isDone, async (s) => (asked.push(s.id), graph[s.id] ?? []));
      expect(plan.kind).to.equal('path');
      expect(plan.kind === 'path' && plan.transitions.map((x) => x.id)).to.deep.equal(['11', '21', '41']);
      expect(asked).to.deep.equal(['1', '3', '4']);
    });

    it('reports explored and unknown statuses when there is no path', async () => {
      const plan = await findTransitionPath(todo, isDone, async (s) =>
        s.id === '1' ? [t('11', prog), t('12', rev)] : s.id === '3' ? [t('31', todo)] : null,
      );
      expect(plan.kind).to.equal('none');
      if (plan.kind !== 'none') return;
      expect(plan.explored.map((s) => s.name)).to.deep.equal(['To Do', 'In Progress', 'Review']);
      expect(plan.unknown.map((s) => s.name)).to.deep.equal(['Review']);
    });

    it('stops on cycles and at the hop bound', async () => {
      const plan = await findTransitionPath(todo, isDone, async (s) =>
        s.id === '1' ? [t('11', prog)] : [t('31', todo)],
      );
      expect(plan.kind).to.equal('none');
      expect((await findTransitionPath(done, isDone, async () => [])).kind).to.equal('already');
    });
  });
});
