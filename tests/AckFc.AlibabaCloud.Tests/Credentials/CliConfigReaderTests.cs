using AckFc.AlibabaCloud.Credentials;

namespace AckFc.AlibabaCloud.Tests.Credentials;

/// <summary>The aliyun CLI's config.json as a workstation has it: each supported mode, and each way it can be wrong.</summary>
public sealed class CliConfigReaderTests : IDisposable
{
    private const string Secret = "cli-secret-never-shown-0123456789";
    private const string Token = "cli-sts-token-never-shown+/=";
    private readonly string directory = Path.Combine(Path.GetTempPath(), "ackfc-cli-" + Guid.NewGuid().ToString("N"));

    public CliConfigReaderTests() => Directory.CreateDirectory(directory);

    public void Dispose() => Directory.Delete(directory, recursive: true);

    private string Write(string json)
    {
        var path = Path.Combine(directory, "config.json");
        File.WriteAllText(path, json);
        return path;
    }

    private string Config(string current, params string[] profiles) =>
        Write($$"""{"current": "{{current}}", "profiles": [{{string.Join(",", profiles)}}], "meta_path": ""}""");

    private static string Ak(string name, string region = "cn-hangzhou") =>
        $$"""{"name": "{{name}}", "mode": "AK", "access_key_id": "LTAI-{{name}}", "access_key_secret": "{{Secret}}", "sts_token": "", "ram_role_name": "", "ram_role_arn": "", "ram_session_name": "", "expired_seconds": 0, "region_id": "{{region}}", "output_format": "json", "language": "en"}""";

