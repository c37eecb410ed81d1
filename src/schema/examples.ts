// The example operations GraphiQL opens with (one tab each). Ids in the variables are real: the
// gateway runs CHOICES_QUERY as the service account before rendering the page, so the tabs run as
// they are; without a service account they fall back to placeholders the user replaces.

export interface ExampleTab {
  query: string;
  variables?: string;
  headers?: string;
}

/** Ids for the create and stop examples, picked from what the project actually has. */
export interface DemoChoices {
  flavorId: string;
  imageId: string;
  networkId: string;
  keyName: string;
  zone: string;
  serverId: string;
  /** Another ACTIVE server, for the park (shelve) and restart (unshelve) tab. */
  parkServerId: string;
  /** An available volume in the zone of `serverId`, for the data-volume tab's attach and snapshot steps. */
  dataVolumeId: string;
  /** The zone of `serverId`: a volume attaches only to a server of its own zone. */
  serverZone: string;
}

/** Credentials the pass-through example may show: only the embedded simulator's demo account. */
export interface DemoAccount {
  tenantId: string;
  username: string;
  password: string;
}

export const CHOICES_QUERY = /* GraphQL */ `
  query GraphiQLChoices {
    flavors { id name disk }
    networks { id external }
    keypairs { name }
    availabilityZones { name available }
    servers(first: 50) { edges { node { id status availabilityZone image { id osType } } } }
    volumes(first: 50) { edges { node { id status availabilityZone } } }
    images(filter: { visibility: "public", status: "active" }, first: 50) { edges { node { id osType } } }
  }
`;

interface ChoicesData {
  flavors?: { id: string; name: string; disk: number }[];
  networks?: { id: string; external: boolean }[];
  keypairs?: { name: string }[];
  availabilityZones?: { name: string; available: boolean }[];
  servers?: {
    edges: { node: { id: string; status: string; availabilityZone?: string | null; image: { id: string; osType: string | null } | null } }[];
  };
  volumes?: { edges: { node: { id: string; status: string; availabilityZone: string | null } }[] };
  images?: { edges: { node: { id: string; osType: string | null } }[] };
}

/** Volume-backed general flavor, Linux image, private network: the common NHN create. */
export function pickChoices(data: ChoicesData | null | undefined): Partial<DemoChoices> {
  const nodes = data?.servers?.edges.map((e) => e.node) ?? [];
  const linux = nodes.find((n) => n.image && n.image.osType?.toLowerCase() !== 'windows');
  const flavor = data?.flavors?.find((f) => f.name.startsWith('m2.')) ?? data?.flavors?.find((f) => f.disk === 0);
  const server = nodes.find((n) => n.status === 'ACTIVE');
  const dataVolume = data?.volumes?.edges
    .map((e) => e.node)
    .find((v) => v.status === 'available' && v.availabilityZone === server?.availabilityZone);
  const publicLinux = data?.images?.edges.map((e) => e.node).find((n) => n.osType?.toLowerCase() === 'linux');
  return {
    flavorId: flavor?.id,
    imageId: publicLinux?.id ?? linux?.image?.id,
    networkId: data?.networks?.find((n) => !n.external)?.id,
    keyName: data?.keypairs?.[0]?.name,
    zone: data?.availabilityZones?.find((z) => z.available)?.name,
    serverId: server?.id,
    dataVolumeId: dataVolume?.id,
    serverZone: server?.availabilityZone ?? undefined,
    parkServerId: nodes.filter((n) => n.status === 'ACTIVE' && n.id !== server?.id)[0]?.id,
  };
}

const json = (value: unknown) => JSON.stringify(value, null, 2);

const LIST_SERVERS = /* GraphQL */ `# Servers with their flavor and image: one upstream list call, plus one flavor
# catalogue, one image and one keypair call for the whole page (cached afterwards).
# Next page: pass pageInfo.endCursor as $after.
query ListServers($first: Int = 20, $after: String) {
  servers(first: $first, after: $after) {
    edges {
      node {
        id
        name
        status
        flavor { name vcpus ram }
        image { name osDistro osVersion }
        keypair { name }
        addresses { networkName address type }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
`;

