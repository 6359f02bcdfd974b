'use client';
/**
 * The lineage graph in React Flow. Nodes are placed in layer columns (sources, bronze, silver, gold,
 * marts) and stacked within a column: no physics, no measuring, so a graph of hundreds of nodes lays
 * out in one pass, and React Flow draws only what is in view. Clicking a dataset opens its page.
 */
import '@xyflow/react/dist/style.css';
import { Background, Controls, Handle, MarkerType, MiniMap, Position, ReactFlow, type Edge, type Node, type NodeProps } from '@xyflow/react';
import { useRouter } from 'next/navigation';
import { memo, useMemo } from 'react';
import type { GraphLink, GraphNode, LineageColumn } from '@/lib/catalog/lineage-graph';
import { formatCount } from '@/components/format';
import styles from './lineage.module.css';

const COLUMN_X: Record<LineageColumn, number> = { source: 0, bronze: 280, silver: 560, gold: 840, mart: 1120 };
const ROW_GAP = 64;
const COLUMN_TITLE: Record<LineageColumn, string> = { source: 'Sources', bronze: 'Bronze', silver: 'Silver', gold: 'Gold: dimensions and facts', mart: 'Gold: marts' };

const SWATCH: Record<LineageColumn, string> = { source: '#7d8798', bronze: 'var(--bronze)', silver: 'var(--silver)', gold: 'var(--gold)', mart: '#1f8a4c' };

type LineageNodeData = GraphNode & { centre: boolean } & Record<string, unknown>;

const LineageNode = memo(function LineageNode({ data }: NodeProps<Node<LineageNodeData>>) {
  const meta = [data.kind === 'source' ? data.group : data.detail, data.rows !== null && data.rows !== undefined ? `${formatCount(data.rows)} rows` : undefined].filter(Boolean).join(' · ');
  return (
    <div
      className={`${styles.node} ${styles[data.column]} ${data.href ? styles.clickable : ''} ${data.centre ? styles.centre : ''}`}
      title={data.kind === 'dataset' ? `${data.id}${data.href ? ' — click to open' : ''}` : `${data.group}: ${data.label}`}
      data-testid="lineage-node"
      data-node-id={data.id}
    >
      <Handle type="target" position={Position.Left} isConnectable={false} />
      <span className={styles.nodeName}>{data.kind === 'dataset' ? data.id : data.label}</span>
      {meta ? <span className={styles.nodeMeta}>{meta}</span> : null}
      <Handle type="source" position={Position.Right} isConnectable={false} />
    </div>
  );
});

const nodeTypes = { lineage: LineageNode };

export function layout(nodes: readonly GraphNode[], centre: readonly string[]): Node<LineageNodeData>[] {
  const byColumn = new Map<LineageColumn, GraphNode[]>();
  for (const n of nodes) byColumn.set(n.column, [...(byColumn.get(n.column) ?? []), n]);
  const tallest = Math.max(1, ...[...byColumn.values()].map((c) => c.length));
  const centreSet = new Set(centre);
  const out: Node<LineageNodeData>[] = [];
  for (const [column, list] of byColumn) {
    list.sort((a, b) => a.group.localeCompare(b.group) || a.label.localeCompare(b.label));
    // Centre each column vertically against the tallest one, so links run mostly straight.
    const offset = ((tallest - list.length) * ROW_GAP) / 2;
    list.forEach((n, i) => {
      out.push({ id: n.id, type: 'lineage', position: { x: COLUMN_X[column], y: offset + i * ROW_GAP }, data: { ...n, centre: centreSet.has(n.id) }, draggable: false, connectable: false });
    });
  }
  return out;
}

export function LineageGraph({ nodes, links, centre }: { nodes: GraphNode[]; links: GraphLink[]; centre: string[] }) {
  const router = useRouter();
  const flowNodes = useMemo(() => layout(nodes, centre), [nodes, centre]);
  const edges = useMemo<Edge[]>(
    () =>
      links.map((l) => ({
        id: `${l.from}→${l.to}`,
        source: l.from,
        target: l.to,
        type: 'smoothstep',
        markerEnd: { type: MarkerType.ArrowClosed, width: 14, height: 14 },
        style: { stroke: '#9aa3b2' },
        data: { job: l.job, runId: l.runId, at: l.at },
        ariaLabel: `${l.from} to ${l.to} by ${l.job} run ${l.runId}`,
      })),
    [links],
  );
  const columns = [...new Set(nodes.map((n) => n.column))];
  return (
    <>
      <div className={styles.canvas} data-testid="lineage-graph" data-nodes={nodes.length} data-links={links.length}>
        <ReactFlow
          nodes={flowNodes}
          edges={edges}
          nodeTypes={nodeTypes}
          fitView
          fitViewOptions={{ padding: 0.12, maxZoom: 1.1 }}
          minZoom={0.05}
          onlyRenderVisibleElements={nodes.length > 150}
          nodesDraggable={false}
          nodesConnectable={false}
          elementsSelectable
          onNodeClick={(_, node) => {
            const href = (node.data as unknown as LineageNodeData).href;
            if (href) router.push(href);
          }}
          proOptions={{ hideAttribution: true }}
        >
          <Background gap={24} color="#eef0f4" />
          <Controls showInteractive={false} />
          {nodes.length > 40 ? <MiniMap pannable zoomable /> : null}
        </ReactFlow>
      </div>
      <div className={styles.legend}>
        {(['source', 'bronze', 'silver', 'gold', 'mart'] as const)
          .filter((c) => columns.includes(c))
          .map((c) => (
            <span key={c}>
              <span className={styles.swatch} style={{ background: SWATCH[c] }} />
              {COLUMN_TITLE[c]}
            </span>
          ))}
        <span>Each arrow is the newest run that made the right from the left; hover an arrow for its run.</span>
      </div>
    </>
  );
}
