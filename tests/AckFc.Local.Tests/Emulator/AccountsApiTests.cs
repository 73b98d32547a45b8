using System.Text.Json;
using AckFc.AlibabaCloud.Signing;
using AckFc.Local.Emulator;
using Microsoft.Extensions.Time.Testing;

namespace AckFc.Local.Tests.Emulator;

/// <summary>STS AssumeRole, ResourceManager ListAccounts and the member-scoped STS credentials, over real HTTP.</summary>
public sealed class AccountsApiTests
{
    private const string Member = DemoFleet.MemberAccountId;
    private static readonly string MemberRoleArn = $"acs:ram::{Member}:role/{DemoFleet.MemberRole}";

    private static SignedRequest AssumeRole(string roleArn, string session = "ackfc-sweep", string? duration = null)
    {
        var query = new List<KeyValuePair<string, string>> { new("RoleArn", roleArn), new("RoleSessionName", session) };
        if (duration is not null)
        {
            query.Insert(0, new("DurationSeconds", duration));
        }

        return new SignedRequest { Action = "AssumeRole", Version = "2015-04-01", Query = query };
    }

    private static SignedRequest ListAccounts(int page, int size) => new()
    {
        Action = "ListAccounts",
        Version = "2020-03-31",
        Query = [new("PageNumber", page.ToString(System.Globalization.CultureInfo.InvariantCulture)), new("PageSize", size.ToString(System.Globalization.CultureInfo.InvariantCulture))],
    };

    private static FleetDefinition Organisation(Action<FleetDefinition>? change = null)
    {
        var fleet = DemoFleet.CreateOrganisation();
        change?.Invoke(fleet);
        return fleet;
    }

    private sealed record Credentials(string AccessKeyId, string Secret, string Token, string Expiration);

    private static async Task<Credentials> AssumeAsync(SignedClient client, string roleArn, string? duration = null)
    {
        var (status, body, _) = await client.SendJsonAsync(AssumeRole(roleArn, duration: duration));
        Assert.True(status == 200, body.ToString());
        var c = body.GetProperty("Credentials");
        return new(c.GetProperty("AccessKeyId").GetString()!, c.GetProperty("AccessKeySecret").GetString()!,
            c.GetProperty("SecurityToken").GetString()!, c.GetProperty("Expiration").GetString()!);
    }

    private static SignedRequest As(SignedRequest r, Credentials c) => new()
    {
        Method = r.Method,
        Path = r.Path,
        Query = r.Query,
        Action = r.Action,
        Version = r.Version,
        Body = r.Body,
        ContentType = r.ContentType,
        AccessKeyId = c.AccessKeyId,
        Secret = c.Secret,
        SecurityToken = c.Token,
    };

    private static List<string> ClusterIds(JsonElement body) =>
        [.. body.GetProperty("clusters").EnumerateArray().Select(c => c.GetProperty("cluster_id").GetString()!)];

