// The official STS (@alicloud/sts20150401 1.2.0) and ResourceManager (@alicloud/resourcemanager20200331 2.6.1)
// SDKs driving the emulator's resource directory: the demo organisation (`emulator --demo-organisation`), a
// management account, a member with clusters and a member without the member role. The credentials AssumeRole
// returns are then used with the official CS SDK, which must see that member's clusters only.
//
// The emulator is started as in emulator.test.mjs: `dotnet $ACKFC_LOCAL_DLL emulator ...` when the C# test sets
// ACKFC_LOCAL_DLL, else `dotnet run --project functions/AckFc.Local -- emulator ...`.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startEmulator as startProcess } from '../lib/emulator-process.mjs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const Sts = require('@alicloud/sts20150401');
const ResourceManager = require('@alicloud/resourcemanager20200331');
const Cs = require('@alicloud/cs20151215');
const OpenApi = require('@alicloud/openapi-core');

const { $OpenApiUtil } = OpenApi;
const accessKeyId = 'interop-org-access-key-id';
const accessKeySecret = 'interop-org-access-key-secret-0123456789';
const management = '1000000000000001';
const member = '1000000000000002';
const memberWithoutRole = '1000000000000003';
const memberRoleArn = `acs:ram::${member}:role/ResourceDirectoryAccountAccessRole`;

let emulator;
let endpoint;

function startEmulator() {
  return startProcess({ accessKeyId, accessKeySecret, extraArgs: ['--demo-organisation'] });
}

function config(overrides = {}) {
  return new $OpenApiUtil.Config({ accessKeyId, accessKeySecret, endpoint, protocol: 'HTTP', regionId: 'cn-hangzhou', ...overrides });
}

const sts = (overrides) => new Sts.default(config(overrides));
const resourceManager = (overrides) => new ResourceManager.default(config(overrides));
const cs = (overrides) => new Cs.default(config(overrides));

async function assumeMember(durationSeconds = 3600) {
  const response = await sts().assumeRole(new Sts.AssumeRoleRequest({
    roleArn: memberRoleArn, roleSessionName: 'ackfc-interop', durationSeconds,
  }));
  return response.body;
}

function asMember(credentials) {
  return { accessKeyId: credentials.accessKeyId, accessKeySecret: credentials.accessKeySecret, securityToken: credentials.securityToken };
}

before(async () => {
  const started = await startEmulator();
  emulator = started.child;
  endpoint = new URL(started.url).host;
});

after(() => {
  emulator?.kill('SIGTERM');
});

describe('STS through @alicloud/sts20150401', () => {
  test('AssumeRole with a session name and a duration returns temporary credentials', async () => {
    const before = Date.now();
    const body = await assumeMember(1800);
    assert.ok(body.requestId);
    assert.match(body.assumedRoleUser.assumedRoleId, /^\d+:ackfc-interop$/);
    assert.equal(body.assumedRoleUser.arn, `acs:ram::${member}:role/resourcedirectoryaccountaccessrole/ackfc-interop`);
    assert.match(body.credentials.accessKeyId, /^STS\./);
    assert.ok(body.credentials.accessKeySecret);
    assert.ok(body.credentials.securityToken);
    const expires = Date.parse(body.credentials.expiration);
    assert.ok(Math.abs(expires - (before + 1800_000)) < 5_000, `expiration ${body.credentials.expiration}`);
  });

  test('the temporary credentials open the member account only (official CS SDK)', async () => {
    const credentials = (await assumeMember()).credentials;
    const client = cs(asMember(credentials));
    const list = await client.describeClustersV1(new Cs.DescribeClustersV1Request({ pageSize: 100 }));
    assert.deepEqual(list.body.clusters.map((c) => c.clusterId), ['c-demo-m2-checkout', 'c-demo-m2-catalog']);

    await assert.rejects(client.describeClusterDetail('c-demo-hz-payments'), (err) => {
      assert.equal(err.code, 'ErrorClusterNotFound');
      assert.equal(err.statusCode, 404);
      return true;
    });

    const own = await cs().describeClustersV1(new Cs.DescribeClustersV1Request({ pageSize: 100 }));
    assert.ok(!own.body.clusters.some((c) => c.clusterId.startsWith('c-demo-m2-')));
  });

  test('refuses a member that has no such role: EntityNotExist.Role', async () => {
    const request = new Sts.AssumeRoleRequest({
      roleArn: `acs:ram::${memberWithoutRole}:role/ResourceDirectoryAccountAccessRole`, roleSessionName: 'ackfc-interop',
    });
    await assert.rejects(sts().assumeRole(request), (err) => {
      assert.equal(err.code, 'EntityNotExist.Role');
      assert.equal(err.statusCode, 404);
      return true;
    });
  });

  test('refuses a duration under 15 minutes', async () => {
    await assert.rejects(assumeMember(600), (err) => {
      assert.equal(err.code, 'InvalidParameter.DurationSeconds');
      assert.equal(err.statusCode, 400);
      return true;
    });
  });

  test('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const request = new Sts.AssumeRoleRequest({ roleArn: memberRoleArn, roleSessionName: 'ackfc-interop' });
    await assert.rejects(sts({ accessKeySecret: 'wrong-secret' }).assumeRole(request), (err) => {
      assert.equal(err.code, 'SignatureDoesNotMatch');
      assert.equal(err.statusCode, 400);
      assert.ok(!String(err.message).includes(accessKeySecret));
      return true;
    });
  });
});

describe('ResourceManager through @alicloud/resourcemanager20200331', () => {
  test('ListAccounts pages through the directory, the management account first', async () => {
    const client = resourceManager();
    const first = await client.listAccounts(new ResourceManager.ListAccountsRequest({ pageNumber: 1, pageSize: 2 }));
    const second = await client.listAccounts(new ResourceManager.ListAccountsRequest({ pageNumber: 2, pageSize: 2 }));
    assert.equal(first.body.totalCount, 3);
    assert.equal(first.body.pageSize, 2);
    assert.equal(second.body.pageNumber, 2);
    const accounts = [...first.body.accounts.account, ...second.body.accounts.account];
    assert.deepEqual(accounts.map((a) => a.accountId), [management, member, memberWithoutRole]);
    const retail = accounts[1];
    assert.equal(retail.displayName, 'retail');
    assert.equal(retail.folderId, 'fd-ackfcprod');
    assert.equal(retail.status, 'CreateSuccess');
    assert.equal(retail.type, 'ResourceAccount');
    assert.ok(retail.resourceDirectoryPath.endsWith(`/${member}`));
  });

  test('ListAccounts with IncludeTags returns the tags', async () => {
    const response = await resourceManager().listAccounts(new ResourceManager.ListAccountsRequest({ includeTags: true }));
    const retail = response.body.accounts.account.find((a) => a.accountId === member);
    assert.deepEqual(retail.tags.tag.map((t) => [t.key, t.value]), [['env', 'prod']]);
  });

  test("a member's temporary credentials cannot list the directory", async () => {
    const credentials = (await assumeMember()).credentials;
    await assert.rejects(resourceManager(asMember(credentials)).listAccounts(new ResourceManager.ListAccountsRequest({})), (err) => {
      assert.equal(err.code, 'NoPermission');
      assert.equal(err.statusCode, 403);
      return true;
    });
  });

  test('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    await assert.rejects(resourceManager({ accessKeySecret: 'wrong-secret' }).listAccounts(new ResourceManager.ListAccountsRequest({})), (err) => {
      assert.equal(err.code, 'SignatureDoesNotMatch');
      return true;
    });
  });
});