    private static CredentialsNotFoundException Refused(Action read)
    {
        var e = Assert.Throws<CredentialsNotFoundException>(read);
        Assert.DoesNotContain(Secret, e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(Token, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void Read_AkProfileByName_KeysAndRegion_SecretNeverInToString()
    {
        var path = Config("other", Ak("other"), Ak("prod", "cn-shanghai"));

        var profile = CliConfigReader.Read(path, "prod");

        Assert.Equal(CliProfileMode.AccessKey, profile.Mode);
        Assert.Equal("LTAI-prod", profile.Keys!.AccessKeyId);
        Assert.Equal(Secret, profile.Keys.AccessKeySecret);
        Assert.Null(profile.Keys.SecurityToken);
        Assert.Equal("cn-shanghai", profile.RegionId);
        Assert.Equal("aliyun CLI profile prod", profile.Keys.Source);
        Assert.DoesNotContain(Secret, profile.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("  ")]
    public void Read_NoProfileName_TheFilesCurrentProfile(string? name)
    {
        var path = Config("prod", Ak("default"), Ak("prod"));

        Assert.Equal("prod", CliConfigReader.Read(path, name).Name);
    }

    [Fact]
    public void Read_NoCurrentAndNoName_TheDefaultProfile()
    {
        var path = Write($$"""{"profiles": [{{Ak("prod")}}, {{Ak("default")}}]}""");

        Assert.Equal("LTAI-default", CliConfigReader.Read(path, null).Keys!.AccessKeyId);
    }

    [Fact]
    public void Read_StsTokenProfile_KeysWithToken()
    {
        var path = Config("temp", $$"""{"name": "temp", "mode": "StsToken", "access_key_id": "STS.abc", "access_key_secret": "{{Secret}}", "sts_token": "{{Token}}"}""");

        var profile = CliConfigReader.Read(path, null);

        Assert.Equal(CliProfileMode.StsToken, profile.Mode);
        Assert.Equal(Token, profile.Keys!.SecurityToken);
        Assert.DoesNotContain(Token, profile.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Read_RamRoleArnProfile_SourceKeysRoleSessionDurationAndStsRegion()
    {
        var path = Config("audit", $$"""
            {"name": "audit", "mode": "RamRoleArn", "access_key_id": "LTAI-user", "access_key_secret": "{{Secret}}",
             "ram_role_arn": "acs:ram::1234567890123456:role/AckFcAudit", "ram_session_name": "alice@laptop", "expired_seconds": 1800, "sts_region": "cn-shanghai"}
            """);

        var profile = CliConfigReader.Read(path, "audit");

        Assert.Equal(CliProfileMode.RamRoleArn, profile.Mode);
        Assert.Equal("LTAI-user", profile.Keys!.AccessKeyId);
        Assert.Equal("acs:ram::1234567890123456:role/AckFcAudit", profile.RoleArn);
        Assert.Equal("alice@laptop", profile.SessionName);
        Assert.Equal(TimeSpan.FromMinutes(30), profile.Duration);
        Assert.Equal("cn-shanghai", profile.StsRegion);
    }

    [Fact]
    public void Read_RamRoleArnWithoutSessionOrDuration_AckFcsSessionNameAndOneHour()
    {
        var path = Config("audit", $$"""{"name": "audit", "mode": "RamRoleArn", "access_key_id": "LTAI-user", "access_key_secret": "{{Secret}}", "ram_role_arn": "acs:ram::1234567890123456:role/AckFcAudit", "ram_session_name": "", "expired_seconds": 0}""");

        var profile = CliConfigReader.Read(path, null);

        Assert.Equal(CliConfigReader.DefaultSessionName, profile.SessionName);
        Assert.Equal(TimeSpan.FromHours(1), profile.Duration);
        Assert.Null(profile.StsRegion);
    }

    [Theory]
    [InlineData("ops-role", "ops-role")]
    [InlineData("", null)]
    public void Read_EcsRamRoleProfile_RoleNameOrTheInstancesOwn(string role, string? expected)
    {
        var path = Config("ecs", $$"""{"name": "ecs", "mode": "EcsRamRole", "ram_role_name": "{{role}}", "access_key_id": "", "access_key_secret": ""}""");

        var profile = CliConfigReader.Read(path, null);

        Assert.Equal(CliProfileMode.EcsRamRole, profile.Mode);
        Assert.Null(profile.Keys);
        Assert.Equal(expected, profile.EcsRoleName);
    }

    [Fact]
    public void Read_MissingFile_NamesTheFileAndHowToCreateIt()
    {
        var path = Path.Combine(directory, "absent", "config.json");

        var e = Refused(() => CliConfigReader.Read(path, "prod"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains("aliyun configure", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_MalformedJson_LineAndByteButNoneOfTheText()
    {
        var path = Write($$"""
            {"current": "prod", "profiles": [
              {"name": "prod", "mode": "AK", "access_key_id": "LTAI-prod", "access_key_secret": "{{Secret}}" "region_id": "cn-hangzhou"}
            ]}
            """);

        var e = Refused(() => CliConfigReader.Read(path, "prod"));

        Assert.Contains("is not valid JSON (line 2,", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LTAI-prod", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[]""")]
    [InlineData("""{"current": "prod"}""")]
    [InlineData("""{"profiles": []}""")]
    [InlineData("""{"profiles": {}}""")]
    public void Read_NoProfiles_Refused(string json)
    {
        var e = Refused(() => CliConfigReader.Read(Write(json), null));

        Assert.Contains("has no profiles", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_UnknownProfile_ListsTheProfilesThereAre()
    {
        var path = Config("default", Ak("default"), Ak("staging"));

        var e = Refused(() => CliConfigReader.Read(path, "prod"));

        Assert.Contains("has no profile 'prod'; it has: default, staging.", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TwoProfilesOfOneName_Refused()
    {
        var e = Refused(() => CliConfigReader.Read(Config("prod", Ak("prod"), Ak("prod")), null));

        Assert.Contains("two profiles named 'prod'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("OIDC")]
    [InlineData("CloudSSO")]
    [InlineData("External")]
    public void Read_ModeAckFcDoesNotSupport_NamesItAndTheSupportedOnes(string mode)
    {
        var path = Config("p", $$"""{"name": "p", "mode": "{{mode}}", "access_key_id": "x", "access_key_secret": "{{Secret}}"}""");

        var e = Refused(() => CliConfigReader.Read(path, null));

        Assert.Contains($"mode '{mode}', which AckFc does not support; supported: AK, StsToken, RamRoleArn, EcsRamRole.", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("AK", """ "access_key_secret": "S" """, "no access_key_id")]
    [InlineData("AK", """ "access_key_id": "LTAI", "access_key_secret": "" """, "no access_key_secret")]
    [InlineData("StsToken", """ "access_key_id": "STS.a", "access_key_secret": "S" """, "no sts_token")]
    [InlineData("RamRoleArn", """ "access_key_id": "LTAI", "access_key_secret": "S" """, "no ram_role_arn")]
    [InlineData("RamRoleArn", """ "access_key_id": "LTAI", "access_key_secret": "S", "ram_role_arn": "AckFcAudit" """, "ram_role_arn must look like acs:ram::<account id>:role/<role name>")]
    [InlineData("RamRoleArn", """ "access_key_id": "LTAI", "access_key_secret": "S", "ram_role_arn": "acs:ram::1:role/r", "ram_session_name": "a b" """, "ram_session_name must be 2-32 characters")]
    [InlineData("RamRoleArn", """ "access_key_id": "LTAI", "access_key_secret": "S", "ram_role_arn": "acs:ram::1:role/r", "expired_seconds": 600 """, "expired_seconds is 600; STS accepts 900 to 3600")]
    [InlineData("RamRoleArn", """ "access_key_id": "LTAI", "access_key_secret": "S", "ram_role_arn": "acs:ram::1:role/r", "expired_seconds": 7200 """, "expired_seconds is 7200; STS accepts 900 to 3600")]
    [InlineData("RamRoleArn", """ "access_key_id": "LTAI", "access_key_secret": "S", "ram_role_arn": "acs:ram::1:role/r", "ram_session_name": "a-session-name-longer-than-32-chars" """, "ram_session_name must be 2-32 characters")]
    [InlineData("RamRoleArn", """ "access_key_id": "LTAI", "access_key_secret": "S", "ram_role_arn": "acs:ram::1:role/r", "expired_seconds": "1h" """, "expired_seconds must be a whole number of seconds")]
    public void Read_FieldMissingOrWrongForItsMode_NamesProfileAndField(string mode, string fields, string expected)
    {
        var path = Config("p", $$"""{"name": "p", "mode": "{{mode}}", {{fields}} }""");

        var e = Refused(() => CliConfigReader.Read(path, null));

        Assert.Contains($"profile 'p' of the aliyun CLI configuration '{path}'", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_NoMode_ReadAsAk()
    {
        var path = Config("p", $$"""{"name": "p", "access_key_id": "LTAI-p", "access_key_secret": "{{Secret}}"}""");

        Assert.Equal(CliProfileMode.AccessKey, CliConfigReader.Read(path, null).Mode);
    }
}
