// The official Alibaba Cloud Node SDK (CS 7.2.0 on openapi-core 1.0.8) driving the AckFc emulator.
// It guards against the emulator and our C# client sharing one misreading of the wire protocol.
//
// The emulator is started here: with ACKFC_LOCAL_DLL set (the C# test sets it to the built AckFc.Local.dll)
// as `dotnet <dll> emulator ...`, else with `dotnet run --project functions/AckFc.Local -- emulator ...`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator as startProcess } from '../lib/emulator-process.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Cs = require('@alicloud/cs20151215');
const OpenApi = require('@alicloud/openapi-core');
// RuntimeOptions comes from the runtime that openapi-core itself depends on.
const dara = createRequire(require.resolve('@alicloud/openapi-core'))('@darabonba/typescript');

const { $OpenApiUtil } = OpenApi;
const accessKeyId = 'interop-access-key-id';
const accessKeySecret = 'interop-access-key-secret-0123456789';

let emulator;
let endpoint; // host:port, as the SDK's endpoint setting wants it
let baseUrl;

function startEmulator() {
  return startProcess({ accessKeyId, accessKeySecret, extraArgs: ['--cooldown-seconds', '300'], extraEnv: { ACKFC_EMULATOR_UPDATING_SECONDS: '1' } });
}

function config(overrides = {}) {
  return new $OpenApiUtil.Config({
    accessKeyId,
    accessKeySecret,
    endpoint,
    protocol: 'HTTP',
    regionId: 'cn-hangzhou',
    ...overrides,
  });
}

function csClient(overrides) {
  return new Cs.default(config(overrides));
}

// The current KMS SDK (v2.x) is openapi-core with these Params; the registry only serves the legacy 1.x
// package, so this mirrors the v2 client exactly as the wire reference (§1.6) describes it.
class KmsClient extends OpenApi.default {
  constructor(cfg) {
    super(cfg);
    this._endpointRule = 'regional';
    this._productId = 'Kms';
  }

  call(action, query) {
    const request = new $OpenApiUtil.OpenApiRequest({ query });
    const params = new $OpenApiUtil.Params({
      action,
      version: '2016-01-20',
      protocol: 'HTTPS',
      pathname: '/',
      method: 'POST',
      authType: 'AK',
      style: 'RPC',
      reqBodyType: 'formData',
      bodyType: 'json',
    });
    return this.callApi(params, request, new dara.RuntimeOptions({}));
  }
}

function kmsClient(overrides) {
  return new KmsClient(config(overrides));
}

