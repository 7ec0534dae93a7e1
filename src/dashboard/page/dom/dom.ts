// Small DOM helpers: building elements, finding the page's regions by id
// (checked, not cast), and text with node ids set in bold.

import type { RichPart } from '../timeline-text.js';

export type Attributes = Readonly<Record<string, string | number | boolean | null | undefined>>;
export type Child = Node | string | number | null | undefined | false;

/** Creates an element; attributes whose value is null, undefined or false are left out; children may be strings. */
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Attributes = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = String(value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function svgEl<K extends keyof SVGElementTagNameMap>(tag: K, attributes: Attributes = {}): SVGElementTagNameMap[K] {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    node.setAttribute(name, String(value));
  }
  return node;
}

/** The element with this id, which must be of this type (the page's markup is fixed: a miss is a bug). */
export function byId<T extends Element>(id: string, type: abstract new () => T): T {
  const found = document.getElementById(id);
  if (!(found instanceof type)) throw new Error(`the page has no ${type.name} #${id}`);
  return found;
}

/** The first match inside `root`, which must be of this type. */
export function within<T extends Element>(root: ParentNode, selector: string, type: abstract new () => T): T {
  const found = root.querySelector(selector);
  if (!(found instanceof type)) throw new Error(`no ${type.name} matches ${selector}`);
  return found;
}

/** Text with the node ids in it set in bold. */
export function rich(parts: readonly RichPart[]): HTMLSpanElement {
  const span = el('span', { class: 'text' });
  for (const part of parts) span.append(typeof part === 'string' ? part : el('b', {}, part.id));
  return span;
}
