using System.Text;
using System.Text.Json.Nodes;
using AckFc.Core.Guard;
using static AckFc.Core.Tests.Guard.GuardEvents;

namespace AckFc.Core.Tests.Guard;

public sealed class GuardEventParserTests
{
    private static GuardEvent One(JsonNode node) => Assert.Single(GuardEventParser.Parse(Bytes(node)));

    [Fact]
    public void Parse_KmsEvent_ReadsEnvelopeRecordAndIdentity()
    {
        var e = One(Kms("DisableKey", new JsonObject { ["KeyId"] = "key-1" }, id: "ev-1"));

        Assert.Equal(("ev-1", "acs.kms", "kms:ActionTrail:ApiCall", "DisableKey", Region), (e.Id, e.Source, e.Type, e.EventName, e.RegionId));
        Assert.Equal("acs.kms|ev-1", e.DedupeKey);
        Assert.Equal("key-1", e.Parameter("KeyId"));
        Assert.Equal(("ram-user", "alice", UserAccessKeyId), (e.Identity.Type, e.Identity.UserName, e.Identity.AccessKeyId));
        Assert.Equal("203.0.113.7", e.SourceIpAddress);
        Assert.Equal(TimeSpan.FromMilliseconds(1250), e.DeliveryLatency);
        Assert.DoesNotContain(UserAccessKeyId, e.Identity.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_ParameterNamesInAnyCase_BooleansAndNumbersAsStrings()
    {
        var e = One(Kms("ScheduleKeyDeletion", new JsonObject { ["keyid"] = "key-1", ["PENDINGWINDOWINDAYS"] = "7", ["EnableAutomaticRotation"] = "FALSE" }));

        Assert.Equal("key-1", e.Parameter("KeyId"));
        Assert.Equal(7, e.IntParameter("PendingWindowInDays"));
        Assert.False(e.BoolParameter("EnableAutomaticRotation"));
    }

    [Fact]
    public void Parse_JsonBoolAndNumber_ReadAsTheSameValues()
    {
        var e = One(Kms("SetDeletionProtection", new JsonObject { ["EnableDeletionProtection"] = false, ["PendingWindowInDays"] = 30 }));

        Assert.False(e.BoolParameter("EnableDeletionProtection"));
        Assert.Equal(30, e.IntParameter("PendingWindowInDays"));
    }

    [Fact]
    public void Parse_RequestParametersAsJsonString_Read()
    {
        var node = Kms("DisableKey", []);
        node["data"]!["requestParameters"] = """{"KeyId":"key-9"}""";

        Assert.Equal("key-9", One(node).Parameter("KeyId"));
    }

    [Theory]
    [InlineData("2026-11-28T10:59:58+08:00", "2026-11-28T02:59:58Z")]
    [InlineData("2026-11-28T02:59:58Z", "2026-11-28T02:59:58Z")]
    [InlineData("2026-11-28 10:59:58 PRC", "2026-11-28T02:59:58Z")]
    [InlineData("2026-11-28T10:59:58PRC", "2026-11-28T02:59:58Z")]
    [InlineData("2026-11-28T02:59:58", "2026-11-28T02:59:58Z")]
    [InlineData("1795834798000", "2026-11-28T02:59:58Z")]
    public void ParseTime_OffsetZuluPrcAndEpoch_SameInstant(string text, string expected) =>
        Assert.Equal(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), GuardEventParser.ParseTime(text));

    [Theory]
    [InlineData("0001-01-01 00:00:00PRC")]
    [InlineData("0001-01-01 07:59:59 PRC")]
    [InlineData("not a time PRC")]
    public void ParseTime_PrcTimeWithNoUtcInstant_IsNoTimeRatherThanACrash(string text) =>
        Assert.Null(GuardEventParser.ParseTime(text));

    [Fact]
    public void ParseTime_FirstPrcTimeWithAUtcInstant_Parsed() =>
        Assert.Equal(DateTimeOffset.MinValue, GuardEventParser.ParseTime("0001-01-01 08:00:00PRC"));

    [Fact]
    public void Parse_TopLevelArray_EachElement()
    {
        var events = GuardEventParser.Parse(Bytes(new JsonArray(Kms("DisableKey", new JsonObject { ["KeyId"] = "a" }, id: "1"), Kms("EnableKey", new JsonObject { ["KeyId"] = "b" }, id: "2"))));

        Assert.Equal(["1", "2"], events.Select(e => e.Id));
    }

    [Fact]
    public void Parse_MissingId_FallsBackToDataEventId()
    {
        var node = Kms("DisableKey", new JsonObject { ["KeyId"] = "a" }, id: "from-data");
        node.Remove("id");

        Assert.Equal("from-data", One(node).Id);
    }

    [Fact]
    public void Parse_NoUserIdentityOrParameters_StillAnEvent()
    {
        var node = Kms("DisableKey", []);
        ((JsonObject)node["data"]!).Remove("userIdentity");
        ((JsonObject)node["data"]!).Remove("requestParameters");

        var e = One(node);

        Assert.Null(e.Identity.Type);
        Assert.Empty(e.RequestParameters);
    }

    [Theory]
    [InlineData("not json", "not JSON")]
    [InlineData("42", "JSON number, not a CloudEvent")]
    [InlineData("\"text\"", "JSON string")]
    [InlineData("[]", "empty array")]
    [InlineData("[1]", "Event [0] is a JSON number")]
    [InlineData("{\"data\":{}}", "no 'type' string")]
    [InlineData("{\"type\":7,\"data\":{}}", "no 'type' string")]
    [InlineData("{\"type\":\"kms:ActionTrail:ApiCall\"}", "no 'data' object")]
    [InlineData("{\"type\":\"kms:ActionTrail:ApiCall\",\"data\":[]}", "no 'data' object")]
    [InlineData("{\"type\":\"kms:ActionTrail:ApiCall\",\"data\":{\"eventName\":\"DisableKey\"}}", "neither an 'id' nor a 'data.eventId'")]
    public void Parse_NotACloudEvent_GuardEventExceptionNamingIt(string body, string expected)
    {
        var e = Assert.Throws<GuardEventException>(() => GuardEventParser.Parse(Encoding.UTF8.GetBytes(body)));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_TooManyEvents_Refused()
    {
        var array = new JsonArray([.. Enumerable.Range(0, GuardEventParser.MaxEvents + 1).Select(i => (JsonNode)Kms("DisableKey", new JsonObject { ["KeyId"] = "k" }, id: $"e{i}"))]);

        Assert.Contains("at most", Assert.Throws<GuardEventException>(() => GuardEventParser.Parse(Bytes(array))).Message, StringComparison.Ordinal);
    }
}