async function admin(method, pathAndQuery, body) {
  const response = await fetch(baseUrl + pathAndQuery, {
    method,
    headers: body ? { 'content-type': 'application/json' } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  assert.equal(response.status, 200, await response.text());
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

before(async () => {
  const started = await startEmulator();
  emulator = started.child;
  baseUrl = started.url;
  endpoint = new URL(started.url).host;
});

after(() => {
  emulator?.kill('SIGTERM');
});

describe('CS (ACK) through @alicloud/cs20151215', () => {
  test('lists every cluster across pages', async () => {
    const client = csClient();
    const ids = [];
    let total = 0;
    for (let page = 1; ; page++) {
      const response = await client.describeClustersV1(new Cs.DescribeClustersV1Request({ pageNumber: page, pageSize: 5 }));
      assert.equal(response.statusCode, 200);
      ids.push(...response.body.clusters.map((c) => c.clusterId));
      total = response.body.pageInfo.totalCount;
      assert.equal(response.body.pageInfo.pageNumber, page);
      if (page * 5 >= total) break;
    }
    assert.equal(total, 17);
    assert.equal(new Set(ids).size, total);
  });

  test('filters by region', async () => {
    const response = await csClient().describeClustersV1(new Cs.DescribeClustersV1Request({ regionId: 'cn-shanghai', pageSize: 100 }));
    assert.ok(response.body.clusters.length > 0);
    for (const cluster of response.body.clusters) assert.equal(cluster.regionId, 'cn-shanghai');
  });

  test('reads a cluster detail and its meta_data', async () => {
    const response = await csClient().describeClusterDetail('c-demo-hz-payments');
    assert.equal(response.body.clusterSpec, 'ack.pro.small');
    assert.equal(response.body.state, 'running');
    const meta = JSON.parse(response.body.metaData);
    assert.equal(meta.Capabilities.EncryptionKMSKeyId, 'key-demo-hz-prod');
    assert.equal(meta.Capabilities.DisableEncryption, false);
    assert.ok(response.body.tags.some((t) => t.key === 'env' && t.value === 'prod'));
  });

  test('a missing cluster is ErrorClusterNotFound 404', async () => {
    await assert.rejects(csClient().describeClusterDetail('c-missing'), (err) => {
      assert.equal(err.code, 'ErrorClusterNotFound');
      assert.equal(err.statusCode, 404);
      return true;
    });
  });

  test('enables encryption: updating, then running with the key, then 409 inside the cool-down', async () => {
    const client = csClient();
    const change = new Cs.UpdateKMSEncryptionRequest({ kmsKeyId: 'key-demo-hz-spare', disableEncryption: false });
    const response = await client.updateKMSEncryption('c-demo-hz-analytics', change);
    assert.equal(response.statusCode, 200);

    const during = await client.describeClusterDetail('c-demo-hz-analytics');
    assert.equal(during.body.state, 'updating');

    let detail = during;
    for (let i = 0; i < 100 && detail.body.state === 'updating'; i++) {
      await sleep(100);
      detail = await client.describeClusterDetail('c-demo-hz-analytics');
    }
    assert.equal(detail.body.state, 'running');
    assert.equal(JSON.parse(detail.body.metaData).Capabilities.EncryptionKMSKeyId, 'key-demo-hz-spare');

    await assert.rejects(
      client.updateKMSEncryption('c-demo-hz-analytics', new Cs.UpdateKMSEncryptionRequest({ disableEncryption: true })),
      (err) => {
        assert.equal(err.statusCode, 409);
        assert.equal(err.code, 'ErrorClusterState');
        return true;
      });
  });

  test('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    await assert.rejects(csClient({ accessKeySecret: 'wrong-secret' }).describeClusterDetail('c-demo-hz-payments'), (err) => {
      assert.equal(err.code, 'SignatureDoesNotMatch');
      assert.equal(err.statusCode, 400);
      assert.ok(!String(err.message).includes(accessKeySecret));
      return true;
    });
  });

  test('accepts STS credentials (signed x-acs-security-token)', async () => {
    const response = await csClient({ securityToken: 'interop-sts-token+/=' }).describeClusterDetail('c-demo-sh-web');
    assert.equal(response.body.regionId, 'cn-shanghai');
  });
});

