using AckFc.AlibabaCloud.Sts;

namespace AckFc.AlibabaCloud.Tests.Sts;

public sealed class StsRulesTests
{
    [Theory]
    [InlineData("sweep-1", "ackfc-sweep-1")]
    [InlineData("2f1c0d7e-5b9a-4c3e-8f21-0a6b7c8d9e0f", "ackfc-2f1c0d7e-5b9a-4c3e-8f21-0a")]
    [InlineData("timer 2026-12-03T03:00:00Z", "ackfc-timer-2026-12-03T03-00-00Z")]
    [InlineData("a/b:c+d", "ackfc-a-b-c-d")]
    [InlineData("user@example.com", "ackfc-user@example.com")]
    [InlineData("", "ackfc")]
    [InlineData(null, "ackfc")]
    [InlineData("  ", "ackfc")]
    public void SessionNameForSweep_AnySweepId_AckFcPrefixSanitisedAndCut(string? sweepId, string expected)
    {
        var name = StsRules.SessionNameForSweep(sweepId);

        Assert.Equal(expected, name);
        Assert.True(StsRules.IsValidSessionName(name));
    }

    [Fact]
    public void SessionNameForSweep_ArbitraryText_AlwaysAcceptedBySts()
    {
        var random = new Random(14);
        for (var i = 0; i < 2_000; i++)
        {
            var text = new string([.. Enumerable.Range(0, random.Next(0, 80)).Select(_ => (char)random.Next(0, 0x3000))]);

            var name = StsRules.SessionNameForSweep(text);

            Assert.True(StsRules.IsValidSessionName(name), $"'{name}' from '{text}'");
            Assert.StartsWith("ackfc", name, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("ab", true)]
    [InlineData("a", false)]
    [InlineData("ackfc.sweep@team-1_x", true)]
    [InlineData("01234567890123456789012345678901", true)]
    [InlineData("012345678901234567890123456789012", false)]
    [InlineData("ackfc\0x", false)]
    [InlineData("ackfc#1", false)]
    [InlineData(null, false)]
    public void IsValidSessionName_LengthAndCharacters_MatchStsRules(string? name, bool expected)
    {
        Assert.Equal(expected, StsRules.IsValidSessionName(name));
        if (expected)
        {
            StsRules.EnsureValidSessionName(name);
        }
        else
        {
            Assert.Throws<ArgumentException>(() => StsRules.EnsureValidSessionName(name));
        }
    }

    [Fact]
    public void EnsureValidSessionName_BadCharacter_MessageNamesIt()
    {
        var error = Assert.Throws<ArgumentException>(() => StsRules.EnsureValidSessionName("ackfc#1"));

        Assert.Contains("'#'", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(900, true)]
    [InlineData(3600, true)]
    [InlineData(1800, true)]
    [InlineData(899, false)]
    [InlineData(3601, false)]
    public void EnsureValidDuration_Bounds_FifteenMinutesToAnHour(int seconds, bool valid)
    {
        var check = () => StsRules.EnsureValidDuration(TimeSpan.FromSeconds(seconds));

        if (valid)
        {
            check();
        }
        else
        {
            Assert.Throws<ArgumentOutOfRangeException>(check);
        }
    }

    [Fact]
    public void RoleArn_AccountAndRole_RamRoleArn() =>
        Assert.Equal("acs:ram::123456789012:role/AckFcAuditRole", StsRules.RoleArn("123456789012", "AckFcAuditRole"));

    [Theory]
    [InlineData("12345678901a", "AckFcAuditRole", "accountId")]
    [InlineData("", "AckFcAuditRole", "accountId")]
    [InlineData("123456789012", "", "roleName")]
    [InlineData("123456789012", "role/x", "roleName")]
    [InlineData("123456789012", "a:b", "roleName")]
    [InlineData("123456789012", "Audit Role", "roleName")]
    public void RoleArn_BadParts_ThrowsNamingTheParameter(string accountId, string roleName, string parameter) =>
        Assert.Equal(parameter, Assert.Throws<ArgumentException>(() => StsRules.RoleArn(accountId, roleName)).ParamName);
}
