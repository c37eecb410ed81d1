// The network around a server over HTTP against the simulator: the reachable-server journey, each
// refusal (duplicate rule, protected or associated floating IP, group in use, bad input before any
// call), exact upstream call counts for a page of servers with ports and floating IPs, and
// Server.ports null (with the page intact) when the network service fails.

import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { type Stack, startStack, withStack } from '../helpers/gateway.js';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.close());
beforeEach(() => stack.sim.controls.resetLog());

async function ok(query: string, variables?: Record<string, unknown>): Promise<any> {
  const body = await stack.gql(query, variables);
  expect(body.errors).toBeUndefined();
  return body.data;
}

async function serverId(name: string): Promise<string> {
  const data = await ok('{ servers(first: 100) { edges { node { id name } } } }');
  return data.servers.edges.map((e: any) => e.node).find((n: any) => n.name === name).id;
}

/** Adds an ACTIVE server with the control and returns its id (lists are newest first). */
async function newServer(): Promise<string> {
  stack.sim.controls.addServers(1);
  const data = await ok('{ servers(first: 1) { edges { node { id } } } }');
  return data.servers.edges[0].node.id;
}

const CREATE_GROUP = 'mutation($input: CreateSecurityGroupInput!) { createSecurityGroup(input: $input) { id name rules { direction etherType protocol } } }';
const CREATE_RULE = 'mutation($input: CreateSecurityGroupRuleInput!) { createSecurityGroupRule(input: $input) { id securityGroupId direction etherType protocol portRangeMin portRangeMax remoteIpPrefix } }';
const CREATE_FIP = 'mutation($input: CreateFloatingIpInput) { createFloatingIp(input: $input) { id address status portId label deletionProtected } }';

describe('make a server reachable', () => {
  test('a rule for port 22 in a new group, the group on the server, a floating IP associated, the server read back', async () => {
    const id = await newServer();
    const group = (await ok(CREATE_GROUP, { input: { name: 'ssh', description: 'SSH from anywhere' } })).createSecurityGroup;
    expect(group.rules).toEqual([
      { direction: 'EGRESS', etherType: 'IPV4', protocol: null },
      { direction: 'EGRESS', etherType: 'IPV6', protocol: null },
    ]);
    const rule = (await ok(CREATE_RULE, {
      input: { securityGroupId: group.id, direction: 'INGRESS', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '0.0.0.0/0' },
    })).createSecurityGroupRule;
    expect(rule).toMatchObject({ securityGroupId: group.id, direction: 'INGRESS', etherType: 'IPV4', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: '0.0.0.0/0' });
    await ok('mutation($id: ID!) { addSecurityGroup(serverId: $id, name: "ssh") { id } }', { id });
    const fip = (await ok(CREATE_FIP, { input: { label: 'ssh1' } })).createFloatingIp;
    expect(fip).toMatchObject({ status: 'DOWN', portId: null, label: 'ssh1', deletionProtected: false });
    const associated = (await ok('mutation($f: ID!, $s: ID!) { associateFloatingIp(id: $f, serverId: $s) { status portId fixedAddress server { id } } }', { f: fip.id, s: id })).associateFloatingIp;
    expect(associated).toMatchObject({ status: 'ACTIVE', portId: expect.any(String), server: { id } });

    const server = (await ok(`query($id: ID!) { server(id: $id) {
      securityGroups addresses { type address }
      floatingIps { address }
      ports { fixedIps { ipAddress } floatingIp { address } securityGroups { name rules { direction protocol portRangeMin remoteIpPrefix } } }
    } }`, { id })).server;
    expect(server.securityGroups).toEqual(['default', 'ssh']);
    expect(server.addresses).toContainEqual({ type: 'FLOATING', address: fip.address });
    expect(server.floatingIps).toEqual([{ address: fip.address }]);
    const [port] = server.ports;
    expect(port.floatingIp).toEqual({ address: fip.address });
    expect(port.fixedIps[0].ipAddress).toBe(associated.fixedAddress);
    const ssh = port.securityGroups.find((g: any) => g.name === 'ssh');
    expect(ssh.rules).toContainEqual({ direction: 'INGRESS', protocol: 'tcp', portRangeMin: 22, remoteIpPrefix: '0.0.0.0/0' });
  });
});