    [Fact]
    public async Task AssumeRole_MemberRole_ReturnsTheReferenceShape()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);

        var (status, body, response) = await client.SendJsonAsync(AssumeRole(MemberRoleArn, "ackfc-sweep", "1800"));

        Assert.Equal(200, status);
        Assert.Equal(response.Headers.Value("x-acs-request-id"), body.GetProperty("RequestId").GetString());
        var user = body.GetProperty("AssumedRoleUser");
        Assert.EndsWith(":ackfc-sweep", user.GetProperty("AssumedRoleId").GetString(), StringComparison.Ordinal);
        Assert.Equal($"acs:ram::{Member}:role/resourcedirectoryaccountaccessrole/ackfc-sweep", user.GetProperty("Arn").GetString());
        var c = body.GetProperty("Credentials");
        Assert.StartsWith("STS.", c.GetProperty("AccessKeyId").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(c.GetProperty("AccessKeySecret").GetString()));
        Assert.False(string.IsNullOrEmpty(c.GetProperty("SecurityToken").GetString()));
        Assert.Equal("2026-11-28T12:30:00Z", c.GetProperty("Expiration").GetString());
        Assert.Equal(1, emulator.State.AssumeRoleCount(Member));
        Assert.Equal("STS", emulator.State.GetCalls().Single().Product);
    }

    [Fact]
    public async Task AssumeRole_ByStsHostName_RoutedToSts()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var r = AssumeRole(MemberRoleArn);

        var (status, _, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = r.Action, Version = r.Version, Query = r.Query, Host = "sts.cn-hangzhou.aliyuncs.com",
        });

        Assert.Equal(200, status);
    }

    [Fact]
    public async Task AssumeRole_MemberWithoutRole_EntityNotExistRole()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(AssumeRole($"acs:ram::{DemoFleet.MemberWithoutRoleAccountId}:role/{DemoFleet.MemberRole}"));

        Assert.Equal(404, status);
        Assert.Equal("EntityNotExist.Role", body.GetProperty("Code").GetString());
        Assert.False(string.IsNullOrEmpty(body.GetProperty("RequestId").GetString()));
        Assert.Equal(1, emulator.State.AssumeRoleCount(DemoFleet.MemberWithoutRoleAccountId));
    }

    [Theory]
    [InlineData("x", null, "InvalidParameter.RoleSessionName")]
    [InlineData("bad name!", null, "InvalidParameter.RoleSessionName")]
    [InlineData("ackfc", "899", "InvalidParameter.DurationSeconds")]
    [InlineData("ackfc", "3601", "InvalidParameter.DurationSeconds")]
    public async Task AssumeRole_BadParameters_400WithTheirCode(string session, string? duration, string code)
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(AssumeRole(MemberRoleArn, session, duration));

        Assert.Equal(400, status);
        Assert.Equal(code, body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task AssumeRole_RootAccountCaller_NoPermission()
    {
        var root = new EmulatorCredential("root-key", "root-secret-0123456789") { Identity = new EmulatorIdentity("root-account", "root") };
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation(), configure: o => o.Credentials.Add(root));
        using var client = new SignedClient(emulator);
        var r = AssumeRole(MemberRoleArn);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = r.Action, Version = r.Version, Query = r.Query, AccessKeyId = root.AccessKeyId, Secret = root.AccessKeySecret,
        });

        Assert.Equal(403, status);
        Assert.Equal("NoPermission", body.GetProperty("Code").GetString());
        Assert.Contains("root accounts", body.GetProperty("Message").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AssumeRole_WithMemberCredentials_NoPermission()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn);

        var (status, body, _) = await client.SendJsonAsync(As(AssumeRole(MemberRoleArn), member));

        Assert.Equal(403, status);
        Assert.Equal("NoPermission", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task AssumeRole_NotJoinedMember_NoPermission()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation(f => f.Accounts[0].Status = "PromoteVerifying"));
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(AssumeRole(MemberRoleArn));

        Assert.Equal(403, status);
        Assert.Equal("NoPermission", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task AssumeRole_ThrottlingMember_ThrottlesThenSucceeds()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation(f => f.Accounts[0].Faults = new AccountFaults { AssumeRoleThrottles = 2 }));
        using var client = new SignedClient(emulator);

        var first = await client.SendJsonAsync(AssumeRole(MemberRoleArn));
        var second = await client.SendJsonAsync(AssumeRole(MemberRoleArn));
        var third = await client.SendJsonAsync(AssumeRole(MemberRoleArn));

        Assert.Equal(400, first.Status);
        Assert.Equal("Throttling.Api", first.Body.GetProperty("Code").GetString());
        Assert.Equal("Throttling.Api", second.Body.GetProperty("Code").GetString());
        Assert.Equal(200, third.Status);
        Assert.Equal(3, emulator.State.AssumeRoleCount(Member));
        var account = emulator.State.GetAccounts().Single(a => a.AccountId == Member);
        Assert.Equal(3, account.AssumeRoleCalls);
        Assert.Equal(1, account.ActiveSessions);
    }

    [Fact]
    public async Task AssumeRole_WrongSecret_SignatureDoesNotMatch()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var r = AssumeRole(MemberRoleArn);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest { Action = r.Action, Version = r.Version, Query = r.Query, Secret = "not-the-secret" });

        Assert.Equal(400, status);
        Assert.Equal("SignatureDoesNotMatch", body.GetProperty("Code").GetString());
        Assert.Equal(0, emulator.State.GetAccounts().Single(a => a.AccountId == Member).ActiveSessions);
    }

    [Fact]
    public async Task ListAccounts_Pages_ManagementFirst()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);

        var (status1, page1, _) = await client.SendJsonAsync(ListAccounts(1, 2));
        var (status2, page2, _) = await client.SendJsonAsync(ListAccounts(2, 2));

        Assert.Equal(200, status1);
        Assert.Equal(200, status2);
        Assert.Equal(3, page1.GetProperty("TotalCount").GetInt32());
        Assert.Equal(2, page1.GetProperty("PageSize").GetInt32());
        Assert.Equal(2, page2.GetProperty("PageNumber").GetInt32());
        var first = page1.GetProperty("Accounts").GetProperty("Account").EnumerateArray().ToList();
        var second = page2.GetProperty("Accounts").GetProperty("Account").EnumerateArray().ToList();
        Assert.Equal([DemoFleet.AccountId, Member], first.Select(a => a.GetProperty("AccountId").GetString()));
        Assert.Equal([DemoFleet.MemberWithoutRoleAccountId], second.Select(a => a.GetProperty("AccountId").GetString()));
        var retail = first[1];
        Assert.Equal("retail", retail.GetProperty("DisplayName").GetString());
        Assert.Equal("fd-ackfcprod", retail.GetProperty("FolderId").GetString());
        Assert.Equal("CreateSuccess", retail.GetProperty("Status").GetString());
        Assert.Equal("ResourceAccount", retail.GetProperty("Type").GetString());
        Assert.Equal("created", retail.GetProperty("JoinMethod").GetString());
        Assert.Equal("rd-ackfc0001", retail.GetProperty("ResourceDirectoryId").GetString());
        Assert.Equal($"rd-ackfc0001/r-ackfc01/fd-ackfcprod/{Member}", retail.GetProperty("ResourceDirectoryPath").GetString());
        Assert.False(retail.TryGetProperty("Tags", out _));
        Assert.Equal("InviteSuccess", second[0].GetProperty("Status").GetString());
    }

    [Fact]
    public async Task ListAccounts_IncludeTags_DefaultPageSize10_SizeOver100Refused()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest
        {
            Action = "ListAccounts", Version = "2020-03-31", Query = [new("IncludeTags", "true")],
        });
        var (tooBig, refused, _) = await client.SendJsonAsync(ListAccounts(1, 101));

        Assert.Equal(200, status);
        Assert.Equal(10, body.GetProperty("PageSize").GetInt32());
        var tags = body.GetProperty("Accounts").GetProperty("Account")[1].GetProperty("Tags").GetProperty("Tag");
        Assert.Equal("env", tags[0].GetProperty("Key").GetString());
        Assert.Equal(400, tooBig);
        Assert.Equal("InvalidParameter", refused.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task ListAccounts_SingleAccountFleet_OnlyTheManagementAccount()
    {
        await using var emulator = await TestEmulator.StartAsync();
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(ListAccounts(1, 10));

        Assert.Equal(200, status);
        Assert.Equal(1, body.GetProperty("TotalCount").GetInt32());
        Assert.Equal(DemoFleet.AccountId, body.GetProperty("Accounts").GetProperty("Account")[0].GetProperty("AccountId").GetString());
    }

    [Fact]
    public async Task ListAccounts_WithMemberCredentials_NoPermission()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn);

        var (status, body, _) = await client.SendJsonAsync(As(ListAccounts(1, 10), member));

        Assert.Equal(403, status);
        Assert.Equal("NoPermission", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task MemberCredentials_SeeTheMembersClustersAndKeysOnly()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn);

        var (_, memberClusters, _) = await client.SendJsonAsync(As(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters", ("page_size", "100")), member));
        var (_, ownClusters, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters", ("page_size", "100")));
        var (_, memberKeys, _) = await client.SendJsonAsync(As(SignedRequest.Kms("ListKeys", ("PageSize", "100")), member));
        var (keyStatus, key, _) = await client.SendJsonAsync(As(SignedRequest.Kms("DescribeKey", ("KeyId", "alias/ackfc-checkout-hz")), member));

        Assert.Equal(["c-demo-m2-checkout", "c-demo-m2-catalog"], ClusterIds(memberClusters));
        Assert.Equal(DemoFleet.Scenarios.Select(s => s.ClusterId).Take(10), ClusterIds(ownClusters).Take(10));
        Assert.Equal(DemoFleet.Scenarios.Count, ownClusters.GetProperty("page_info").GetProperty("total_count").GetInt32());
        Assert.Equal(["key-demo-m2-checkout"], memberKeys.GetProperty("Keys").GetProperty("Key").EnumerateArray().Select(k => k.GetProperty("KeyId").GetString()));
        Assert.Equal(200, keyStatus);
        Assert.Equal($"acs:kms:cn-hangzhou:{Member}:key/key-demo-m2-checkout", key.GetProperty("KeyMetadata").GetProperty("Arn").GetString());
        var calls = emulator.State.GetCalls();
        var call = calls[^1];
        Assert.Equal(Member, call.AccountId);
        Assert.Equal(member.AccessKeyId, call.AccessKeyId);
    }

    [Fact]
    public async Task MemberCredentials_OtherAccountsCluster_IsNotFoundAsCsSaysIt()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn);

        var (status, body, _) = await client.SendJsonAsync(As(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-hz-payments"), member));
        var (mgmtStatus, mgmtBody, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-demo-m2-checkout"));
        var (unknownStatus, unknown, _) = await client.SendJsonAsync(SignedRequest.CsGet("DescribeClusterDetail", "/clusters/c-does-not-exist"));
        var (keyStatus, key, _) = await client.SendJsonAsync(As(SignedRequest.Kms("DescribeKey", ("KeyId", "key-demo-hz-prod")), member));
        var (changeStatus, change, _) = await client.SendJsonAsync(As(SignedRequest.UpdateKms("c-demo-m2-catalog", """{"kms_key_id":"key-demo-hz-prod"}"""), member));

        Assert.Equal(unknownStatus, status);
        Assert.Equal(TestEmulator.Code(unknown), TestEmulator.Code(body));
        Assert.Equal(unknownStatus, mgmtStatus);
        Assert.Equal(TestEmulator.Code(unknown), TestEmulator.Code(mgmtBody));
        Assert.Equal(404, keyStatus);
        Assert.Equal("Forbidden.KeyNotFound", key.GetProperty("Code").GetString());
        Assert.Equal(400, changeStatus);
        Assert.Equal("ErrorKMSKeyNotFound", TestEmulator.Code(change));
    }

    [Fact]
    public async Task MemberCredentials_Expire_AfterDurationSeconds()
    {
        var time = new FakeTimeProvider(TestEmulator.Start);
        await using var emulator = await TestEmulator.StartAsync(time, fleet: Organisation());
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn, "900");
        Assert.Equal("2026-11-28T12:15:00Z", member.Expiration);

        time.Advance(TimeSpan.FromSeconds(899));
        var (before, _, _) = await client.SendJsonAsync(As(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters"), member));
        time.Advance(TimeSpan.FromSeconds(1));
        var (after, body, _) = await client.SendJsonAsync(As(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters"), member));

        Assert.Equal(200, before);
        Assert.Equal(400, after);
        Assert.Equal("InvalidSecurityToken.Expired", TestEmulator.Code(body));
        Assert.Equal(0, emulator.State.GetAccounts().Single(a => a.AccountId == Member).ActiveSessions);
    }

    [Fact]
    public async Task MemberCredentials_WrongSecretOrToken_Refused()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn);
        var list = SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters");

        var (wrongSecret, secretBody, _) = await client.SendJsonAsync(As(list, member with { Secret = "wrong" }));
        var (wrongToken, tokenBody, _) = await client.SendJsonAsync(As(list, member with { Token = "CAESnot-the-token" }));
        var noToken = As(list, member);
        var (missing, missingBody, _) = await client.SendJsonAsync(new SignedRequest
        {
            Method = noToken.Method, Path = noToken.Path, Action = noToken.Action, Version = noToken.Version,
            AccessKeyId = noToken.AccessKeyId, Secret = noToken.Secret,
        });

        Assert.Equal(400, wrongSecret);
        Assert.Equal("SignatureDoesNotMatch", TestEmulator.Code(secretBody));
        Assert.Equal(400, wrongToken);
        Assert.Equal("InvalidSecurityToken.MismatchWithAccessKey", TestEmulator.Code(tokenBody));
        Assert.Equal(400, missing);
        Assert.Equal("MissingSecurityToken", TestEmulator.Code(missingBody));
    }

    [Fact]
    public async Task MemberCredentials_ApiThrottles_ThenServe()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation(f => f.Accounts[0].Faults = new AccountFaults { ApiThrottles = 1 }));
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn);
        var list = SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters");

        var (first, body, _) = await client.SendJsonAsync(As(list, member));
        var (second, _, _) = await client.SendJsonAsync(As(list, member));
        var (own, _, _) = await client.SendJsonAsync(list);

        Assert.Equal(400, first);
        Assert.Equal("Throttling.User", TestEmulator.Code(body));
        Assert.Equal(200, second);
        Assert.Equal(200, own);
    }

    [Fact]
    public async Task Admin_Accounts_CountsAssumeRolePerAccount_AndRevokesSessions()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn);
        await client.SendJsonAsync(AssumeRole($"acs:ram::{DemoFleet.MemberWithoutRoleAccountId}:role/{DemoFleet.MemberRole}"));

        using var doc = JsonDocument.Parse(await client.Http.GetStringAsync(new Uri("/_emulator/accounts", UriKind.Relative)));
        var accounts = doc.RootElement.GetProperty("accounts").EnumerateArray().ToDictionary(a => a.GetProperty("accountId").GetString()!);
        using var revoke = await client.Http.DeleteAsync(new Uri("/_emulator/sessions", UriKind.Relative));
        var (after, body, _) = await client.SendJsonAsync(As(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters"), member));

        Assert.Equal("rd-ackfc0001", doc.RootElement.GetProperty("resourceDirectoryId").GetString());
        Assert.Equal(3, accounts.Count);
        Assert.True(accounts[DemoFleet.AccountId].GetProperty("isManagement").GetBoolean());
        Assert.Equal(DemoFleet.Scenarios.Count, accounts[DemoFleet.AccountId].GetProperty("clusters").GetInt32());
        Assert.Equal(1, accounts[Member].GetProperty("assumeRoleCalls").GetInt32());
        Assert.Equal(2, accounts[Member].GetProperty("clusters").GetInt32());
        Assert.Equal(1, accounts[DemoFleet.MemberWithoutRoleAccountId].GetProperty("assumeRoleCalls").GetInt32());
        Assert.Equal(JsonValueKind.Null, accounts[DemoFleet.MemberWithoutRoleAccountId].GetProperty("roleArn").ValueKind);
        Assert.True(revoke.IsSuccessStatusCode);
        Assert.Equal(404, after);
        Assert.Equal("InvalidAccessKeyId.NotFound", TestEmulator.Code(body));
    }

    [Fact]
    public async Task UnknownStsAction_InvalidActionNotFound()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);

        var (status, body, _) = await client.SendJsonAsync(new SignedRequest { Action = "GetCallerIdentity2", Version = "2015-04-01" });

        Assert.Equal(404, status);
        Assert.Equal("InvalidAction.NotFound", body.GetProperty("Code").GetString());
    }

    [Fact]
    public async Task MemberWriteCall_EventNamesTheMemberAccountAndAssumedRole()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        var member = await AssumeAsync(client, MemberRoleArn);

        var (status, _, _) = await client.SendJsonAsync(As(SignedRequest.Kms("DisableKey", ("KeyId", "key-demo-m2-checkout")), member));

        Assert.Equal(200, status);
        var recorded = Assert.Single(emulator.State.Events.GetEmitted());
        Assert.Contains($":{Member}:key/key-demo-m2-checkout", recorded.Subject, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(recorded.Json);
        var identity = doc.RootElement.GetProperty("data").GetProperty("userIdentity");
        Assert.Equal(Member, identity.GetProperty("accountId").GetString());
        Assert.Equal("assumed-role", identity.GetProperty("type").GetString());
        Assert.Equal("ResourceDirectoryAccountAccessRole:ackfc-sweep", identity.GetProperty("userName").GetString());
    }

    [Fact]
    public async Task Admin_AddsMemberClusters_AndSetsMemberFaults()
    {
        await using var emulator = await TestEmulator.StartAsync(fleet: Organisation());
        using var client = new SignedClient(emulator);
        using var add = await client.Http.PostAsync(new Uri($"/_emulator/accounts/{Member}/clusters", UriKind.Relative),
            new StringContent("""{"clusterId":"c-added","regionId":"cn-hangzhou"}""", System.Text.Encoding.UTF8, "application/json"));
        using var unknown = await client.Http.PostAsync(new Uri("/_emulator/accounts/999/clusters", UriKind.Relative),
            new StringContent("""{"clusterId":"c-added-2","regionId":"cn-hangzhou"}""", System.Text.Encoding.UTF8, "application/json"));
        using var faults = await client.Http.PutAsync(new Uri($"/_emulator/accounts/{Member}/faults", UriKind.Relative),
            new StringContent("""{"assumeRoleThrottles":1}""", System.Text.Encoding.UTF8, "application/json"));

        var (throttled, throttledBody, _) = await client.SendJsonAsync(AssumeRole(MemberRoleArn));
        var member = await AssumeAsync(client, MemberRoleArn);
        var (_, memberClusters, _) = await client.SendJsonAsync(As(SignedRequest.CsGet("DescribeClustersV1", "/api/v1/clusters"), member));

        Assert.True(add.IsSuccessStatusCode, await add.Content.ReadAsStringAsync());
        Assert.Equal(System.Net.HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.True(faults.IsSuccessStatusCode, await faults.Content.ReadAsStringAsync());
        Assert.Equal(400, throttled);
        Assert.Equal("Throttling.Api", throttledBody.GetProperty("Code").GetString());
        Assert.Contains("c-added", ClusterIds(memberClusters));
        Assert.Equal(Member, emulator.State.GetCluster("c-added")!.AccountId);
    }
}