describe('KMS through openapi-core with the KMS v2 SDK params', () => {
  test('describes a key by id', async () => {
    const response = await kmsClient().call('DescribeKey', { KeyId: 'key-demo-hz-prod' });
    assert.equal(response.statusCode, 200);
    const m = response.body.KeyMetadata;
    assert.equal(m.KeyId, 'key-demo-hz-prod');
    assert.equal(m.KeyState, 'Enabled');
    assert.equal(m.KeySpec, 'Aliyun_AES_256');
    assert.equal(m.Arn, 'acs:kms:cn-hangzhou:1000000000000001:key/key-demo-hz-prod');
  });

  test('describes a key by alias', async () => {
    const response = await kmsClient().call('DescribeKey', { KeyId: 'alias/ackfc-orders-hz' });
    assert.equal(response.body.KeyMetadata.KeyId, 'key-demo-hz-orders');
  });

  test('lists service keys with a Filters JSON string', async () => {
    const response = await kmsClient().call('ListKeys', {
      PageNumber: '1',
      PageSize: '100',
      Filters: JSON.stringify([{ Key: 'CreatorType', Values: ['Service'] }]),
    });
    assert.deepEqual(response.body.Keys.Key.map((k) => k.KeyId), ['key-demo-sh-acs-ecs']);
    assert.equal(response.body.TotalCount, 1);
  });

  test('a missing key is Forbidden.KeyNotFound 404', async () => {
    await assert.rejects(kmsClient().call('DescribeKey', { KeyId: 'key-missing' }), (err) => {
      assert.equal(err.code, 'Forbidden.KeyNotFound');
      assert.equal(err.statusCode, 404);
      return true;
    });
  });

  test('GetSecretValue (Secrets Manager) answers the current version of a secret', async () => {
    const value = 'ci:interop-webhook-secret-0123456789abcdef';
    const put = await fetch(baseUrl + '/_emulator/secrets/cn-hangzhou/ackfc%2Fwebhook-keys', { method: 'PUT', body: value });
    assert.equal(put.status, 200, await put.text());
    const response = await kmsClient().call('GetSecretValue', { SecretName: 'ackfc/webhook-keys', VersionStage: 'ACSCurrent' });
    assert.equal(response.statusCode, 200);
    assert.equal(response.body.SecretName, 'ackfc/webhook-keys');
    assert.equal(response.body.SecretData, value);
    assert.equal(response.body.SecretDataType, 'text');
    assert.deepEqual(response.body.VersionStages.VersionStage, ['ACSCurrent']);
    assert.ok(response.body.VersionId);
  });

  test('GetSecretValue of a missing secret is Forbidden.ResourceNotFound 404', async () => {
    await assert.rejects(kmsClient().call('GetSecretValue', { SecretName: 'no-such-secret' }), (err) => {
      assert.equal(err.code, 'Forbidden.ResourceNotFound');
      assert.equal(err.statusCode, 404);
      return true;
    });
  });

  test('STS credentials are accepted', async () => {
    const response = await kmsClient({ securityToken: 'interop-sts-token+/=' }).call('DescribeKey', { KeyId: 'alias/ackfc-web-sh' });
    assert.equal(response.body.KeyMetadata.KeyId, 'key-demo-sh-web');
  });

  test('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    await assert.rejects(kmsClient({ accessKeySecret: 'wrong-secret' }).call('DescribeKey', { KeyId: 'key-demo-hz-prod' }), (err) => {
      assert.equal(err.code, 'SignatureDoesNotMatch');
      return true;
    });
  });

  test('DisableKey and ScheduleKeyDeletion emit ActionTrail events naming the caller, failed calls with errorCode', async () => {
    const key = 'key-demo-sh-spare';
    const disabled = await kmsClient().call('DisableKey', { KeyId: key });
    assert.equal(disabled.statusCode, 200);
    await assert.rejects(kmsClient().call('ScheduleKeyDeletion', { KeyId: key, PendingWindowInDays: '7' }), (err) => {
      assert.equal(err.code, 'Forbidden.DeletionProtection');
      return true;
    });
    await kmsClient().call('EnableKey', { KeyId: key });

    const listed = await (await fetch(baseUrl + '/_emulator/events')).json();
    const mine = listed.events.filter((e) => e.subject.endsWith(`:key/${key}`));
    assert.deepEqual(mine.map((e) => e.data.eventName), ['DisableKey', 'ScheduleKeyDeletion', 'EnableKey']);
    const [disable, schedule] = mine;
    assert.equal(disable.type, 'kms:ActionTrail:ApiCall');
    assert.equal(disable.specversion, '1.0');
    assert.equal(disable.id, disable.data.eventId);
    assert.equal(disable.data.requestId, disabled.body.RequestId);
    assert.equal(disable.data.requestParameters.KeyId, key);
    assert.equal(disable.data.acsRegion, 'cn-shanghai');
    assert.equal(disable.data.userIdentity.type, 'ram-user');
    assert.equal(disable.data.userIdentity.accessKeyId, accessKeyId);
    assert.equal(disable.data.errorCode, '');
    assert.equal(schedule.data.requestParameters.PendingWindowInDays, '7');
    assert.equal(schedule.data.errorCode, 'Forbidden.DeletionProtection');
    assert.ok(!JSON.stringify(listed).includes(accessKeySecret));
  });

  test('throttling reaches the SDK as ThrottlingError with retryAfter', async () => {
    await admin('PUT', '/_emulator/faults/ListAliases', { qpsLimit: 0, retryAfterMilliseconds: 1500 });
    try {
      await assert.rejects(kmsClient().call('ListAliases', { PageNumber: '1', PageSize: '10' }), (err) => {
        assert.equal(err.name, 'ThrottlingError');
        assert.equal(err.code, 'Throttling.User');
        assert.equal(err.retryAfter, 1500);
        return true;
      });
    } finally {
      await admin('DELETE', '/_emulator/faults');
    }
  });
});
