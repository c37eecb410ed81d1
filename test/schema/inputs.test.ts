// What the gateway sends upstream for inputs: Nova's create body, the cursor, the image id from a
// Location header.

import { describe, expect, test } from 'vitest';
import { imageIdFromLocation } from '../../src/schema/compute/server-actions.js';
import { toNovaCreateBody } from '../../src/schema/compute/server-create.js';
import { decodeCursor, encodeCursor, pageSize } from '../../src/schema/validation.js';

describe('toNovaCreateBody', () => {
  test('maps every input to its Nova key, with real booleans and base64 user data', () => {
    const body = toNovaCreateBody({
      name: 'web-02',
      imageId: 'img',
      flavorId: 'fl',
      networks: [{ networkId: 'net' }, { subnetId: 'sub', fixedIp: '192.168.0.20' }, { portId: 'port' }],
      keyName: 'demo-key',
      securityGroups: ['default', 'web', 'default'],
      userData: '#!/bin/sh\necho 한글\n',
      availabilityZone: 'kr-pub-a',
      metadata: [{ key: 'team', value: 'web' }],
      blockDevices: [
        { sourceType: 'IMAGE', destinationType: 'VOLUME', uuid: 'img', bootIndex: 0, volumeSize: 20, deleteOnTermination: true, volumeType: 'General SSD' },
        { sourceType: 'BLANK', destinationType: 'VOLUME', volumeSize: 100 },
      ],
      minCount: 2,
      maxCount: 3,
      returnReservationId: true,
    });
    expect(body).toEqual({
      server: {
        name: 'web-02',
        imageRef: 'img',
        flavorRef: 'fl',
        networks: [{ uuid: 'net' }, { subnet: 'sub', fixed_ip: '192.168.0.20' }, { port: 'port' }],
        key_name: 'demo-key',
        security_groups: [{ name: 'default' }, { name: 'web' }],
        user_data: Buffer.from('#!/bin/sh\necho 한글\n', 'utf8').toString('base64'),
        availability_zone: 'kr-pub-a',
        metadata: { team: 'web' },
        block_device_mapping_v2: [
          { source_type: 'image', destination_type: 'volume', uuid: 'img', boot_index: 0, volume_size: 20, delete_on_termination: true, volume_type: 'General SSD' },
          { source_type: 'blank', destination_type: 'volume', volume_size: 100 },
        ],
        min_count: 2,
        max_count: 3,
        return_reservation_id: true,
      },
    });
  });

  test('boot from volume sends imageRef "" and leaves out what was not given', () => {
    const body = toNovaCreateBody({
      name: 'vol-boot',
      flavorId: 'fl',
      networks: [{ networkId: 'net' }],
      keyName: 'k',
      blockDevices: [{ sourceType: 'VOLUME', destinationType: 'VOLUME', uuid: 'vol', bootIndex: 0, deleteOnTermination: false }],
    });
    expect(body.server).toEqual({
      name: 'vol-boot',
      imageRef: '',
      flavorRef: 'fl',
      networks: [{ uuid: 'net' }],
      key_name: 'k',
      block_device_mapping_v2: [{ source_type: 'volume', destination_type: 'volume', uuid: 'vol', boot_index: 0, delete_on_termination: false }],
    });
  });
});

describe('paging', () => {
  test('cursors round-trip to the Nova marker and reject anything else', () => {
    const id = 'aaf2778b-ea03-4ccc-8b1b-92f4b686c3ec';
    expect(decodeCursor(encodeCursor(id))).toBe(id);
    for (const bad of ['', 'bm9wZQ', Buffer.from('server:../../x').toString('base64url'), id]) {
      expect(() => decodeCursor(bad)).toThrow(/after: is not a cursor/);
    }
  });

  test('page size defaults to 20 and stays within 1..max', () => {
    expect(pageSize(undefined, 1000)).toBe(20);
    expect(pageSize(1000, 1000)).toBe(1000);
    expect(() => pageSize(0, 1000)).toThrow(/first: must be between 1 and 1000/);
    expect(() => pageSize(1001, 1000)).toThrow(/first: must be between 1 and 1000/);
  });
});

describe('imageIdFromLocation', () => {
  test('takes the last path segment, whatever the host', () => {
    expect(imageIdFromLocation('http://glance.internal:9292/images/0f3c6c7e-6b3c-4d5a-9a57-2d8e1d7f1e11')).toBe('0f3c6c7e-6b3c-4d5a-9a57-2d8e1d7f1e11');
    expect(imageIdFromLocation('https://x/v2/images/abc/')).toBe('abc');
  });

  test('no Location is an upstream failure', () => {
    expect(() => imageIdFromLocation(undefined)).toThrow(/answered without the Location of the new image/);
  });
});
