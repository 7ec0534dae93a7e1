// A stable colour per node, shared by its card, its statechart marker and the
// legend. Handed out in the order nodes are first seen (the page meets them
// sorted within a snapshot), so they keep their colour while the page is open.

const NODE_COLORS = [
  '#39c5cf',
  '#f778ba',
  '#7ee787',
  '#ffa657',
  '#a5a5ff',
  '#ff7b72',
  '#e3d36b',
  '#56d4dd',
  '#d2a8ff',
  '#9be9a8',
  '#ffb3ad',
  '#79c0ff',
] as const;

const colorByNode = new Map<string, string>();

export function nodeColor(id: string): string {
  let color = colorByNode.get(id);
  if (color === undefined) {
    color = NODE_COLORS[colorByNode.size % NODE_COLORS.length] as string;
    colorByNode.set(id, color);
  }
  return color;
}
