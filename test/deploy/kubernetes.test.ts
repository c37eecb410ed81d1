// The Kubernetes manifests, as `kubectl kustomize` renders them, against what the gateway really
// does: the probe paths answer on the gateway, the probe port is the one it listens on, the grace
// period outlasts preStop plus the drain in src/main.ts, and the security and availability settings
// a cluster operator expects are there.

import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { type Stack, startStack } from '../helpers/gateway.js';
import { haveTools } from '../helpers/replicas.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

type Manifest = { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec?: any; data?: Record<string, string> };

function render(dir: string): Manifest[] {
  const text = execFileSync('kubectl', ['kustomize', `${ROOT}deploy/kubernetes/${dir}`], { encoding: 'utf8' });
  return parseAllDocuments(text).map((doc) => doc.toJSON() as Manifest);
}

function one(manifests: Manifest[], kind: string, name = 'nhn-gateway'): Manifest {
  const found = manifests.filter((m) => m.kind === kind && m.metadata.name === name);
  expect(found, `${kind} ${name}`).toHaveLength(1);
  return found[0]!;
}

/** The drain budget of a SIGTERM, as main.ts defines it. */
function drainSeconds(): number {
  const source = readFileSync(`${ROOT}src/main.ts`, 'utf8');
  const match = /const DRAIN_TIMEOUT_MS = ([\d_]+);/.exec(source);
  expect(match, 'DRAIN_TIMEOUT_MS in src/main.ts').not.toBeNull();
  return Number(match![1]!.replaceAll('_', '')) / 1000;
}