const CHOICES = /* GraphQL */ `# What a create-server form can offer: images to boot from (NHN's public ones
# and the project's own; more pages with pageInfo.endCursor as $after), flavors,
# networks and subnets, keypairs and zones of this project.
query CreateServerChoices($after: String) {
  images(filter: { status: "active" }, first: 20, after: $after) {
    edges { node { id name osType osDistro osVersion minDisk minRam visibility } }
    pageInfo { hasNextPage endCursor }
  }
  flavors { id name vcpus ram disk }
  networks { id name external subnets { id cidr } }
  keypairs { name }
  availabilityZones { name available }
}
`;

const CREATE_SERVER = /* GraphQL */ `# Creates a server from an image onto a 20 GB volume (NHN needs a block device
# for every flavor family but u2). Pick imageId (and the block device's uuid) from
# the images of the previous tab; the volume must be at least the image's minDisk.
# userData is plain text: the gateway base64-encodes it.
# The server comes back in BUILD and turns ACTIVE shortly after.
mutation CreateServer($input: CreateServerInput!) {
  createServer(input: $input) {
    server { id name status taskState flavor { name } image { name } }
    reservationId
  }
}
`;

const DATA_VOLUME = /* GraphQL */ `# A data disk in three steps; pick the operation with the run button's menu.
# 1. CreateDataVolume: a blank 20 GB volume (volumeType "General SSD" for SSD),
#    "creating" and "available" a moment later. Put its id into $volumeId.
# 2. AttachDataVolume: attaches it to the server (same zone only); the volume
#    goes attaching -> in-use and shows in the guest as the next /dev/vdX.
# 3. SnapshotDataVolume: a point-in-time copy; force: true because it is in use.
#    createVolume(input: { snapshotId, size }) makes a new volume from it.
mutation CreateDataVolume($zone: String) {
  createVolume(input: { size: 20, name: "graphiql-data", availabilityZone: $zone }) {
    id name size status volumeType availabilityZone
  }
}

mutation AttachDataVolume($serverId: ID!, $volumeId: ID!) {
  attachVolume(serverId: $serverId, volumeId: $volumeId) {
    device volume { id status } server { name }
  }
}

mutation SnapshotDataVolume($volumeId: ID!) {
  createVolumeSnapshot(input: { volumeId: $volumeId, name: "graphiql-data-snap", force: true }) {
    id status size volume { name status attachments { device server { name } } }
  }
}
`;

const STOP_SERVER = /* GraphQL */ `# Stops an ACTIVE server (os-stop) and returns it as it stands right after:
# usually still ACTIVE with taskState "powering-off", then SHUTOFF.
# Run it twice and the second call is refused with CONFLICT (409).
mutation StopServer($id: ID!) {
  stopServer(id: $id) { id name status taskState vmState powerState }
}
`;

const MAKE_SERVER_REACHABLE = /* GraphQL */ `# Make a server reachable over SSH. NHN's default security group blocks all
# inbound traffic, and a server has no public address until a floating IP is associated
# with its port. Five steps: run them in order (the run button lists them), and after
# each copy the id it answers into the variable of the same name (group, floatingIp).

# 1. A new security group: it allows all outbound traffic and no inbound.
mutation MakeServerReachable {
  group: createSecurityGroup(input: { name: "ssh-from-anywhere", description: "SSH (22/tcp) from anywhere" }) { id name }
}

# 2. A rule in it that lets port 22 in from anywhere.
mutation AllowSsh($group: ID!) {
  rule: createSecurityGroupRule(input: {
    securityGroupId: $group, direction: INGRESS, protocol: "tcp", portRangeMin: 22, portRangeMax: 22, remoteIpPrefix: "0.0.0.0/0"
  }) { id direction protocol portRangeMin portRangeMax remoteIpPrefix }
}

# 3. The group on the server (on its port), and a floating IP from the external network.
mutation PutGroupOnServer($serverId: ID!) {
  addSecurityGroup(serverId: $serverId, name: "ssh-from-anywhere") { id securityGroups }
  floatingIp: createFloatingIp(input: { label: "ssh" }) { id address status }
}

# 4. The floating IP on the server's port (the gateway finds the port from the server).
mutation AssociateFloatingIp($floatingIp: ID!, $serverId: ID!) {
  associateFloatingIp(id: $floatingIp, serverId: $serverId) { address status fixedAddress }
}

# 5. The server read back: its public address, and the rules that let SSH in.
query ReadBackServer($serverId: ID!) {
  server(id: $serverId) {
    name
    status
    addresses { type address }
    floatingIps { address }
    ports { securityGroups { name rules { direction protocol portRangeMin portRangeMax remoteIpPrefix } } }
  }
}
`;

