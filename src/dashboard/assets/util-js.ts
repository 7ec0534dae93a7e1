// Browser module: small shared helpers (DOM building, formatting, node colours).

export const UTIL_JS = String.raw`
const NODE_COLORS = ['#39c5cf', '#f778ba', '#7ee787', '#ffa657', '#a5a5ff', '#ff7b72', '#e3d36b', '#56d4dd', '#d2a8ff', '#9be9a8', '#ffb3ad', '#79c0ff'];

/** Creates an element; attributes whose value is null or false are left out; children may be strings. */
export function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function svgEl(tag, attributes) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  return node;
}

/** Text with the node ids in it set in bold: parts are strings, or {id} for a node. */
export function rich(...parts) {
  const span = document.createElement('span');
  span.className = 'text';
  for (const part of parts) {
    if (part && typeof part === 'object' && 'id' in part) span.append(el('b', {}, part.id));
    else span.append(String(part));
  }
  return span;
}

export function compareNodeIds(a, b) {
  return a.localeCompare(b, 'en', { numeric: true });
}

const colorByNode = new Map();
/** A stable colour per node, in the order nodes are first seen (sorted within a snapshot). */
export function nodeColor(id) {
  if (!colorByNode.has(id)) colorByNode.set(id, NODE_COLORS[colorByNode.size % NODE_COLORS.length]);
  return colorByNode.get(id);
}

export function clockTime(ms) {
  const date = new Date(ms);
  const pad = (n, width) => String(n).padStart(width, '0');
  return pad(date.getHours(), 2) + ':' + pad(date.getMinutes(), 2) + ':' + pad(date.getSeconds(), 2) + '.' + pad(date.getMilliseconds(), 3);
}

export function formatMs(ms) {
  if (!Number.isFinite(ms)) return '?';
  if (ms >= 10000) return (ms / 1000).toFixed(1) + ' s';
  return Math.round(ms) + ' ms';
}
`;
