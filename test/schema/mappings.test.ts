// How upstream values are read: real NHN sample bodies, and the odd forms NHN documents.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { toIsoUtc } from '../../src/schema/datetime.js';
import { toFlavor } from '../../src/schema/compute/flavor-mapping.js';
import { toKeypair } from '../../src/schema/compute/keypair-mapping.js';
import { powerState, serverStatus, toServer } from '../../src/schema/compute/server-mapping.js';
import { toVolumeAttachment } from '../../src/schema/compute/volume-attachment-mapping.js';
import { toToken } from '../../src/schema/identity/token-mapping.js';
import { toImage } from '../../src/schema/image/image-mapping.js';
import { boolean, integer } from '../../src/schema/readers.js';
import { toVolume } from '../../src/schema/storage/volume-mapping.js';
import { SERVER_STATUSES } from '../../src/schema/compute/enums.js';

const sample = (name: string) => JSON.parse(readFileSync(fileURLToPath(new URL(`../fixtures/api-samples/${name}`, import.meta.url)), 'utf8'));

describe('timestamps', () => {
  test.each([
    ['2020-02-25T01:22:24Z', '2020-02-25T01:22:24.000Z'],
    ['2020-02-25T01:22:23.000000', '2020-02-25T01:22:23.000Z'],
    ['2020-04-29T03:32:28.000405', '2020-04-29T03:32:28.000Z'],
    ['2020-02-25T10:22:24+09:00', '2020-02-25T01:22:24.000Z'],
    ['2020-02-25T01:22:24+00:00', '2020-02-25T01:22:24.000Z'],
    ['2020-02-25 01:22:24.5', '2020-02-25T01:22:24.500Z'],
    ['2019-12-31T23:30:00-01:00', '2020-01-01T00:30:00.000Z'],
  ])('%s -> %s', (input, expected) => expect(toIsoUtc(input)).toBe(expected));

  test.each([
    '',
    'yesterday',
    '2020-02-30T00:00:00Z',
    '2020-13-01T00:00:00Z',
    '2020-02-25T24:00:00Z',
    '2020-02-25',
    '2021-02-29T00:00:00.000000',
    '1900-02-29T00:00:00Z',
    '0050-01-01T00:00:00Z',
    '2020-02-25T01:22:24.Z',
    '2020-02-25T01:22:60.000Z',
    '2020-02-25T0a:22:24Z',
    '2020-02-25T01:2-:24.000000',
    '2020-02-25T01:22:+4Z',
    '2020-02-25T01:22:24.12a',
  ])('rejects %j', (input) => expect(toIsoUtc(input)).toBeNull());

  test.each([
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['2020-02-25T01:22:24.123Z', '2020-02-25T01:22:24.123Z'],
    ['2020-02-25T01:22:24.5Z', '2020-02-25T01:22:24.500Z'],
    ['2020-02-25T01:22:24', '2020-02-25T01:22:24.000Z'],
    ['2020-02-25t01:22:24z', '2020-02-25T01:22:24.000Z'],
  ])('%s -> %s', (input, expected) => expect(toIsoUtc(input)).toBe(expected));

  test('the forms read by string operations answer as the general reading does', () => {
    // A leading blank sends the same text down the general (regex and Date) path.
    // Each part ranges a little past its valid values, so that impossible dates and times come up too.
    const part = (max: number, width = 2) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(width, '0'));
    const fraction = fc.option(fc.stringMatching(/^\d{1,9}$/));
    const shaped = fc
      .tuple(part(9999, 4), part(13), part(32), part(24), part(60), part(60), fraction, fc.boolean())
      .map(([y, mo, d, h, mi, s, f, z]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f === null ? '' : `.${f}`}${z ? 'Z' : ''}`);
    // ... and sometimes one character anywhere replaced by any other.
    const typo = fc.option(fc.tuple(fc.nat(), fc.string({ minLength: 1, maxLength: 1 })));
    const texts = fc.tuple(shaped, typo).map(([text, t]) => (t === null ? text : `${text.slice(0, t[0] % text.length)}${t[1]}${text.slice((t[0] % text.length) + 1)}`));
    fc.assert(fc.property(texts, (text) => toIsoUtc(text) === toIsoUtc(` ${text}`)), { numRuns: 3000 });
  });

  test('any instant survives every upstream spelling', () => {
    fc.assert(
      fc.property(fc.date({ min: new Date('1970-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }), (date) => {
        const iso = date.toISOString();
        const novaStyle = `${iso.slice(0, 23)}000`; // zone-less, microseconds
        const offset = iso.replace('Z', '+00:00');
        return toIsoUtc(iso) === iso && toIsoUtc(novaStyle) === iso && toIsoUtc(offset) === iso;
      }),
    );
  });
});

describe('scalars', () => {
  test('booleans in every spelling the upstreams use', () => {
    expect(['true', 'True', '1', 'yes', true, 1].map(boolean)).toEqual([true, true, true, true, true, true]);
    expect(['false', 'FALSE', '0', 'off', false, 0].map(boolean)).toEqual([false, false, false, false, false, false]);
    expect(['maybe', null, undefined, {}].map(boolean)).toEqual([null, null, null, null]);
  });

  test('integers from numbers and digit strings; "" is none', () => {
    expect([4, '50', ' 7 ', '2.0', '', 'x', null].map(integer)).toEqual([4, 50, 7, 2, null, null, null]);
  });
});

describe('enums', () => {
  test('Nova statuses map to themselves, the guide spellings to Nova, anything else to UNKNOWN', () => {
    for (const status of Object.keys(SERVER_STATUSES)) expect(serverStatus(status)).toBe(status);
    expect(['BUILDING', 'STOPPED', 'RESIZED', 'RESCUED'].map(serverStatus)).toEqual(['BUILD', 'SHUTOFF', 'RESIZE', 'RESCUE']);
    expect(['active', 'SOMETHING_NEW', '', 42, null].map(serverStatus)).toEqual(['ACTIVE', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN', 'UNKNOWN']);
  });

  test('power states by Nova code; undocumented codes are null', () => {
    expect([0, 1, 3, 4, 6, 7, 2, 9, null].map(powerState)).toEqual([
      'NOSTATE', 'RUNNING', 'PAUSED', 'SHUTDOWN', 'CRASHED', 'SUSPENDED', null, null, null,
    ]);
  });
});

describe('NHN sample bodies', () => {
  test('a server from servers/detail', () => {
    const server = toServer(sample('compute-servers-detail-resp.json').servers[0]);
    expect(server).toMatchObject({
      id: 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec',
      name: 'Web-Server',
      status: 'ACTIVE',
      powerState: 'RUNNING',
      vmState: 'active',
      taskState: null,
      flavorId: '35a73b57-58a7-434d-aa08-5249aaa95b3e',
      imageId: '8b9f8d47-b89b-45af-b1d6-3f7ce7e06a11',
      keyName: 'access-key',
      created: '2020-02-25T01:15:46.000Z',
      launchedAt: '2020-02-25T01:22:23.000Z',
      terminatedAt: null,
      securityGroups: ['default'],
      availabilityZone: 'kr-pub-b',
      addresses: [{ networkName: 'vpc2', address: '172.16.0.40', version: 4, type: 'FIXED', macAddress: 'fa:16:3e:54:a7:64' }],
    });
    expect(server.metadata).toContainEqual({ key: 'os_type', value: 'Windows' });
  });

  test('a server booted from a volume has no image', () => {
    const raw = { ...sample('compute-servers-detail-resp.json').servers[0], image: '' };
    expect(toServer(raw).imageId).toBeNull();
  });

  test('an ERROR server carries its fault', () => {
    const raw = { id: 'x', status: 'ERROR', fault: { code: 500, message: 'No valid host was found.', created: '2020-02-25T01:22:23Z' } };
    expect(toServer(raw).fault).toEqual({ code: 500, message: 'No valid host was found.', details: null, created: '2020-02-25T01:22:23.000Z' });
  });

  test('a flavor with swap "" and NHN extra specs', () => {
    expect(toFlavor(sample('compute-flavors-detail-resp.json').flavors[0])).toEqual({
      id: '97604802-a090-43fa-a5ce-c7cfd737fbba',
      name: 'x1.c32m256',
      vcpus: 32,
      ram: 262144,
      disk: 0,
      swap: 0,
      ephemeral: 0,
      rxtxFactor: 1,
      isPublic: true,
      disabled: false,
      extraSpecs: [{ key: 'flavor_type', value: 'performance' }],
    });
  });

  test('a volume whose bootable is the string "false"', () => {
    expect(toVolume(sample('volume-volume-get-resp.json').volume)).toEqual({
      id: '17975e9d-1533-40db-bd02-2072cd2ccb7f',
      name: 'volume-f4f47065-300e-480e-8c9c-fb7ec985bffb',
      size: 50,
      status: 'available',
      volumeType: 'General HDD',
      bootable: false,
      availabilityZone: 'kr-pub-a',
      description: null,
      createdAt: '2018-12-18T05:43:12.000Z',
      encrypted: false,
      snapshotId: null,
      attachments: [],
    });
  });

  test('a keypair with a zone-less created_at', () => {
    expect(toKeypair(sample('compute-keypair-get-resp.json').keypair)).toMatchObject({
      name: 'keypair',
      userId: '826a1213b3f746829515486965690dfe',
      createdAt: '2020-02-07T03:46:48.000Z',
    });
  });

  test('an image with NHN properties', () => {
    expect(toImage(sample('image-image-get-resp.json'))).toMatchObject({
      osType: 'linux',
      osDistro: 'CentOS',
      minDisk: 20,
      minRam: 0,
      createdAt: '2018-10-23T02:17:43.000Z',
    });
  });

  test('a token: microsecond issued_at, catalog endpoints by region', () => {
    const token = toToken(sample('identity-token-resp.json').access);
    expect(token.issuedAt).toBe('2020-04-29T03:32:28.000Z');
    expect(token.expires).toBe('2020-04-29T15:31:21.000Z');
    expect(token.tenant).toEqual({ id: 'f5073eaa26b64cffbee89411df94ce01', name: 'c_VKkasVsh', description: null, enabled: true });
    expect(token.serviceCatalog.find((e) => e.type === 'volumev2')?.endpoints[1]).toEqual({
      region: 'KR1',
      publicUrl: 'https://kr1-api-block-storage-infrastructure.nhncloudservice.com/v2/f5073eaa26b64cffbee89411df94ce01',
    });
  });

  test('an attachment without its own id takes the volume id', () => {
    expect(toVolumeAttachment({ volumeId: 'v1', device: '/dev/vdb' }, 's1')).toEqual({ id: 'v1', device: '/dev/vdb', serverId: 's1', volumeId: 'v1' });
  });
});