const PARK_SERVER = /* GraphQL */ `# NHN's "terminate instance" and "start terminated instance" (Nova shelve and
# unshelve): parking releases the compute (no longer charged) and keeps the disks
# (still charged). Run ParkServer on an ACTIVE server (GPU servers cannot be parked);
# run ParkedServer until status is SHELVED_OFFLOADED; then RestartServer brings it
# back to ACTIVE. A call in any other state is refused with CONFLICT (409).
mutation ParkServer($id: ID!) {
  shelveServer(id: $id) { id name status taskState }
}

query ParkedServer($id: ID!) {
  server(id: $id) { id name status taskState powerState }
}

mutation RestartServer($id: ID!) {
  unshelveServer(id: $id) { id name status taskState }
}
`;

const WATCH_SERVER = /* GraphQL */ `# Live: the server now, then again at every change (GraphQL over SSE here; graphql-ws
# on the same /graphql path works too). Run it, then run StopServer in the previous tab:
# ACTIVE, powering-off, SHUTOFF arrive here as they happen, whoever made the change.
# One watcher per project polls NHN for every subscriber, however many there are.
subscription WatchServer($id: ID!) {
  server(id: $id) { id name status taskState vmState powerState updated }
}
`;

const ISSUE_TOKEN = /* GraphQL */ `# Issues a Keystone token. Use its id as X-Auth-Token and tenant.id as
# X-Tenant-Id (see the next tab) to act as that user instead of the gateway's service account.
mutation IssueToken($input: IssueTokenInput!) {
  issueToken(input: $input) { id expires tenant { id name } }
}
`;

const AS_CALLER = /* GraphQL */ `# Pass-through: with X-Auth-Token and X-Tenant-Id (the Headers pane below) the
# gateway calls NHN as that caller; send both or neither. Get a token from the previous tab.
query AsCaller {
  keypairs { name fingerprint }
  servers(first: 5) { edges { node { id name status } } }
}
`;

export function exampleTabs(
  choices: Partial<DemoChoices>,
  demo: { account?: DemoAccount; token?: string } = {},
): ExampleTab[] {
  const imageId = choices.imageId ?? '<image id: run CreateServerChoices (images)>';
  const createInput = {
    name: 'graphiql-demo',
    flavorId: choices.flavorId ?? '<flavor id: run CreateServerChoices>',
    networks: [{ networkId: choices.networkId ?? '<network id>' }],
    keyName: choices.keyName ?? '<keypair name>',
    ...(choices.zone ? { availabilityZone: choices.zone } : {}),
    blockDevices: [
      { sourceType: 'IMAGE', destinationType: 'VOLUME', uuid: imageId, bootIndex: 0, volumeSize: 20, deleteOnTermination: true },
    ],
    imageId,
    userData: '#!/bin/sh\necho hello from the gateway > /tmp/hello\n',
    metadata: [{ key: 'purpose', value: 'graphiql example' }],
  };
  const account = demo.account;
  return [
    { query: LIST_SERVERS, variables: json({ first: 20 }) },
    { query: CHOICES },
    { query: CREATE_SERVER, variables: json({ input: createInput }) },
    {
      query: DATA_VOLUME,
      variables: json({
        zone: choices.serverZone ?? choices.zone ?? null,
        serverId: choices.serverId ?? '<server id>',
        volumeId: choices.dataVolumeId ?? '<volume id from CreateDataVolume>',
      }),
    },
    { query: STOP_SERVER, variables: json({ id: choices.serverId ?? '<server id>' }) },
    { query: WATCH_SERVER, variables: json({ id: choices.serverId ?? '<server id>' }) },
    {
      query: MAKE_SERVER_REACHABLE,
      variables: json({ serverId: choices.serverId ?? '<server id>', group: '<id from step 1>', floatingIp: '<id from step 3>' }),
    },
    { query: PARK_SERVER, variables: json({ id: choices.parkServerId ?? '<id of an ACTIVE server>' }) },
    {
      query: ISSUE_TOKEN,
      variables: json({
        input: {
          tenantId: account?.tenantId ?? '<tenant id>',
          username: account?.username ?? '<NHN account email>',
          password: account?.password ?? '<API password>',
        },
      }),
    },
    {
      query: AS_CALLER,
      headers: json({
        'X-Auth-Token': demo.token ?? '<token id from issueToken>',
        'X-Tenant-Id': account?.tenantId ?? '<tenant id>',
      }),
    },
  ];
}
