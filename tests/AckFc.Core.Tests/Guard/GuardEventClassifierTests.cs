using System.Text.Json.Nodes;
using AckFc.Core.Guard;
using static AckFc.Core.Tests.Guard.GuardEvents;

namespace AckFc.Core.Tests.Guard;

public sealed class GuardEventClassifierTests
{
    private static readonly string[] Regions = [Region, "cn-shanghai"];

    private static GuardClassification Classify(JsonObject node) => GuardEventClassifier.Classify(Assert.Single(GuardEventParser.Parse(Bytes(node))), Regions);

    [Theory]
    [InlineData("DisableKey", GuardEventKind.DisableKey)]
    [InlineData("DeleteKeyMaterial", GuardEventKind.DeleteKeyMaterial)]
    [InlineData("EnableKey", GuardEventKind.EnableKey)]
    [InlineData("CancelKeyDeletion", GuardEventKind.CancelKeyDeletion)]
    [InlineData("UpdateRotationPolicy", GuardEventKind.RotationOff)]
    public void Classify_KeyEvents_KindAndKey(string name, GuardEventKind kind)
    {
        var c = Classify(Kms(name, new JsonObject { ["KeyId"] = "key-1", ["EnableAutomaticRotation"] = "false" }));

        Assert.Equal((kind, "key-1", Region), (c.Kind, c.Key, c.RegionId));
        Assert.Null(c.IgnoredReason);
    }

    [Fact]
    public void Classify_ScheduleKeyDeletion_KeepsTheWindow()
    {
        var c = Classify(Kms("ScheduleKeyDeletion", new JsonObject { ["KeyId"] = "key-1", ["PendingWindowInDays"] = "7" }));

        Assert.Equal((GuardEventKind.ScheduleKeyDeletion, 7), (c.Kind, c.PendingWindowInDays));
    }

    [Theory]
    [InlineData("acs:kms:cn-hangzhou:1234567890123456:key/key-arn", "key-arn")]
    [InlineData("key-plain", "key-plain")]
    [InlineData("alias/prod", "alias/prod")]
    [InlineData("acs:kms:cn-hangzhou:1234567890123456:alias/prod", "alias/prod")]
    public void NormaliseKey_IdArnOrAlias(string named, string expected) => Assert.Equal(expected, GuardEventClassifier.NormaliseKey(named));

    [Fact]
    public void Classify_SetDeletionProtectionOff_KeyFromTheArn()
    {
        var c = Classify(Kms("SetDeletionProtection", new JsonObject
        {
            ["ProtectedResourceArn"] = $"acs:kms:{Region}:{Account}:key/key-7", ["EnableDeletionProtection"] = false,
        }));

        Assert.Equal((GuardEventKind.DeletionProtectionOff, "key-7"), (c.Kind, c.Key));
    }

    [Theory]
    [InlineData("SetDeletionProtection", "EnableDeletionProtection", "deletion protection on")]
    [InlineData("UpdateRotationPolicy", "EnableAutomaticRotation", "automatic rotation on")]
    public void Classify_ProtectionOrRotationTurnedOn_Ignored(string name, string parameter, string reason)
    {
        var c = Classify(Kms(name, new JsonObject { ["KeyId"] = "key-1", ["ProtectedResourceArn"] = "key-1", [parameter] = "True" }));

        Assert.Null(c.Kind);
        Assert.Contains(reason, c.IgnoredReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_DeleteAlias_AliasNormalised()
    {
        var c = Classify(Kms("DeleteAlias", new JsonObject { ["AliasName"] = "alias/prod-key" }));

        Assert.Equal((GuardEventKind.DeleteAlias, "alias/prod-key"), (c.Kind, c.Key));
    }

    [Fact]
    public void Classify_UpdateKmsEncryption_ClusterFromParametersOrSubject()
    {
        Assert.Equal("c-1", Classify(Cs("UpdateKMSEncryption", new JsonObject { ["ClusterId"] = "c-1", ["disable_encryption"] = true })).ClusterId);
        var bySubject = Cs("UpdateKMSEncryption", new JsonObject { ["disable_encryption"] = true });
        bySubject["subject"] = $"acs.cs:{Region}:{Account}:cluster/c-subj";
        Assert.Equal((GuardEventKind.EncryptionDrift, "c-subj"), (Classify(bySubject).Kind, Classify(bySubject).ClusterId));
    }

    [Theory]
    [InlineData("CreateKey", "not an event the key guard reacts to")]
    [InlineData("DisableKey", "The call failed (Forbidden.NoPermission)")]
    public void Classify_UnknownNameOrFailedCall_Ignored(string name, string reason)
    {
        var c = Classify(Kms(name, new JsonObject { ["KeyId"] = "key-1" }, errorCode: name == "DisableKey" ? "Forbidden.NoPermission" : ""));

        Assert.Null(c.Kind);
        Assert.Contains(reason, c.IgnoredReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_RegionNotConfigured_IgnoredNamingIt()
    {
        var c = Classify(Kms("DisableKey", new JsonObject { ["KeyId"] = "key-1" }, region: "eu-central-1"));

        Assert.Null(c.Kind);
        Assert.Contains("eu-central-1", c.IgnoredReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_RegionFromEnvelopeWhenRecordHasNone()
    {
        var node = Kms("DisableKey", new JsonObject { ["KeyId"] = "key-1" });
        ((JsonObject)node["data"]!).Remove("acsRegion");
        node["aliyunregionid"] = "cn-shanghai";

        Assert.Equal("cn-shanghai", Classify(node).RegionId);
    }

    [Fact]
    public void Classify_KmsNameOnACsEvent_Ignored()
    {
        var node = Cs("DisableKey", new JsonObject { ["KeyId"] = "key-1" });

        Assert.Contains("not as a kms event", Classify(node).IgnoredReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Classify_NoKey_Ignored() =>
        Assert.Contains("names no key", Classify(Kms("DisableKey", [])).IgnoredReason, StringComparison.Ordinal);
}
