// The objects of a `helm template` stream, looked up by kind and name for assertions.
import type { KubernetesObject } from '@kubernetes/client-node';
import { parseAllDocuments } from 'yaml';

export class Rendered {
  constructor(readonly objects: KubernetesObject[]) {}

  static parse(text: string): Rendered {
    const objects: KubernetesObject[] = [];
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length > 0) throw new Error(doc.errors.map((e) => e.message).join('; '));
      const value: unknown = doc.toJS();
      if (value === null || value === undefined) continue;
      if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`not a Kubernetes object: ${JSON.stringify(value)}`);
      objects.push(value);
    }
    return new Rendered(objects);
  }

  all<T extends KubernetesObject = KubernetesObject>(kind: string): T[] {
    return this.objects.filter((o) => o.kind === kind) as T[];
  }

  /** The one object of this kind (and name, when given); throws listing what there is otherwise. */
  one<T extends KubernetesObject>(kind: string, name?: string): T {
    const found = this.all(kind).filter((o) => name === undefined || o.metadata?.name === name);
    if (found.length !== 1) {
      const have = this.objects.map((o) => `${o.kind ?? '?'}/${o.metadata?.name ?? '?'}`).join(', ');
      throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${found.length} among: ${have}`);
    }
    return found[0] as T;
  }
}
