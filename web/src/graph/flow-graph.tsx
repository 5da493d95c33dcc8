/**
 * A flow version drawn as a graph: one shape per node kind, edge conditions as labels, and — for
 * a run — each node coloured by its state with its tokens and visit count; validation problems
 * pinned to the nodes they are about.
 */
import { Background, Controls, type Edge, Handle, type Node, type NodeProps, Position, ReactFlow } from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useEffect, useMemo, useState } from 'react';
import type { FlowDefinition, RunStateAt } from '../api/types';
import { layoutFlow, type Placed } from './layout';
import { marksOf, type NodeMarks } from './node-state';

interface FlowNodeData extends Record<string, unknown> {
  readonly kind: string;
  readonly label: string;
  readonly marks: NodeMarks;
  readonly problems: readonly string[];
  readonly selected: boolean;
}

const KIND_GLYPH: Record<string, string> = {
  start: '▶',
  end: '■',
  task: '⚙',
  ai: '✦',
  decision: '◆',
  parallel: '⫴',
  inclusive: '◇',
  race: '⚑',
  map: '☰',
  wait: '⏸',
  timer: '⏱',
  subflow: '⧉',
  ux: '◉',
};

function FlowNodeView({ id, data }: NodeProps<Node<FlowNodeData>>) {
  const { kind, label, marks, problems, selected } = data;
  return (
    <div
      className={`flow-node kind-${kind} state-${marks.state}${problems.length ? ' has-problems' : ''}${selected ? ' selected' : ''}`}
      data-testid={`node-${id}`}
      data-state={marks.state}
      title={problems.join('\n') || `${kind} ${id}`}
    >
      <Handle type="target" position={Position.Left} />
      <span className="kind">
        {KIND_GLYPH[kind] ?? '•'} {kind}
      </span>
      <span className="label">{label}</span>
      {marks.visits > 0 && <span className="visits">×{marks.visits}</span>}
      {marks.tokens > 0 && (
        <span className="tokens" title={`${marks.tokens} token(s)`}>
          {'●'.repeat(Math.min(marks.tokens, 5))}
        </span>
      )}
      {problems.length > 0 && <span className="problem-pin">⚠ {problems.length}</span>}
      <Handle type="source" position={Position.Right} />
    </div>
  );
}

const nodeTypes = { flow: FlowNodeView };

export interface FlowGraphProps {
  readonly definition: FlowDefinition;
  readonly run?: RunStateAt;
  readonly problemsByNode?: ReadonlyMap<string, readonly string[]>;
  readonly selected?: string;
  readonly onSelect?: (nodeId: string) => void;
}

export function FlowGraph({ definition, run, problemsByNode, selected, onSelect }: FlowGraphProps) {
  const [placed, setPlaced] = useState<Placed>();
  const [layoutError, setLayoutError] = useState<string>();
  useEffect(() => {
    let stale = false;
    layoutFlow(definition).then(
      (result) => !stale && setPlaced(result),
      (error: Error) => !stale && setLayoutError(error.message),
    );
    return () => {
      stale = true;
    };
  }, [definition]);

  const marks = useMemo(() => marksOf(run), [run]);
  const nodes = useMemo<Node<FlowNodeData>[]>(
    () =>
      (definition.nodes ?? []).map((node) => ({
        id: node.id,
        type: 'flow',
        position: placed?.positions.get(node.id) ?? { x: 0, y: 0 },
        data: {
          kind: node.type,
          label: node.name ?? node.id,
          marks: marks(node.id),
          problems: problemsByNode?.get(node.id) ?? [],
          selected: node.id === selected,
        },
      })),
    [definition, placed, marks, problemsByNode, selected],
  );
  const edges = useMemo<Edge[]>(
    () =>
      (definition.edges ?? []).map((edge, i) => ({
        id: `e${i}`,
        source: edge.from,
        target: edge.to,
        label: edge.when ?? (edge.default ? 'default' : undefined),
        className: edge.default ? 'edge-default' : edge.when ? 'edge-conditional' : '',
        animated: marks(edge.to).state === 'running',
      })),
    [definition, marks],
  );

  if (layoutError) return <p className="error">The graph could not be laid out: {layoutError}</p>;
  if (!placed) return <p className="muted">Laying out the graph…</p>;
  return (
    <div className="graph" data-testid="flow-graph">
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        nodesDraggable={false}
        nodesConnectable={false}
        onNodeClick={(_, node) => onSelect?.(node.id)}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}