if (haveTools('kubectl')) {
  describe('kustomize base', () => {
    let base: Manifest[];
    let stack: Stack;
    beforeAll(async () => {
      base = render('base');
      stack = await startStack();
    });
    afterAll(() => stack?.close());

    test('renders a Deployment, Service, HPA, PDB, ConfigMap and NetworkPolicies', () => {
      expect(base.map((m) => `${m.kind}/${m.metadata.name}`).sort()).toEqual([
        'ConfigMap/nhn-gateway-config',
        'Deployment/nhn-gateway',
        'HorizontalPodAutoscaler/nhn-gateway',
        'NetworkPolicy/nhn-gateway',
        'NetworkPolicy/nhn-gateway-redis',
        'PodDisruptionBudget/nhn-gateway',
        'Service/nhn-gateway',
      ]);
    });

    test('probes ask the gateway paths that answer 200, on the port the gateway listens on', async () => {
      const deployment = one(base, 'Deployment');
      const container = deployment.spec.template.spec.containers[0];
      const config = one(base, 'ConfigMap', 'nhn-gateway-config').data!;
      const portOf = (name: string) => container.ports.find((p: { name: string }) => p.name === name)?.containerPort;
      expect(portOf('http')).toBe(Number(config.PORT));
      const probes = { readinessProbe: '/ready', livenessProbe: '/health', startupProbe: '/health' } as const;
      for (const [probe, path] of Object.entries(probes)) {
        const { httpGet } = container[probe];
        expect(httpGet.path, probe).toBe(path);
        expect(typeof httpGet.port === 'string' ? portOf(httpGet.port) : httpGet.port, probe).toBe(Number(config.PORT));
        const answer = await stack.gateway.yoga.fetch(`http://gateway.test${path}`);
        expect(answer.status, `${probe} ${path} on the gateway`).toBe(200);
      }
      // The Service and the metrics annotation point at declared ports.
      expect(one(base, 'Service').spec.ports.map((p: { targetPort: string }) => p.targetPort)).toEqual(['http']);
      expect(portOf('metrics')).toBe(Number(deployment.spec.template.metadata.annotations['prometheus.io/port']));
      expect(portOf('metrics')).toBe(Number(config.METRICS_PORT));
    });

    test('the grace period outlasts preStop plus the drain', () => {
      const pod = one(base, 'Deployment').spec.template.spec;
      const preStop = pod.containers[0].lifecycle.preStop.exec.command;
      expect(preStop[0]).toBe('sleep');
      const budget = Number(preStop[1]) + drainSeconds();
      expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(budget);
    });

    test('at least two replicas, non-root, read-only root, resources, credentials and REDIS_URL from Secrets', () => {
      const deployment = one(base, 'Deployment');
      expect(deployment.spec.replicas).toBeGreaterThanOrEqual(2);
      const pod = deployment.spec.template.spec;
      const container = pod.containers[0];
      expect(pod.securityContext.runAsNonRoot).toBe(true);
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } });
      expect(container.resources.requests).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
      expect(container.resources.limits).toMatchObject({ memory: expect.any(String) });
      const fromSecret = Object.fromEntries(
        container.env.filter((e: any) => e.valueFrom?.secretKeyRef).map((e: any) => [e.name, e.valueFrom.secretKeyRef.name]),
      );
      expect(fromSecret).toEqual({
        NHN_TENANT_ID: 'nhn-gateway-credentials',
        NHN_USERNAME: 'nhn-gateway-credentials',
        NHN_API_PASSWORD: 'nhn-gateway-credentials',
        REDIS_URL: 'nhn-gateway-redis',
      });
      // No secret sits in plain env or the ConfigMap.
      expect(container.env.filter((e: any) => e.value !== undefined)).toEqual([]);
      expect(Object.keys(one(base, 'ConfigMap', 'nhn-gateway-config').data!).filter((k) => /PASSWORD|TOKEN|REDIS_URL/.test(k))).toEqual([]);

      const hpa = one(base, 'HorizontalPodAutoscaler');
      expect(hpa.spec.scaleTargetRef).toMatchObject({ kind: 'Deployment', name: 'nhn-gateway' });
      expect(hpa.spec.minReplicas).toBeGreaterThanOrEqual(2);
      const pdb = one(base, 'PodDisruptionBudget');
      expect(pdb.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
      expect(pdb.spec.minAvailable).toBeLessThan(deployment.spec.replicas);
    });

    test('NetworkPolicies: Redis admits only gateway pods; the metrics port only Prometheus', () => {
      const gatewayLabels = one(base, 'Deployment').spec.template.metadata.labels;
      const redis = one(base, 'NetworkPolicy', 'nhn-gateway-redis').spec;
      expect(redis.ingress).toHaveLength(1);
      expect(redis.ingress[0].from).toEqual([{ podSelector: { matchLabels: { 'app.kubernetes.io/name': gatewayLabels['app.kubernetes.io/name'] } } }]);
      expect(redis.ingress[0].ports).toEqual([{ protocol: 'TCP', port: 6379 }]);

      const gateway = one(base, 'NetworkPolicy', 'nhn-gateway').spec;
      expect(gateway.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/name': gatewayLabels['app.kubernetes.io/name'] });
      const metricsRules = gateway.ingress.filter((rule: any) => rule.ports.some((p: any) => p.port === 9464));
      expect(metricsRules).toHaveLength(1);
      expect(metricsRules[0].from).toEqual([
        { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'monitoring' } }, podSelector: { matchLabels: { 'app.kubernetes.io/name': 'prometheus' } } },
      ]);
      // The open rule is for GraphQL only.
      for (const rule of gateway.ingress.filter((r: any) => r.from === undefined)) expect(rule.ports).toEqual([{ protocol: 'TCP', port: 4000 }]);
    });
  });

  test('the with-redis overlay adds a Redis only gateway pods can reach, and the REDIS_URL Secret the base names', () => {
    const manifests = render('overlays/with-redis');
    const redis = one(manifests, 'Deployment', 'nhn-gateway-redis');
    expect(redis.spec.template.metadata.labels['nhn-gateway/redis']).toBe('true');
    const secret = manifests.find((m) => m.kind === 'Secret' && m.metadata.name.startsWith('nhn-gateway-redis'))!;
    const url = Buffer.from(secret.data!.REDIS_URL!, 'base64').toString('utf8');
    expect(url).toMatch(/^redis:\/\/:[^@]+@nhn-gateway-redis:6379/);
    // kustomize rewrote the reference to the generated (hashed) name.
    const env = one(manifests, 'Deployment').spec.template.spec.containers[0].env;
    expect(env.find((e: any) => e.name === 'REDIS_URL').valueFrom.secretKeyRef.name).toBe(secret.metadata.name);
  });
}
