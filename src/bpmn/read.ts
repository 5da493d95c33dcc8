/**
 * Reading BPMN 2.0 XML with bpmn-moddle (the parser bpmn.io and bpmn-engine use), and the few
 * fields of its element tree the import reads. Line numbers are not kept by the parser, so a
 * problem's line is found from the element's `id="…"` in the text.
 */
import { BpmnModdle } from 'bpmn-moddle';
import { FlowInvalidError } from '../errors.js';

/** The part of a bpmn-moddle element the import reads (references are resolved objects). */
export interface BpmnElement {
  readonly $type: string;
  readonly id?: string;
  readonly name?: string;
  readonly $attrs?: Readonly<Record<string, string>>;
  readonly flowElements?: readonly BpmnElement[];
  readonly laneSets?: readonly BpmnElement[];
  readonly lanes?: readonly BpmnElement[];
  readonly flowNodeRef?: readonly BpmnElement[];
  readonly childLaneSet?: BpmnElement;
  readonly rootElements?: readonly BpmnElement[];
  readonly messageFlows?: readonly BpmnElement[];
  readonly isExecutable?: boolean;
  readonly sourceRef?: BpmnElement;
  readonly targetRef?: BpmnElement;
  readonly conditionExpression?: BpmnElement;
  readonly body?: string;
  readonly language?: string;
  readonly default?: BpmnElement;
  readonly eventDefinitions?: readonly BpmnElement[];
  readonly attachedToRef?: BpmnElement;
  readonly cancelActivity?: boolean;
  readonly loopCharacteristics?: BpmnElement;
  readonly isSequential?: boolean;
  readonly loopCardinality?: BpmnElement;
  readonly completionCondition?: BpmnElement;
  readonly loopCondition?: BpmnElement;
  readonly loopDataInputRef?: BpmnElement;
  readonly inputDataItem?: BpmnElement;
  readonly timeDuration?: BpmnElement;
  readonly timeDate?: BpmnElement;
  readonly timeCycle?: BpmnElement;
  readonly errorRef?: BpmnElement;
  readonly errorCode?: string;
  readonly signalRef?: BpmnElement;
  readonly messageRef?: BpmnElement;
  readonly implementation?: string;
  readonly calledElement?: string;
  readonly script?: string;
  readonly scriptFormat?: string;
  readonly triggeredByEvent?: boolean;
  readonly collection?: string;
  readonly elementVariable?: string;
}

export interface BpmnDocument {
  readonly definitions: BpmnElement;
  /** The XML, to find an element's line. */
  readonly text: string;
}

/**
 * Parses BPMN XML; throws FlowInvalidError (code BPMN_PARSE) with the parser's message when the
 * text is not BPMN 2.0.
 */
export async function readBpmn(text: string, sourceName = 'flow.bpmn'): Promise<BpmnDocument> {
  const moddle = new BpmnModdle();
  let definitions: BpmnElement;
  try {
    const result = await moddle.fromXML(text);
    definitions = result.rootElement as unknown as BpmnElement;
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new FlowInvalidError([{ path: '', code: 'BPMN_PARSE', message: `not BPMN 2.0 XML: ${reason}` }], sourceName);
  }
  if (definitions?.$type !== 'bpmn:Definitions') {
    throw new FlowInvalidError(
      [{ path: '', code: 'BPMN_PARSE', message: `the root element is ${definitions?.$type ?? 'missing'}, not bpmn:definitions` }],
      sourceName,
    );
  }
  return { definitions, text };
}

/** The 1-based line of the element with this id in the XML (0 when it cannot be found). */
export function lineOf(text: string, id: string | undefined): number {
  if (!id) return 0;
  const at = text.indexOf(`id="${id}"`);
  if (at < 0) return 0;
  let line = 1;
  for (let i = 0; i < at; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** `bpmn:ScriptTask` → `scriptTask`, the element's name as written in XML. */
export function tagOf(element: BpmnElement): string {
  const local = element.$type.replace(/^bpmn:/, '');
  return local.charAt(0).toLowerCase() + local.slice(1);
}

/** True when the text looks like XML rather than YAML or JSON. */
export function looksLikeXml(text: string): boolean {
  return /^\s*(<\?xml|<([\w-]+:)?definitions\b)/.test(text);
}
