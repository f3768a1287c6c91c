#!/usr/bin/env python3
"""Writes a big multi-document install manifest shaped like Argo CD's or a large operator's: mostly
CustomResourceDefinitions with deep openAPIV3Schema trees and long descriptions, plus the Deployments,
StatefulSets, Services, ConfigMaps and RBAC that go with them. Deterministic: the same arguments give the same
bytes. Usage: generate.py OUT.yaml [megabytes (15)]"""
import random
import sys

out, megabytes = sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 15.0
rng = random.Random(15)
words = ("the of a to is in that it for on with as be by this are or from an which can at field value when "
         "resource object spec status name namespace controller reconcile default must should may set list "
         "selector label annotation container image port replica template volume secret config key").split()


def text(n):
    return " ".join(rng.choice(words) for _ in range(n)).capitalize() + "."


def schema(lines, indent, depth):
    pad = " " * indent
    for i in range(rng.randint(3, 7)):
        name = rng.choice(words) + rng.choice(words).capitalize() + str(i)
        lines.append(f"{pad}{name}:")
        lines.append(f"{pad}  description: {text(rng.randint(8, 40))}")
        if depth > 0 and rng.random() < 0.55:
            lines.append(f"{pad}  type: object")
            if rng.random() < 0.3:
                lines.append(f"{pad}  required:")
                lines.append(f"{pad}  - {name}")
            lines.append(f"{pad}  properties:")
            schema(lines, indent + 4, depth - 1)
        elif rng.random() < 0.2:
            lines.append(f"{pad}  type: array")
            lines.append(f"{pad}  items:")
            lines.append(f"{pad}    type: string")
        else:
            lines.append(f"{pad}  type: {rng.choice(['string', 'integer', 'boolean'])}")
            if rng.random() < 0.2:
                lines.append(f"{pad}  format: int64")


def crd(i):
    plural = f"{rng.choice(words)}{i}s"
    lines = ["apiVersion: apiextensions.k8s.io/v1", "kind: CustomResourceDefinition", "metadata:",
             f"  name: {plural}.example.io", "  labels:", "    app.kubernetes.io/part-of: example", "spec:",
             "  group: example.io", "  names:", f"    kind: Kind{i}", f"    plural: {plural}", "  scope: Namespaced",
             "  versions:", "  - name: v1alpha1", "    served: true", "    storage: true", "    schema:",
             "      openAPIV3Schema:", f"        description: {text(30)}", "        type: object",
             "        properties:", "          spec:", "            type: object", "            properties:"]
    schema(lines, 14, 4)
    return "\n".join(lines)


def deployment(i, kind="Deployment"):
    return f"""apiVersion: apps/v1
kind: {kind}
metadata:
  name: component-{i}
  labels:
    app.kubernetes.io/name: component-{i}
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: component-{i}
  template:
    metadata:
      labels:
        app.kubernetes.io/name: component-{i}
    spec:
      serviceAccountName: component-{i}
      securityContext:
        runAsNonRoot: true
        seccompProfile:
          type: RuntimeDefault
      containers:
      - name: main
        image: quay.io/example/component:v2.{i}.0
        args: ["--loglevel", "info", "--port", "8080"]
        ports:
        - containerPort: 8080
        env:
        - name: NAMESPACE
          valueFrom:
            fieldRef:
              fieldPath: metadata.namespace
        resources:
          requests: {{cpu: 100m, memory: 128Mi}}
          limits: {{memory: 256Mi}}
        securityContext:
          allowPrivilegeEscalation: false
          readOnlyRootFilesystem: true
          capabilities:
            drop: ["ALL"]
        readinessProbe:
          httpGet: {{path: /healthz, port: 8080}}"""


def others(i):
    return [f"""apiVersion: v1
kind: ServiceAccount
metadata:
  name: component-{i}""", f"""apiVersion: v1
kind: Service
metadata:
  name: component-{i}
spec:
  ports:
  - name: http
    port: 80
    targetPort: 8080
  selector:
    app.kubernetes.io/name: component-{i}""", f"""apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: component-{i}
rules:
- apiGroups: ["example.io"]
  resources: ["*"]
  verbs: ["get", "list", "watch", "update", "patch"]""", f"""apiVersion: v1
kind: ConfigMap
metadata:
  name: component-{i}-config
data:
  config.yaml: |
    logLevel: info
    timeout: 30s
    # {text(12)}"""]


docs, size, i = [], 0, 0
target = megabytes * 1024 * 1024
while size < target:
    group = [crd(i)] + ([deployment(i, "StatefulSet" if i % 7 == 0 else "Deployment")] + others(i) if i % 4 == 0 else [])
    for d in group:
        docs.append(d)
        size += len(d) + 5
    i += 1
with open(out, "w") as f:
    f.write("---\n" + "\n---\n".join(docs) + "\n")
print(f"{out}: {len(docs)} documents, {size / 1024 / 1024:.1f} MiB", file=sys.stderr)
