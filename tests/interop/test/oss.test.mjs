// The official OSS Node SDK (ali-oss 6.23.0, Signature V4) driving the emulated OSS of the AckFc emulator.
// It guards against the emulator and our C# OSS client sharing one misreading of the protocol.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator as startProcess } from '../lib/emulator-process.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const OSS = require('ali-oss');

const accessKeyId = 'interop-oss-access-key-id';
const accessKeySecret = 'interop-oss-access-key-secret-0123456789';
const bucket = 'ackfc-reports';

let emulator;
let port;

function startEmulator() {
  return startProcess({ accessKeyId, accessKeySecret });
}

// An IP endpoint: ali-oss sends /key with Host {bucket}.oss-cn-hangzhou.aliyuncs.com (virtual-hosted style).
function client(overrides = {}) {
  return new OSS({
    region: 'oss-cn-hangzhou',
    accessKeyId,
    accessKeySecret,
    bucket,
    endpoint: `http://127.0.0.1:${port}`,
    authorizationV4: true,
    timeout: 10_000,
    ...overrides,
  });
}

// A host-name endpoint as a CNAME: the URL a presigned link gets (no bucket in host or path: the default bucket).
function cnameClient() {
  return client({ endpoint: `http://localhost:${port}`, cname: true });
}

async function rejects(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail('expected the call to fail');
}

before(async () => {
  emulator = await startEmulator();
  port = new URL(emulator.url).port;
});

after(() => {
  emulator?.child.kill();
});

describe('ali-oss 6.23.0 (authorizationV4) against the emulated OSS', () => {
  test('put, get and head round-trip content, type and metadata', async () => {
    const oss = client();
    const put = await oss.put('sweeps/2026-12-01/s1/report.json', Buffer.from('{"a":1}'), { meta: { sweep: 's1' } });
    assert.equal(put.res.status, 200);

    const got = await oss.get('sweeps/2026-12-01/s1/report.json');
    assert.equal(got.content.toString(), '{"a":1}');
    assert.equal(got.res.headers['x-oss-meta-sweep'], 's1');

    const head = await oss.head('sweeps/2026-12-01/s1/report.json');
    assert.equal(head.status, 200);
    assert.equal(head.res.headers.etag, put.res.headers.etag);
    assert.equal(head.meta.sweep, 's1');
  });

  test('forbid-overwrite: the second create is 409 FileAlreadyExists and the first content stays', async () => {
    const oss = client();
    const headers = { 'x-oss-forbid-overwrite': 'true' };
    await oss.put('markers/s1/notified.slack', Buffer.from('first'), { headers });
    const error = await rejects(oss.put('markers/s1/notified.slack', Buffer.from('second'), { headers }));
    assert.equal(error.status, 409);
    assert.equal(error.code, 'FileAlreadyExists');
    assert.equal((await oss.get('markers/s1/notified.slack')).content.toString(), 'first');
  });

  test('head of a missing key is 404 NoSuchKey without a body', async () => {
    const error = await rejects(client().head('no/such/key.json'));
    assert.equal(error.status, 404);
    assert.equal(error.code, 'NoSuchKey');
  });

  test('listV2 pages with continuation tokens and honours the prefix', async () => {
    const oss = client();
    const keys = ['index/01', 'index/02', 'index/03', 'index/04', 'index/05'];
    for (const key of [...keys, 'other/01']) {
      await oss.put(key, Buffer.from(key));
    }

    const seen = [];
    let token;
    let pages = 0;
    do {
      const query = { prefix: 'index/', 'max-keys': 2 };
      if (token) query['continuation-token'] = token;
      const page = await oss.listV2(query);
      seen.push(...(page.objects ?? []).map((o) => o.name));
      token = page.nextContinuationToken;
      pages += 1;
      assert.equal(page.isTruncated, Boolean(token));
    } while (token && pages < 10);

    assert.deepEqual(seen, keys);
    assert.equal(pages, 3);
  });

  test('delete answers 204, also for a key that does not exist', async () => {
    const oss = client();
    await oss.put('tmp/delete-me', Buffer.from('x'));
    assert.equal((await oss.delete('tmp/delete-me')).res.status, 204);
    assert.equal((await oss.delete('tmp/delete-me')).res.status, 204);
    const error = await rejects(oss.head('tmp/delete-me'));
    assert.equal(error.status, 404);
  });

  test('a presigned V4 GET URL opens with plain HTTP; a tampered one is refused', async () => {
    await client().put('sweeps/2026-12-01/s1/report.html', Buffer.from('<html>report</html>'), { mime: 'text/html' });
    const url = await cnameClient().signatureUrlV4('GET', 600, { headers: {} }, 'sweeps/2026-12-01/s1/report.html');

    const response = await fetch(url);
    assert.equal(response.status, 200, await response.clone().text());
    assert.equal(await response.text(), '<html>report</html>');

    const tampered = await fetch(url.replace('x-oss-expires=600', 'x-oss-expires=601'));
    assert.equal(tampered.status, 403);
  });

  test('a wrong secret is refused with SignatureDoesNotMatch', async () => {
    const wrong = client({ accessKeySecret: 'not-the-secret' });
    const put = await rejects(wrong.put('x', Buffer.from('x')));
    assert.equal(put.status, 403);
    assert.equal(put.code, 'SignatureDoesNotMatch');
    const head = await rejects(wrong.head('sweeps/2026-12-01/s1/report.json'));
    assert.equal(head.status, 403);
  });

  test('V1 signatures (ali-oss default) are verified too', async () => {
    const v1 = client({ authorizationV4: false });
    await v1.put('v1/object', Buffer.from('v1'));
    assert.equal((await v1.get('v1/object')).content.toString(), 'v1');
    const wrong = await rejects(client({ authorizationV4: false, accessKeySecret: 'nope' }).get('v1/object'));
    assert.equal(wrong.status, 403);
  });
});
