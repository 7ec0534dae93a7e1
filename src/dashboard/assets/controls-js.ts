// Browser module: the dev-mode chaos controls. Per node: crash, restart,
// pause, resume, isolate (a partition cutting it off), make leader (a
// leadership transfer, asked of the current leader). For the cluster: split
// (the leader cut off with a minority), a partition typed as groups, heal.
// Each button has a data-action (and data-node-id); results go to the timeline.

export const CONTROLS_JS = String.raw`
import { callJson, errorText, nodeUrl } from './api.js';

const NODE_ACTIONS = ['crash', 'restart', 'pause', 'resume'];

export function createControls(context) {
  const partitionInput = document.getElementById('partition-groups');

  async function run(button, text, request) {
    if (button) {
      button.disabled = true;
      button.classList.add('busy');
    }
    try {
      const result = await request();
      if (result.status >= 200 && result.status < 300) context.timeline.action(text, true);
      else context.timeline.action(text, false, errorText(result));
    } finally {
      if (button) {
        button.disabled = false;
        button.classList.remove('busy');
      }
    }
  }

  function partition(button, groups, text) {
    return run(button, text, () => callJson('POST', '/admin/partition', JSON.stringify({ groups })));
  }

  /** The leader with a minority on one side, everyone else on the other. */
  function splitGroups(ids, leaderId) {
    const minoritySize = Math.max(1, Math.floor((ids.length - 1) / 2));
    const first = leaderId ? [leaderId] : [];
    for (const id of ids) if (first.length < minoritySize && !first.includes(id)) first.push(id);
    return [first, ids.filter((id) => !first.includes(id))];
  }

  /** "n1 | n2 n3" (or commas) into [["n1"], ["n2", "n3"]]; null when it is not two or more groups of names. */
  function parseGroups(text) {
    const groups = text.split('|').map((part) => part.split(/[\s,]+/).filter(Boolean));
    if (groups.length < 2 || groups.some((group) => group.length === 0)) return null;
    return groups;
  }

  async function act(button) {
    const action = button.getAttribute('data-action');
    const id = button.getAttribute('data-node-id');
    const ids = context.nodeIds();
    const servedBy = context.servedBy();
    if (NODE_ACTIONS.includes(action) && id) {
      await run(button, action + ' ' + id, () => callJson('POST', '/admin/nodes/' + encodeURIComponent(id) + '/' + action));
    } else if (action === 'isolate' && id) {
      await partition(button, [[id], ids.filter((other) => other !== id)], 'isolate ' + id);
    } else if (action === 'transfer-leadership' && id) {
      const leaderId = context.leaderId();
      if (!leaderId) return context.timeline.action('make ' + id + ' leader', false, 'there is no leader to hand over from');
      if (leaderId === id) return context.timeline.action('make ' + id + ' leader', false, id + ' is the leader already');
      await run(button, 'make ' + id + ' leader (transfer from ' + leaderId + ')', () =>
        callJson('POST', nodeUrl(leaderId, servedBy, '/admin/transfer-leadership'), JSON.stringify({ to: id })),
      );
    } else if (action === 'split') {
      if (ids.length < 2) return context.timeline.action('split', false, 'a split needs two nodes or more');
      const groups = splitGroups(ids, context.leaderId());
      await partition(button, groups, 'split ' + groups.map((group) => group.join(' ')).join(' | '));
    } else if (action === 'partition') {
      const groups = parseGroups(partitionInput.value);
      if (!groups) {
        partitionInput.focus();
        return context.timeline.action('partition', false, 'write two or more groups of node ids separated by |, e.g. "n1 | n2 n3"');
      }
      await partition(button, groups, 'partition ' + groups.map((group) => group.join(' ')).join(' | '));
    } else if (action === 'heal') {
      await run(button, 'heal', () => callJson('POST', '/admin/heal'));
    }
  }

  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-action]') : null;
    if (!button || button.disabled || !context.devMode()) return;
    if (!button.closest('.card') && !button.closest('#cluster-actions')) return;
    event.preventDefault();
    void act(button);
  });
  // Enter in the groups field submits the partition form without a click.
  document.getElementById('partition-form').addEventListener('submit', (event) => {
    event.preventDefault();
    if (context.devMode()) void act(event.currentTarget.querySelector('[data-action="partition"]'));
  });
}
`;
