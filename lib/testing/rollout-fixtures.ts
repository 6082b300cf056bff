import type { CreateTemplateBody } from "@/lib/schemas/templates";

/** A five-object template used by the rollout tests and the benchmark. */
export const DEMO_SCHEMA = {
  type: "object",
  required: ["image"],
  properties: {
    image: { type: "string", pattern: "^[a-z0-9./:-]+$", default: "registry.local/demo:1.0" },
    replicas: { type: "integer", minimum: 0, maximum: 10, default: 1 },
    namespace: { type: "string", default: "team-a" },
    greeting: { type: "string", default: "hello" },
  },
};

export const DEMO_BODY = `apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ release }}-config
  namespace: {{ params.namespace }}
data:
  greeting: {{ params.greeting | json }}
  cluster: {{ cluster.name }}
  region: {{ cluster.labels.region | default: "none" }}
---
apiVersion: v1
kind: Secret
metadata:
  name: {{ release }}-secret
  namespace: {{ params.namespace }}
stringData:
  token: rendered-for-{{ cluster.name }}
---
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ release }}-sa
  namespace: {{ params.namespace }}
---
apiVersion: v1
kind: Service
metadata:
  name: {{ release }}-svc
  namespace: {{ params.namespace }}
spec:
  selector:
    app: {{ release }}
  ports:
    - port: 80
      targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ release }}-web
  namespace: {{ params.namespace }}
spec:
  replicas: {{ params.replicas }}
  progressDeadlineSeconds: 600
  selector:
    matchLabels:
      app: {{ release }}
  template:
    metadata:
      labels:
        app: {{ release }}
    spec:
      containers:
        - name: web
          image: {{ params.image }}
`;

/** The demo template with the release name baked in (templates see params and cluster only). */
export function demoTemplate(name: string, release = "demo"): CreateTemplateBody {
  return {
    name,
    description: "five objects",
    schema: DEMO_SCHEMA,
    body: DEMO_BODY.replaceAll("{{ release }}", release),
    overrides: [],
    message: "first",
  };
}
