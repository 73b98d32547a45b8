using AckFc.Local.Emulator;

namespace AckFc.Local.Tests.Emulator;

/// <summary>Fleet files with member accounts: what they load into, and the problems they are refused for.</summary>
public sealed class FleetAccountsTests
{
    private const string Yaml = """
        accountId: "1000000000000001"
        displayName: platform
        resourceDirectoryId: rd-test01
        regions: [cn-hangzhou]
        clusters:
          - clusterId: c-mgmt
            regionId: cn-hangzhou
        accounts:
          - accountId: "2000000000000001"
            displayName: payments
            folderId: fd-prod
            role: AckFcAuditRole
            maxSessionDuration: 7200
            tags: { env: prod }
            clusters:
              - clusterId: c-pay
                regionId: cn-hangzhou
                encryption: { kmsKeyId: key-pay }
            keys:
              - keyId: key-pay
                regionId: cn-hangzhou
                aliases: [alias/ackfc-pay]
          - accountId: "2000000000000002"
            displayName: no-role
            role: ""
          - accountId: "2000000000000003"
            status: PromoteVerifying
            joinMethod: invited
            type: CloudAccount
            faults: { assumeRoleThrottles: -1, apiThrottles: 3 }
        """;

    [Fact]
    public async Task Yaml_WithAccounts_LoadsEveryAccountAndItsResources()
    {
        var fleet = FleetLoader.Parse(Yaml, json: false, "org.yaml");
        await using var emulator = await TestEmulator.StartAsync(fleet: fleet);

        var accounts = emulator.State.GetAccounts();
        Assert.Equal(["1000000000000001", "2000000000000001", "2000000000000002", "2000000000000003"], accounts.Select(a => a.AccountId));
        Assert.Equal("platform", accounts[0].DisplayName);
        Assert.True(accounts[0].IsManagement);
        Assert.Equal("acs:ram::2000000000000001:role/AckFcAuditRole", accounts[1].RoleArn);
        Assert.Equal("fd-prod", accounts[1].FolderId);
        Assert.Null(accounts[2].RoleArn);
        Assert.Equal("no-role", accounts[2].DisplayName);
        Assert.Equal("PromoteVerifying", accounts[3].Status);
        Assert.Equal("2000000000000003", accounts[3].DisplayName);
        Assert.Equal("rd-test01", emulator.State.ResourceDirectoryId);
        Assert.Equal("2000000000000001", emulator.State.GetCluster("c-pay")!.AccountId);
        Assert.Equal("1000000000000001", emulator.State.GetCluster("c-mgmt")!.AccountId);
        var key = emulator.State.GetKey("alias/ackfc-pay")!;
        Assert.Equal("acs:kms:cn-hangzhou:2000000000000001:key/key-pay", key.Arn);
        Assert.Equal("2000000000000001", key.Creator);
        Assert.True(emulator.State.GetCluster("c-pay")!.SecretsReadable);
    }

    [Fact]
    public void Json_WithAccounts_SameModelAsYaml()
    {
        var fleet = FleetLoader.Parse(
            """{"regions":["cn-hangzhou"],"accounts":[{"accountId":"2000000000000001","role":null,"faults":{"apiThrottles":1}}]}""", json: true, "org.json");

        var account = Assert.Single(fleet.Accounts);
        Assert.Null(account.Role);
        Assert.Equal(1, account.Faults!.ApiThrottles);
        Assert.Equal("CreateSuccess", account.Status);
        FleetLoader.Validate(fleet);
    }

    [Fact]
    public void SingleAccountFleet_HasOnlyTheManagementAccount()
    {
        var fleet = DemoFleet.Create();

        Assert.Empty(fleet.Accounts);
        FleetLoader.Validate(fleet);
    }

    [Fact]
    public void Organisation_ManagementAccountHoldsExactlyTheDemo()
    {
        var demo = DemoFleet.Create();
        var organisation = DemoFleet.CreateOrganisation();

        Assert.Equal(demo.Clusters.Select(c => c.ClusterId), organisation.Clusters.Select(c => c.ClusterId));
        Assert.Equal(demo.Keys.Select(k => k.KeyId), organisation.Keys.Select(k => k.KeyId));
        Assert.Equal(DemoFleet.MemberScenarios.Select(s => s.ClusterId), organisation.Accounts[0].Clusters.Select(c => c.ClusterId));
        Assert.Null(organisation.Accounts[1].Role);
        FleetLoader.Validate(organisation);
    }

    [Fact]
    public void Validate_BadAccounts_EveryProblemNamesTheAccountAndField()
    {
        var fleet = FleetLoader.Parse("""
            regions: [cn-hangzhou]
            clusters:
              - clusterId: c-dup
                regionId: cn-hangzhou
            keys:
              - keyId: key-dup
                regionId: cn-hangzhou
                aliases: [alias/dup]
            accounts:
              - accountId: "1000000000000001"
              - accountId: "abc"
              - accountId: ""
              - accountId: "2000000000000001"
                status: Joined
                joinMethod: adopted
                type: Robot
                folderId: folder-1
                role: "bad role!"
                maxSessionDuration: 60
                faults: { assumeRoleThrottles: -2 }
                clusters:
                  - clusterId: c-dup
                    regionId: cn-beijing
                keys:
                  - keyId: key-dup
                    regionId: cn-hangzhou
                    aliases: [alias/dup]
              - accountId: "2000000000000001"
            """, json: false, "bad-org.yaml");

        var ex = Assert.Throws<FleetFileException>(() => FleetLoader.Validate(fleet));

        var m = ex.Message;
        Assert.Contains("accounts[0] (1000000000000001): accountId is used twice (or is the management account's)", m, StringComparison.Ordinal);
        Assert.Contains("accounts[1] (abc): accountId 'abc' is not an account id", m, StringComparison.Ordinal);
        Assert.Contains("accounts[2] (no accountId): accountId must not be empty", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): status 'Joined' is not one of CreateSuccess", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): joinMethod 'adopted'", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): type 'Robot'", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): folderId 'folder-1' must start with 'fd-'", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): role 'bad role!' is not a RAM role name", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): maxSessionDuration 60 must be from 900 to 43200 seconds", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): faults.assumeRoleThrottles", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): clusters[0] (c-dup): clusterId is used twice (cluster ids are unique across every account)", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): clusters[0] (c-dup): regionId 'cn-beijing' is not in regions", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): keys[0] (key-dup): keyId is used twice", m, StringComparison.Ordinal);
        Assert.Contains("accounts[3] (2000000000000001): keys[0] (key-dup): alias 'alias/dup' is used twice", m, StringComparison.Ordinal);
        Assert.Contains("accounts[4] (2000000000000001): accountId is used twice", m, StringComparison.Ordinal);
    }

    [Fact]
    public void Yaml_UnknownAccountField_ErrorNamesIt()
    {
        var ex = Assert.Throws<FleetFileException>(() => FleetLoader.Parse(
            "regions: [cn-hangzhou]\naccounts:\n  - accountId: \"2000000000000001\"\n    roles: [x]\n", json: false, "bad.yaml"));

        Assert.Contains("roles", ex.Message, StringComparison.Ordinal);
    }
}
