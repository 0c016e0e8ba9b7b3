import { dumpYaml } from '@kubernetes/client-node';
import { expect } from 'chai';
import { parseManifest } from './apply-manifest.js';

describe('parseManifest', () => {
  it('reads a multi-document stream, skipping empty documents', () => {
    const objects = parseManifest(`---
apiVersion: v1
kind: Namespace
metadata: {name: a}
---
# only a comment
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: d, namespace: a}
spec: {replicas: 2}
`);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name ?? ''}`)).to.deep.equal(['Namespace/a', 'Deployment/d']);
  });

  it('keeps wire-named CRD schema fields through the client model (x-kubernetes-*)', () => {
    const [crd] = parseManifest(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: things.example.dev}
spec:
  group: example.dev
  names: {kind: Thing, plural: things}
  scope: Cluster
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`);
    // What the client sends is the model serialised again; the wire name must survive that round trip.
    expect(dumpYaml(crd)).to.include('x-kubernetes-preserve-unknown-fields: true');
  });

  const bad: { name: string; text: string; error: RegExp }[] = [
    { name: 'a document without kind', text: 'apiVersion: v1\nmetadata: {name: x}\n', error: /document 1 lacks apiVersion, kind/ },
    { name: 'a document without a name', text: '---\n---\napiVersion: v1\nkind: Pod\nmetadata: {}\n', error: /document 2 lacks/ },
    { name: 'a YAML syntax error', text: 'apiVersion: v1\nkind: [Pod\n', error: /document 1: / },
  ];
  for (const { name, text, error } of bad) {
    it(`rejects ${name}`, () => expect(() => parseManifest(text)).to.throw(error));
  }
});