describe('refusals', () => {
  test('the same rule twice: CONFLICT with Neutron\'s message', async () => {
    const group = (await ok(CREATE_GROUP, { input: { name: 'dup' } })).createSecurityGroup;
    const input = { securityGroupId: group.id, direction: 'INGRESS', protocol: 'tcp', portRangeMin: 443, portRangeMax: 443 };
    const first = (await ok(CREATE_RULE, { input })).createSecurityGroupRule;
    const again = await stack.gql(CREATE_RULE, { input });
    expect(again.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', upstream: { service: 'network', status: 409 } });
    expect(again.errors?.[0]?.message).toContain(`Rule id is ${first.id}`);
  });

  test('deleting a protected floating IP, then an associated one: CONFLICT each; free and unprotected it goes', async () => {
    const fip = (await ok(CREATE_FIP, { input: { deletionProtected: true } })).createFloatingIp;
    const DELETE = 'mutation($id: ID!) { deleteFloatingIp(id: $id) }';
    const protectedDelete = await stack.gql(DELETE, { id: fip.id });
    expect(protectedDelete.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    expect(protectedDelete.errors?.[0]?.message).toMatch(/protected/);
    await ok('mutation($id: ID!) { updateFloatingIp(id: $id, deletionProtected: false) { deletionProtected } }', { id: fip.id });
    const id = await newServer();
    await ok('mutation($f: ID!, $s: ID!) { associateFloatingIp(id: $f, serverId: $s) { id } }', { f: fip.id, s: id });
    const associatedDelete = await stack.gql(DELETE, { id: fip.id });
    expect(associatedDelete.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    expect(associatedDelete.errors?.[0]?.message).toMatch(/associated/);
    const freed = (await ok('mutation($id: ID!) { disassociateFloatingIp(id: $id) { status portId server { id } } }', { id: fip.id })).disassociateFloatingIp;
    expect(freed).toEqual({ status: 'DOWN', portId: null, server: null });
    expect((await ok(DELETE, { id: fip.id })).deleteFloatingIp).toBe(fip.id);
    expect((await ok('query($id: ID!) { floatingIp(id: $id) { id } }', { id: fip.id })).floatingIp).toBeNull();
  });

  test('deleting a group a server uses: CONFLICT; once removed from the server it goes', async () => {
    const id = await newServer();
    const group = (await ok(CREATE_GROUP, { input: { name: 'busy' } })).createSecurityGroup;
    await ok('mutation($id: ID!) { addSecurityGroup(serverId: $id, name: "busy") { id } }', { id });
    const users = (await ok('query($g: ID!) { securityGroup(id: $g) { ports { serverId } } }', { g: group.id })).securityGroup.ports;
    expect(users).toEqual([{ serverId: id }]);
    const inUse = await stack.gql('mutation($g: ID!) { deleteSecurityGroup(id: $g) }', { g: group.id });
    expect(inUse.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
    expect(inUse.errors?.[0]?.message).toContain('in use');
    await ok('mutation($id: ID!) { removeSecurityGroup(serverId: $id, name: "busy") { id } }', { id });
    expect((await ok('mutation($g: ID!) { deleteSecurityGroup(id: $g) }', { g: group.id })).deleteSecurityGroup).toBe(group.id);
  });

  test('bad input is refused before any upstream call, naming the field', async () => {
    const groupId = '8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11';
    const rule = (extra: Record<string, unknown>) => ({ input: { securityGroupId: groupId, direction: 'INGRESS', protocol: 'tcp', portRangeMin: 22, portRangeMax: 22, ...extra } });
    const cases: [string, Record<string, unknown> | undefined, string][] = [
      [CREATE_RULE, rule({ remoteIpPrefix: '10.0.0.0/33' }), 'input.remoteIpPrefix'],
      [CREATE_RULE, rule({ remoteIpPrefix: 'anywhere' }), 'input.remoteIpPrefix'],
      [CREATE_RULE, rule({ remoteIpPrefix: '::/0' }), 'input.remoteIpPrefix'],
      [CREATE_RULE, rule({ portRangeMin: 0, portRangeMax: 22 }), 'input.portRangeMin'],
      [CREATE_RULE, rule({ portRangeMin: 22, portRangeMax: 65536 }), 'input.portRangeMax'],
      [CREATE_RULE, rule({ portRangeMin: 30, portRangeMax: 20 }), 'input.portRangeMin'],
      [CREATE_RULE, rule({ portRangeMax: null }), 'input.portRangeMax'],
      [CREATE_RULE, rule({ protocol: null }), 'input.protocol'],
      [CREATE_RULE, rule({ protocol: 'tcpp' }), 'input.protocol'],
      [CREATE_RULE, rule({ protocol: '256', portRangeMin: null, portRangeMax: null }), 'input.protocol'],
      [CREATE_RULE, rule({ protocol: 'gre' }), 'input.portRangeMin'],
      [CREATE_RULE, rule({ protocol: 'icmp', portRangeMin: 8, portRangeMax: 256 }), 'input.portRangeMax'],
      [CREATE_RULE, rule({ etherType: 'IPV6' }), 'input.etherType'],
      [CREATE_RULE, rule({ remoteIpPrefix: '10.0.0.0/8', remoteGroupId: groupId }), 'input.remoteGroupId'],
      [CREATE_GROUP, { input: { name: 'Default' } }, 'input.name'],
      [CREATE_GROUP, { input: { name: 'x'.repeat(256) } }, 'input.name'],
      [CREATE_FIP, { input: { label: 'has-dash' } }, 'input.label'],
      [CREATE_FIP, { input: { label: 'a'.repeat(65) } }, 'input.label'],
      ['mutation { associateFloatingIp(id: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11") { id } }', undefined, 'serverId'],
      ['mutation { updateFloatingIp(id: "8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11") { id } }', undefined, 'label'],
    ];
    for (const [query, variables, field] of cases) {
      const body = await stack.gql(query, variables);
      expect(body.errors?.[0]?.extensions, JSON.stringify(variables)).toMatchObject({ code: 'BAD_USER_INPUT', field });
    }
    expect(stack.calls()).toEqual({});
  });

  test('associating with a server that has several ports names them; with one of them it works', async () => {
    const web = (await ok('query($id: ID!) { server(id: $id) { image { id } } flavors { id name } networks { id external } }', { id: await serverId('web-01') }));
    const networkId = web.networks.find((n: any) => !n.external).id;
    const input = {
      name: 'two-nics',
      imageId: web.server.image.id,
      flavorId: web.flavors.find((f: any) => f.name === 'u2.c1m1').id,
      networks: [{ networkId }, { networkId }],
      keyName: 'demo-key',
    };
    const created = await stack.gql('mutation($input: CreateServerInput!) { createServer(input: $input) { server { id } } }', { input });
    expect(created.errors).toBeUndefined();
    const id = created.data.createServer.server.id;
    const ports = (await ok('query($id: ID!) { ports(serverId: $id) { id } }', { id })).ports.map((p: any) => p.id);
    expect(ports).toHaveLength(2);
    const fip = (await ok(CREATE_FIP)).createFloatingIp;
    const several = await stack.gql('mutation($f: ID!, $s: ID!) { associateFloatingIp(id: $f, serverId: $s) { id } }', { f: fip.id, s: id });
    expect(several.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'serverId' });
    for (const port of ports) expect(several.errors?.[0]?.message).toContain(port);
    const chosen = (await ok('mutation($f: ID!, $p: ID!) { associateFloatingIp(id: $f, portId: $p) { portId } }', { f: fip.id, p: ports[1] })).associateFloatingIp;
    expect(chosen.portId).toBe(ports[1]);
  });
});

describe('queries', () => {
  test('groups with rules and remote groups, ports, floating IPs with their port and server', async () => {
    const data = await ok(`{
      securityGroups { id name tenantId rules { direction remoteGroup { name } } }
      ports { id status networkId macAddress serverId server { name } securityGroupIds }
      floatingIps { address status label deletionProtected fixedAddress port { id } server { name } }
    }`);
    expect(data.securityGroups.map((g: any) => g.name)).toEqual(expect.arrayContaining(['default', 'web']));
    expect(data.ports.find((p: any) => p.server?.name === 'web-01')).toMatchObject({ status: 'ACTIVE', securityGroupIds: expect.any(Array) });
    const web = data.floatingIps.find((f: any) => f.label === 'web01');
    expect(web).toMatchObject({ status: 'ACTIVE', server: { name: 'web-01' }, port: { id: expect.any(String) } });
    expect(data.floatingIps.find((f: any) => f.label === 'reserved')).toMatchObject({ status: 'DOWN', deletionProtected: true, port: null, server: null });
  });
});

describe('upstream calls', () => {
  test('a 100-server page with ports, their groups and floating IPs, and the servers\' floating IPs: 4 calls', async () => {
    await withStack({}, async (fresh) => {
      fresh.sim.controls.addServers(94);
      fresh.sim.controls.resetLog();
      const body = await fresh.gql(`{ servers(first: 100) { edges { node { id
        floatingIps { address }
        ports { id fixedIps { ipAddress } floatingIp { address } securityGroups { name rules { remoteGroup { name } } } }
      } } } }`);
      expect(body.errors).toBeUndefined();
      const nodes = body.data.servers.edges.map((e: any) => e.node);
      expect(nodes).toHaveLength(100);
      expect(nodes.filter((n: any) => n.ports.length === 1)).toHaveLength(99);
      expect(nodes.flatMap((n: any) => n.floatingIps)).toHaveLength(1);
      expect(fresh.calls()).toEqual({
        'GET compute /servers/detail': 1,
        'GET network /v2.0/ports': 1,
        'GET network /v2.0/floatingips': 1,
        'GET network /v2.0/security-groups': 1,
      });
      // One ports call for the page: every server id rides along as device_id.
      const portsCall = fresh.sim.controls.requestLog().find((e) => e.route === 'GET network /v2.0/ports');
      expect(new URL(portsCall!.path, 'http://x').searchParams.getAll('device_id')).toHaveLength(100);

      fresh.sim.controls.resetLog();
      const fipsOnly = await fresh.gql('{ servers(first: 100) { edges { node { floatingIps { address } } } } }');
      expect(fipsOnly.errors).toBeUndefined();
      expect(fresh.calls()).toEqual({ 'GET compute /servers/detail': 1, 'GET network /v2.0/ports': 1, 'GET network /v2.0/floatingips': 1 });
    });
  });

  test('with the network service down, ports and floating IPs are null with errors at their paths; the page comes back', () =>
    withStack({}, async (fresh) => {
      fresh.sim.controls.setErrorRate('network', 1);
      const body = await fresh.gql('{ servers { edges { node { name flavor { name } ports { id } floatingIps { address } } } } }');
      const nodes = body.data.servers.edges.map((e: any) => e.node);
      expect(nodes).toHaveLength(6);
      for (const node of nodes) {
        expect(node.flavor.name).toMatch(/\./);
        expect(node.ports).toBeNull();
        expect(node.floatingIps).toBeNull();
      }
      expect(body.errors).toHaveLength(12);
      for (const error of body.errors!) {
        expect(error.path).toEqual(['servers', 'edges', expect.any(Number), 'node', expect.stringMatching(/^(ports|floatingIps)$/)]);
        expect(error.extensions).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', upstream: { service: 'network' } });
      }
    }));
});
