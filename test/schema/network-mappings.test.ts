// The network mappings read what NHN documents it may send: ports as strings (NHN's examples), a
// protocol as a number, booleans as strings, missing optional fields; records without an id are dropped.

import { describe, expect, it } from 'vitest';
import { toFloatingIp } from '../../src/schema/network/floating-ip-mapping.js';
import { toPort } from '../../src/schema/network/port-mapping.js';
import { toSecurityGroup } from '../../src/schema/network/security-group-mapping.js';

describe('network mappings', () => {
  it('reads a group with rules given ports as strings and a protocol number, and drops a rule without id', () => {
    const group = toSecurityGroup({
      id: 'g1',
      name: 'web',
      description: '',
      project_id: 'p1',
      security_group_rules: [
        { id: 'r1', direction: 'ingress', ethertype: 'IPv4', protocol: 'tcp', port_range_min: '80', port_range_max: '80', remote_ip_prefix: '0.0.0.0/0' },
        { id: 'r2', direction: 'EGRESS', ethertype: 'ipv6', protocol: 47 },
        { direction: 'ingress' } as never,
        'junk' as never,
      ],
    });
    expect(group).toEqual({
      id: 'g1', name: 'web', description: null, tenantId: 'p1',
      rules: [
        { id: 'r1', securityGroupId: 'g1', direction: 'INGRESS', etherType: 'IPV4', protocol: 'tcp', portRangeMin: 80, portRangeMax: 80, remoteIpPrefix: '0.0.0.0/0', remoteGroupId: null, description: null },
        { id: 'r2', securityGroupId: 'g1', direction: 'EGRESS', etherType: 'IPV6', protocol: '47', portRangeMin: null, portRangeMax: null, remoteIpPrefix: null, remoteGroupId: null, description: null },
      ],
    });
    expect(toSecurityGroup({ id: 'g2', security_group_rules: [{ id: 'r3', direction: 'sideways' }] }).rules[0]!.direction).toBeNull();
  });

  it('reads a port: the server only behind a compute device owner, malformed fixed IPs skipped', () => {
    const port = toPort({
      id: 'p1', name: '', status: 'ACTIVE', network_id: 'n1', mac_address: 'fa:16:3e:00:00:01', device_owner: 'compute:kr-pub-a', device_id: 's1',
      fixed_ips: [{ subnet_id: 'sn1', ip_address: '192.168.0.10' }, { ip_address: '192.168.0.11' }], security_groups: ['g1', '', 3 as never],
    });
    expect(port).toEqual({
      id: 'p1', name: null, status: 'ACTIVE', networkId: 'n1', macAddress: 'fa:16:3e:00:00:01', serverId: 's1',
      fixedIps: [{ subnetId: 'sn1', ipAddress: '192.168.0.10' }], securityGroupIds: ['g1'],
    });
    expect(toPort({ id: 'p2', device_owner: 'network:virtual_ip', device_id: 'network:virtual_ip' }).serverId).toBeNull();
  });

  it("reads a floating IP with NHN's fields, booleans as strings", () => {
    expect(toFloatingIp({ id: 'f1', floating_ip_address: '133.186.1.2', status: 'DOWN', floating_network_id: 'x', port_id: null, delete_protection: 'true', label: 'web01' })).toEqual({
      id: 'f1', address: '133.186.1.2', status: 'DOWN', floatingNetworkId: 'x', fixedAddress: null, portId: null, deletionProtected: true, label: 'web01',
    });
    expect(toFloatingIp({ id: 'f2' })).toMatchObject({ address: null, deletionProtected: null, label: null });
  });
});
