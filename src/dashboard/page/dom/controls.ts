// The dev-mode chaos controls. Per node: crash, restart, pause, resume,
// isolate (a partition cutting it off), make leader (a leadership transfer,
// asked of the current leader). For the cluster: split (the leader cut off
// with a minority), a partition typed as groups, heal. Each button has a
// data-action (and data-node-id); results go to the timeline.

import type { NodeId } from '../../protocol.js';
import { callJson, errorText, nodeUrl, type ApiResult } from '../api.js';
import { groupsText, parseGroups, splitGroups } from '../partition-groups.js';
import { byId } from './dom.js';
import type { Timeline } from './timeline.js';

const NODE_ACTIONS = ['crash', 'restart', 'pause', 'resume'];

export interface ControlsContext {
  readonly timeline: Timeline;
  servedBy(): NodeId | null;
  nodeIds(): NodeId[];
  leaderId(): NodeId | null;
  devMode(): boolean;
}

export function createControls(context: ControlsContext): void {
  const partitionInput = byId('partition-groups', HTMLInputElement);
  const partitionForm = byId('partition-form', HTMLFormElement);

  async function run(button: HTMLButtonElement | null, text: string, request: () => Promise<ApiResult>): Promise<void> {
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

  function partition(button: HTMLButtonElement | null, groups: NodeId[][], text: string): Promise<void> {
    return run(button, text, () => callJson('POST', '/admin/partition', JSON.stringify({ groups })));
  }

  async function act(button: HTMLButtonElement | null, action: string | null, id: string | null): Promise<void> {
    const ids = context.nodeIds();
    if (action !== null && NODE_ACTIONS.includes(action) && id) {
      await run(button, `${action} ${id}`, () => callJson('POST', `/admin/nodes/${encodeURIComponent(id)}/${action}`));
    } else if (action === 'isolate' && id) {
      await partition(button, [[id], ids.filter((other) => other !== id)], `isolate ${id}`);
    } else if (action === 'transfer-leadership' && id) {
      const leaderId = context.leaderId();
      if (!leaderId) return context.timeline.action(`make ${id} leader`, false, 'there is no leader to hand over from');
      if (leaderId === id) return context.timeline.action(`make ${id} leader`, false, `${id} is the leader already`);
      await run(button, `make ${id} leader (transfer from ${leaderId})`, () =>
        callJson('POST', nodeUrl(leaderId, context.servedBy(), '/admin/transfer-leadership'), JSON.stringify({ to: id })),
      );
    } else if (action === 'split') {
      if (ids.length < 2) return context.timeline.action('split', false, 'a split needs two nodes or more');
      const groups = splitGroups(ids, context.leaderId());
      await partition(button, groups, `split ${groupsText(groups)}`);
    } else if (action === 'partition') {
      const groups = parseGroups(partitionInput.value);
      if (!groups) {
        partitionInput.focus();
        return context.timeline.action('partition', false, 'write two or more groups of node ids separated by |, e.g. "n1 | n2 n3"');
      }
      await partition(button, groups, `partition ${groupsText(groups)}`);
    } else if (action === 'heal') {
      await run(button, 'heal', () => callJson('POST', '/admin/heal'));
    }
  }

  const actOn = (button: HTMLButtonElement | null): Promise<void> =>
    act(button, button?.getAttribute('data-action') ?? null, button?.getAttribute('data-node-id') ?? null);

  document.addEventListener('click', (event) => {
    const button = event.target instanceof Element ? event.target.closest('[data-action]') : null;
    if (!(button instanceof HTMLButtonElement) || button.disabled || !context.devMode()) return;
    if (!button.closest('.card') && !button.closest('#cluster-actions')) return;
    event.preventDefault();
    void actOn(button);
  });
  // Enter in the groups field submits the partition form without a click.
  partitionForm.addEventListener('submit', (event) => {
    event.preventDefault();
    const button = partitionForm.querySelector('[data-action="partition"]');
    if (context.devMode()) void act(button instanceof HTMLButtonElement ? button : null, 'partition', null);
  });
}
