/**
 * One run, live: its graph (tokens where they are, nodes coloured by state, visit counts), its
 * progress, what it waits on (answerable here), the timeline of its log, a node's steps, the
 * controls, and the slider that shows it as of any event — and forks it from there.
 */
import { useEffect, useState } from 'react';
import { api, runActions, runPath } from '../../api/client';
import type { FlowVersion, RunView } from '../../api/types';
import { useApi } from '../../api/use-api';
import { useCoalesced } from '../../api/use-coalesced';
import { useRunEvents } from '../../api/use-run-events';
import { Link } from '../../app/router';
import { FlowGraph } from '../../graph/flow-graph';
import { loadElk } from '../../graph/layout';
import { AnswerWait } from '../people/answer-wait';
import { Replying, replyingNodes } from '../people/conversation';
import { EventList } from './event-list';
import { RunControls } from './run-controls';
import { StepDetails } from './step-details';
import { TimeTravel } from './time-travel';
import { Timeline } from './timeline';

export function RunPage({ params }: { params: Record<string, string> }) {
  const runId = params.runId;
  // The layout code loads while the run's log does, not after it.
  useEffect(() => void loadElk(), []);
  const log = useRunEvents(runId);
  const lastSeq = log.events.at(-1)?.seq ?? 0;
  const [at, setAt] = useState<number>();
  const [selected, setSelected] = useState<string>();
  const [changed, setChanged] = useState(0);
  const run = useCoalesced(() => api<RunView>(runPath(runId)), `${lastSeq}:${changed}`);
  const state = useCoalesced(() => runActions.stateAt(runId, at), `${at ?? `live:${lastSeq}`}:${changed}`);
  const view = run.data;
  const flow = useApi<FlowVersion>(view ? `/v1/flows/${encodeURIComponent(view.flowId)}/versions/${view.flowVersion}` : null);
  const definition = flow.data?.definition;
  const error = run.error ?? log.error ?? flow.error;
  const shownState = state.data;
  const past = at !== undefined;
  const onChange = () => setChanged((n) => n + 1);

  return (
    <section className="run-page" data-testid="run-page" data-loaded={log.loaded && !!shownState && !!definition}>
      <h1>
        Run <code>{runId}</code>
      </h1>
      {error && <p className="error">{error.message}</p>}
      {view && (
        <div className="run-header">
          <span className={`status status-${past ? shownState?.status : view.status}`} data-testid="run-status">
            {past ? shownState?.status : view.status}
          </span>
          <span className="muted">{past ? shownState?.reason : view.reason}</span>
          <progress max={100} value={(past ? shownState?.percent : view.progress.percent) ?? 0} aria-label="Progress" />
          <span data-testid="percent">{Math.round((past ? shownState?.percent : view.progress.percent) ?? 0)}%</span>
          <span>
            <Link to={`/flows/${encodeURIComponent(view.flowId)}/versions/${view.flowVersion}`}>
              {view.flowId} v{view.flowVersion}
            </Link>
          </span>
          <span data-testid="event-count">{log.events.length} events</span>
          {view.forkOf && (
            <span data-testid="fork-of">
              forked from <Link to={`/runs/${encodeURIComponent(view.forkOf.runId)}`}>{view.forkOf.runId}</Link> at event{' '}
              {view.forkOf.seq}
            </span>
          )}
          {view.parentRunId && (
            <span>
              child of <Link to={`/runs/${encodeURIComponent(view.parentRunId)}`}>{view.parentRunId}</Link>
            </span>
          )}
        </div>
      )}
      {view?.error && (
        <p className="error" data-testid="run-error">
          {view.error.code}: {view.error.message}
        </p>
      )}
      {view && <RunControls run={view} onChange={onChange} />}
      <TimeTravel runId={runId} events={log.events} at={at} onMove={setAt} />
      <div className="columns">
        <div className="main-column">
          {definition && <FlowGraph definition={definition} run={shownState} selected={selected} onSelect={setSelected} />}
          <h2>Timeline</h2>
          <Timeline events={past ? log.events.filter((e) => e.seq <= at) : log.events} />
        </div>
        <aside>
          {view && !past && view.waitingOn.length > 0 && (
            <section>
              <h2>Waiting</h2>
              {view.waitingOn.map((waiting) => (
                <AnswerWait
                  key={waiting.nodeId}
                  runId={runId}
                  waiting={waiting}
                  node={definition?.nodes?.find((n) => n.id === waiting.nodeId)}
                  onAnswered={onChange}
                  events={log.events}
                />
              ))}
            </section>
          )}
          {view &&
            !past &&
            (view.status === 'running' || view.status === 'waiting') &&
            replyingNodes(log.events, view.waitingOn).map((nodeId) => (
              <Replying key={nodeId} nodeId={nodeId} events={log.events} />
            ))}
          {definition && (
            <label>
              Node
              <select
                value={selected ?? ''}
                onChange={(e) => setSelected(e.target.value || undefined)}
                aria-label="Node to inspect"
              >
                <option value="">— choose a node —</option>
                {definition.nodes?.map((node) => (
                  <option key={node.id} value={node.id}>
                    {node.id}
                  </option>
                ))}
              </select>
            </label>
          )}
          {view && selected && (
            <StepDetails
              events={past ? log.events.filter((e) => e.seq <= at) : log.events}
              nodeId={selected}
              run={view}
              nodeError={shownState?.steps[selected]?.error ?? shownState?.tokens.find((t) => t.nodeId === selected)?.error}
            />
          )}
          {shownState && (
            <section>
              <h2>Variables{past ? ` as of event ${shownState.eventSeq}` : ''}</h2>
              <pre data-testid="vars">{JSON.stringify(shownState.vars, null, 2)}</pre>
            </section>
          )}
          <EventList events={log.events} at={at} />
        </aside>
      </div>
    </section>
  );
}
