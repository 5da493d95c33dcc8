/** The part of bpmn-moddle we use (its package exports no types for its main entry). */
declare module 'bpmn-moddle' {
  export interface ModdleObject {
    $type: string;
    [key: string]: unknown;
  }
  export class BpmnModdle {
    fromXML(text: string): Promise<{ rootElement: ModdleObject; warnings: unknown[] }>;
    toXML(element: ModdleObject, options?: { format?: boolean }): Promise<{ xml: string }>;
    create(type: string, attrs?: Record<string, unknown>): ModdleObject;
  }
}
