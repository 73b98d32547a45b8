using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using AckFc.Local.Emulator;
using Xunit.Abstractions;

namespace AckFc.Local.Tests.Guard;

/// <summary>
/// Issue 13's fuzz item over real HTTP: thousands of CloudEvents, built with the emulator's own ActionTrail emitter and
/// then mutated, posted to the real host's <c>/invoke</c> against a healthy emulated region. Valid envelopes are always
/// answered 200; broken ones get Function Compute's failed answer with <c>InvalidEvent</c> naming the problem; nothing
/// is ever answered 5xx, and no write reaches the region unless the state read calls for it.
/// </summary>
/// <remarks>
/// The bodies come from <see cref="System.Random"/> with a fixed seed (printed with every failure) rather than from
/// CsCheck: the oracle is the region's state after the whole batch, which a shrinking run could not re-create per sample.
/// </remarks>
public sealed class GuardFuzzTests(ITestOutputHelper output) : IAsyncLifetime
{
    private const int Seed = 13_5000;
    private const int FuzzBodies = 5_000;
    private const int ActBodies = 300;
    private const int Parallelism = 6;

    /// <summary>The decisions a healthy region allows: nothing at risk, so never <c>alerted</c> and never <c>failed</c>.</summary>
    private static readonly string[] HealthyDecisions = ["ignored", "duplicate", "own", "healthy", "resolved"];

    private GuardStack guard = null!;

    public async Task InitializeAsync() => guard = await GuardStack.StartAsync();

    public async Task DisposeAsync() => await guard.DisposeAsync();

    [Fact]
    public async Task FiveThousandRandomAndMutatedEvents_HealthyRegion_NoServerErrorAndNoWrite()
    {
        var keysBefore = KeyFacts();
        var clustersBefore = ClusterFacts();
        var fuzz = new EventFuzz(new Random(Seed), guard);
        var cases = Enumerable.Range(0, FuzzBodies).Select(fuzz.Next).ToList();

        var (failures, took, tally) = await PostAllAsync(cases, HealthyDecisions);
        output.WriteLine($"seed {Seed}: {cases.Count} bodies ({cases.Count(c => c.Valid)} valid envelopes, {cases.Sum(c => c.Events)} events) in {took.TotalSeconds:0.0} s at {Parallelism} at once");
        output.WriteLine("answers: " + string.Join(", ", tally.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}")));
        output.WriteLine("cloud calls: " + string.Join(", ", guard.Stack.Emulator.State.GetCounters().Select(c => $"{c.Key} {c.Value}")));

        Assert.True(failures.IsEmpty, Report(Seed, failures));
        Assert.Contains(cases, c => c.Valid && c.Events > 1);
        Assert.Contains(cases, c => !c.Valid);

        // No write call of any kind reached the region, so it emitted no ActionTrail event; nothing changed.
        Assert.All(WriteCallEvents.KmsWrites.Append("UpdateKMSEncryption"), a => Assert.True(guard.Stack.Emulator.State.CountOf(a) == 0, $"seed {Seed}: {a} was called"));
        Assert.Empty(guard.Stack.Emulator.Events.GetEmitted());
        Assert.Equal(keysBefore, KeyFacts());
        Assert.Equal(clustersBefore, ClusterFacts());
        var alerts = guard.Alerts();
        Assert.DoesNotContain(alerts, a => a.GetProperty("decision").GetString() is "alerted" or "failed");
        Assert.DoesNotContain(alerts, a => a.GetProperty("actions").EnumerateArray().Any(x => x.GetProperty("status").GetString() == "applied"));
        Assert.DoesNotContain(GuardStack.NotifySecret, string.Join("\n", guard.Notifications), StringComparison.Ordinal);
        Assert.DoesNotContain(guard.Stack.Emulator.Credential.AccessKeySecret, string.Join("\n", guard.Notifications), StringComparison.Ordinal);
    }

    [Fact]
    public async Task MutatedDisableKeyEvents_KeyReallyDisabled_ExactlyOneEnableKey()
    {
        // Disabled behind the guard's back (no event): only the events below can tell it.
        guard.Stack.Emulator.State.DisableKey(GuardStack.SharedKey);
        var fuzz = new EventFuzz(new Random(Seed + 1), guard);
        var cases = Enumerable.Range(0, ActBodies).Select(i => fuzz.DisableShared(i)).ToList();

        var (failures, took, tally) = await PostAllAsync(cases, [.. HealthyDecisions, "alerted"]);
        output.WriteLine($"seed {Seed + 1}: {cases.Count} DisableKey bodies in {took.TotalSeconds:0.0} s; answers: "
            + string.Join(", ", tally.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key} {t.Value}")));
        await guard.DeliveredAsync(1);
        await Wait.UntilAsync(() => guard.Alerts().Count >= 1, "the guard alert");

        Assert.True(failures.IsEmpty, Report(Seed + 1, failures));
        Assert.Equal(1, guard.Stack.Emulator.State.CountOf("EnableKey"));
        Assert.All(WriteCallEvents.KmsWrites.Where(a => a != "EnableKey").Append("UpdateKMSEncryption"), a => Assert.Equal(0, guard.Stack.Emulator.State.CountOf(a)));
        Assert.Equal("Enabled", guard.Stack.Emulator.State.GetKey(GuardStack.SharedKey)!.KeyState);
        Assert.Equal(1, tally.GetValueOrDefault("alerted"));
        var alert = Assert.Single(guard.Alerts(), a => a.GetProperty("decision").GetString() == "alerted");
        Assert.Equal("DisableKey", alert.GetProperty("eventName").GetString());
        Assert.Single(guard.Alerts().SelectMany(a => a.GetProperty("actions").EnumerateArray()), x => x.GetProperty("status").GetString() == "applied");
    }

    private async Task<(ConcurrentQueue<string> Failures, TimeSpan Took, ConcurrentDictionary<string, int> Tally)> PostAllAsync(
        List<FuzzCase> cases, string[] allowedDecisions)
    {
        var failures = new ConcurrentQueue<string>();
        var tally = new ConcurrentDictionary<string, int>(StringComparer.Ordinal);
        var secrets = new[] { guard.Stack.Emulator.Credential.AccessKeySecret, GuardStack.NotifySecret };
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(Enumerable.Range(0, cases.Count), new ParallelOptions { MaxDegreeOfParallelism = Parallelism }, async (i, _) =>
        {
            var c = cases[i];
            var (status, fc, body) = await guard.InvokeAsync(c.Body);
            var problem = Judge(c, status, fc, body, allowedDecisions, secrets, tally);
            if (problem is not null)
            {
                failures.Enqueue($"#{i} [{c.Description}] {problem}; answer {status} x-fc-status {fc}: {Excerpt(body)}; body: {Excerpt(c.Body)}");
            }
        });
        return (failures, clock.Elapsed, tally);
    }

    /// <summary>What is wrong with one answer, or null.</summary>
    private static string? Judge(FuzzCase c, int status, string fc, string body, string[] allowedDecisions, string[] secrets, ConcurrentDictionary<string, int> tally)
    {
        if (status >= 500)
        {
            return "a server error";
        }

        if (secrets.FirstOrDefault(s => body.Contains(s, StringComparison.Ordinal)) is not null)
        {
            return "a secret in the answer";
        }

        JsonElement root;
        try
        {
            root = JsonDocument.Parse(body).RootElement;
        }
        catch (JsonException)
        {
            return "an answer that is not JSON";
        }

        if (!c.Valid)
        {
            tally.AddOrUpdate("InvalidEvent", 1, (_, n) => n + 1);
            if ((status, fc) != (404, "404"))
            {
                return "a broken envelope not answered 404 with x-fc-status 404";
            }

            var type = root.TryGetProperty("errorType", out var t) ? t.GetString() : null;
            var message = root.TryGetProperty("errorMessage", out var m) ? m.GetString() ?? "" : "";
            if (type != "InvalidEvent")
            {
                return $"errorType {type}, not InvalidEvent";
            }

            return message.Contains(c.Names!, StringComparison.Ordinal) ? null : $"the message does not name '{c.Names}'";
        }

        if ((status, fc) != (200, "200"))
        {
            return "a valid envelope not answered 200";
        }

        if (!root.TryGetProperty("events", out var events) || events.ValueKind != JsonValueKind.Array || events.GetArrayLength() != c.Events)
        {
            return $"not {c.Events} event answer(s)";
        }

        foreach (var e in events.EnumerateArray())
        {
            var decision = e.GetProperty("decision").GetString() ?? "";
            tally.AddOrUpdate(decision, 1, (_, n) => n + 1);
            if (!allowedDecisions.Contains(decision, StringComparer.Ordinal))
            {
                return $"decision {decision}: {e.GetProperty("reason").GetString()}";
            }
        }

        return null;
    }

    private static string Report(int seed, ConcurrentQueue<string> failures) =>
        $"seed {seed}: {failures.Count} bad answer(s); the first ones:\n" + string.Join("\n", failures.Take(8));

    private static string Excerpt(string text) => text.Length <= 400 ? text : text[..400] + $"… ({text.Length} chars)";

    private List<string> KeyFacts() =>
        [.. guard.Stack.Emulator.State.GetKeys().Select(k => $"{k.KeyId} {k.KeyState} {k.DeletionProtection} {k.AutomaticRotation} {k.RotationInterval} {k.DeleteDate} {string.Join('|', k.Aliases)}")];

    private List<string> ClusterFacts() =>
        [.. guard.Stack.Emulator.State.GetClusters().Select(c => $"{c.ClusterId} {c.State} {c.EncryptionKeyId} {c.EncryptionDisabled}")];
}

/// <summary>One body to post: whether its envelope is valid, how many events it holds, and for a broken one what its error must name.</summary>
internal sealed record FuzzCase(string Body, bool Valid, int Events, string? Names, string Description);

/// <summary>Builds CloudEvents the way the emulator emits them and mutates them, all from one <see cref="Random"/>.</summary>
internal sealed class EventFuzz
{
    private const string Account = "1000000000000077";

    private static readonly string[] Known =
        ["DisableKey", "ScheduleKeyDeletion", "SetDeletionProtection", "UpdateRotationPolicy", "DeleteKeyMaterial", "DeleteAlias", "EnableKey", "CancelKeyDeletion", "UpdateKMSEncryption"];

    private static readonly string[] Unknown = ["TagResource", "CreateKey", "DescribeKey", "disablekey", "DisableKey ", "UpdateKmsEncryption", "DeleteCluster", "ListKeys"];

    private static readonly string[] Clusters = ["c-guard-a", "c-guard-b", "c-guard-c", "c-guard-d", "c-missing", "C-GUARD-A", "", "c-guard-a/../x"];

    private static readonly string[] Regions = ["cn-hangzhou", "cn-hangzhou", "cn-hangzhou", "cn-shanghai", "us-west-1", "CN-HANGZHOU", ""];

    // "0001-01-01 00:00:00PRC" and "0001-01-01 07:59:59PRC" have no UTC instant (before year 1): found by this fuzz,
    // they crashed the parser (404 ArgumentOutOfRangeException, retried by Function Compute for nothing).
    private static readonly string[] Times =
    [
        "", "not a time", "2026-13-45T99:99:99Z", "2026-12-02T10:00:00+08:00", "2026-12-02 10:00:00PRC", "2026-12-02T10:00:00.123PRC",
        "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "0001-01-01 08:00:00PRC", "0001-01-01 00:00:00PRC", "0001-01-01 07:59:59PRC", "9999-12-31T23:59:59Z", "9999-12-31T23:59:59-14:00", "1700000000", "1700000000000", "-1", "99999999999999999999",
        "2026-12-02T10:00:00.1234567890123Z", "PRC", "   ", "2026-02-30T00:00:00Z", "1999-12-31T24:00:00Z",
    ];

    private static readonly string[] Unicode = ["ключ-guard", "鍵-守衛", "🔑🛡️", "key\u0000guard", "e\u0301", "\u202Ekey-guard-shared", "key\r\nguard", "\"\\/\b\f\t", "\uFFFF\uFFFE"];

    private readonly Random random;
    private readonly GuardStack guard;
    private readonly string[] keyNames;
    private readonly List<string> ids = [];

    public EventFuzz(Random random, GuardStack guard)
    {
        this.random = random;
        this.guard = guard;
        var keys = guard.Stack.Emulator.State.GetKeys();
        keyNames =
        [
            .. keys.Select(k => k.KeyId), .. keys.Select(k => k.KeyId), .. keys.Select(k => k.Arn), .. keys.SelectMany(k => k.Aliases),
            "key-unknown-0001", "alias/unknown", "alias/", "acs:kms:cn-hangzhou:" + Account + ":alias/guard", "acs:kms:cn-hangzhou:" + Account + ":key/",
            "acs:kms:cn-shanghai:1:key/key-guard-shared", "KEY-GUARD-SHARED", " key-guard-shared ", "key/key-guard-shared", "", "   ",
        ];
    }

    /// <summary>The <paramref name="index"/>th body of the healthy-region batch.</summary>
    public FuzzCase Next(int index)
    {
        var roll = random.Next(100);
        if (roll < 12)
        {
            return Broken();
        }

        if (roll < 22)
        {
            // A top-level array of one to three events, sometimes with one of them broken.
            var count = random.Next(1, 4);
            var events = Enumerable.Range(0, count).Select(n => Mutate(Template(PickName()), out _)).ToList();
            if (random.Next(4) == 0)
            {
                var at = random.Next(count);
                var (name, names) = BreakEnvelope(events[at]);
                return new FuzzCase(Array(events), false, 0, names.Replace("The event", $"Event [{at}]", StringComparison.Ordinal), $"array of {count}, [{at}] {name}");
            }

            return new FuzzCase(Array(events), true, count, null, $"array of {count}");
        }

        var one = Mutate(Template(PickName()), out var how);
        return new FuzzCase(one.ToJsonString(), true, 1, null, how);
    }

    /// <summary>A DisableKey event naming the shared key in some accepted form, mutated where it does not change what it names.</summary>
    public FuzzCase DisableShared(int index)
    {
        var e = Template("DisableKey", Pick(guard.Stack.Emulator.State.GetKey(GuardStack.SharedKey)!.Arn, GuardStack.SharedKey, " " + GuardStack.SharedKey + "\t"));
        var how = new List<string>();
        var data = e["data"]!.AsObject();
        if (Chance(4))
        {
            RenameKeyCase(data, how);
        }

        if (Chance(4) && data["requestParameters"] is JsonObject parameters)
        {
            data["requestParameters"] = parameters.ToJsonString();
            how.Add("parameters as a string");
        }

        if (Chance(3))
        {
            e["time"] = Pick(Times);
            data["eventTime"] = Pick(Times);
            how.Add("odd times");
        }

        if (Chance(3))
        {
            data.Remove("userIdentity");
            how.Add("no identity");
        }

        if (ids.Count > 0 && Chance(3))
        {
            // The same event again (same source and id).
            e["id"] = Pick(ids.ToArray());
            how.Add("repeated id");
        }

        ids.Add(e["id"]!.GetValue<string>());
        if (Chance(5))
        {
            var count = random.Next(2, 4);
            return new FuzzCase(Array([e, .. Enumerable.Range(1, count - 1).Select(_ => Template("DisableKey", GuardStack.SharedKey))]), true, count, null, $"#{index} array: " + string.Join(", ", how));
        }

        return new FuzzCase(e.ToJsonString(), true, 1, null, $"#{index} " + string.Join(", ", how));
    }

    private string PickName() => random.Next(10) < 8 ? Pick(Known) : Pick(Unknown);

    /// <summary>The emulator's own event for a call named <paramref name="name"/>, with parameters that call would carry.</summary>
    private JsonObject Template(string name, string? key = null)
    {
        var cs = name.Equals("UpdateKMSEncryption", StringComparison.OrdinalIgnoreCase) || (name == "DeleteCluster");
        key ??= Pick(keyNames);
        var cluster = Pick(Clusters);
        var parameters = new List<(string, string)>();
        switch (name)
        {
            case "ScheduleKeyDeletion":
                parameters.Add(("KeyId", key));
                parameters.Add(("PendingWindowInDays", Pick("7", "30", "0", "-3", "seven", "2147483648")));
                break;
            case "SetDeletionProtection":
                parameters.Add(("EnableDeletionProtection", Pick("false", "False", "true", "0", "no")));
                parameters.Add(("ProtectedResourceArn", Chance(3) ? key : $"acs:kms:{GuardStack.Region}:{Account}:key/{key}"));
                if (Chance(3))
                {
                    parameters.Add(("KeyId", key));
                }

                break;
            case "UpdateRotationPolicy":
                parameters.Add(("KeyId", key));
                parameters.Add(("EnableAutomaticRotation", Pick("false", "true", "FALSE", "maybe")));
                parameters.Add(("RotationInterval", Pick("31536000s", "0s", "", "-1s")));
                break;
            case "DeleteAlias":
                parameters.Add(("AliasName", Chance(3) ? key : "alias/" + Pick("guard", "prod", "", "key-guard-shared")));
                break;
            default:
                if (cs)
                {
                    parameters.Add(("ClusterId", cluster));
                    parameters.Add(("disable_encryption", Pick("true", "false")));
                    parameters.Add(("kms_key_id", key));
                }
                else
                {
                    parameters.Add(("KeyId", key));
                }

                break;
        }

        var identity = random.Next(6) switch
        {
            0 => new EmulatorIdentity("assumed-role", Pick("ackfc-guard:fc", "someone:session", "ackfc-guard", "ackfc-webhookx:s")),
            1 => new EmulatorIdentity("root-account", "root"),
            _ => EmulatorIdentity.DefaultUser,
        };
        var region = Pick(Regions);
        var built = ActionTrailEvent.Build(new ActionTrailCall
        {
            Product = cs ? Product.Cs : Product.Kms,
            Console = Chance(5),
            EventName = name,
            RegionId = region,
            AccountId = Account,
            Resource = cs ? "cluster/" + cluster : "key/" + key,
            RequestId = Guid.NewGuid().ToString("D").ToUpperInvariant(),
            Time = DateTimeOffset.UtcNow.AddSeconds(-random.Next(0, 86_400)),
            SourceIpAddress = Pick("127.0.0.1", "Internal", "::1", ""),
            UserAgent = Pick("AlibabaCloud (fuzz)", "AliyunConsole", ""),
            EventSource = Pick("kms.cn-hangzhou.aliyuncs.com", "cs.cn-hangzhou.aliyuncs.com"),
            Identity = identity,
            AccessKeyId = Chance(4) ? guard.Stack.Emulator.Credential.AccessKeyId : "LTAI" + random.Next(),
            ErrorCode = Chance(10) ? Pick("Forbidden.KeyNotFound", "Throttling", "InvalidParameter") : "",
            ErrorMessage = "",
            WriteParameters = w =>
            {
                foreach (var (n, v) in parameters)
                {
                    w.WriteString(n, v);
                }
            },
        }, DateTimeOffset.UtcNow);
        var e = JsonNode.Parse(built.Json)!.AsObject();
        if (ids.Count > 0 && Chance(20))
        {
            // A duplicate: an id (and so a source|id pair, mostly) seen before.
            e["id"] = Pick(ids.ToArray());
        }

        ids.Add(e["id"]!.GetValue<string>());
        return e;
    }

    /// <summary>Zero to three changes that keep the envelope valid (type string, data object, an id).</summary>
    private JsonObject Mutate(JsonObject e, out string description)
    {
        var how = new List<string>();
        var data = e["data"]!.AsObject();
        var count = random.Next(0, 4);
        for (var i = 0; i < count; i++)
        {
            switch (random.Next(17))
            {
                case 0:
                    RenameKeyCase(data, how);
                    break;
                case 1:
                    if (data["requestParameters"] is JsonObject p)
                    {
                        data["requestParameters"] = Chance(4) ? p.ToJsonString()[..Math.Max(1, p.ToJsonString().Length / 2)] : p.ToJsonString();
                        how.Add("parameters as a string");
                    }

                    break;
                case 2:
                    data["requestParameters"] = Odd();
                    how.Add("parameters retyped");
                    break;
                case 3:
                    if (data["requestParameters"] is JsonObject q && q.Count > 0)
                    {
                        var name = q.ElementAt(random.Next(q.Count)).Key;
                        q[name] = Odd();
                        how.Add($"parameter {name} retyped");
                    }

                    break;
                case 4:
                    var dropped = Pick("eventName", "acsRegion", "serviceName", "userIdentity", "eventTime", "requestId", "errorCode", "requestParameters", "eventId");
                    data.Remove(dropped);
                    how.Add($"data.{dropped} dropped");
                    break;
                case 5:
                    var retyped = Pick("eventName", "acsRegion", "serviceName", "userIdentity", "eventTime", "errorCode", "sourceIpAddress");
                    data[retyped] = Odd();
                    how.Add($"data.{retyped} retyped");
                    break;
                case 6:
                    var (field, size) = (Pick("userAgent", "eventName", "acsRegion", "requestId"), random.Next(1_000, 200_000));
                    data[field] = new string((char)('a' + random.Next(26)), size);
                    how.Add($"data.{field} of {size} chars");
                    break;
                case 7:
                    if (data["requestParameters"] is JsonObject u && u.Count > 0)
                    {
                        u[u.ElementAt(random.Next(u.Count)).Key] = Pick(Unicode);
                    }

                    data["eventName"] = Chance(4) ? Pick(Unicode) : data["eventName"]?.DeepClone();
                    how.Add("unicode");
                    break;
                case 8:
                    var when = Pick("time", "aliyunpublishtime", "data.eventTime");
                    JsonNode value = Chance(3) ? JsonValue.Create(random.NextInt64(-10, long.MaxValue))! : JsonValue.Create(Pick(Times))!;
                    if (when == "data.eventTime")
                    {
                        data["eventTime"] = value;
                    }
                    else
                    {
                        e[when] = value;
                    }

                    how.Add($"{when} = {value.ToJsonString()}");
                    break;
                case 9:
                    data["errorCode"] = Pick("Forbidden.KeyNotFound", "", "Throttling.User");
                    how.Add("errorCode set");
                    break;
                case 10:
                    var drop = Pick("source", "subject", "time", "aliyunregionid", "aliyunpublishtime", "datacontenttype");
                    e.Remove(drop);
                    how.Add($"{drop} dropped");
                    break;
                case 11:
                    e["type"] = Pick("kms:ActionTrail:ConsoleOperation", "cs:ActionTrail:ApiCall", "ecs:ActionTrail:ApiCall", "KMS:actiontrail:apicall", "x", "kms:");
                    how.Add("type changed");
                    break;
                case 12:
                    e["source"] = Pick("acs.kms", "acs.cs", "acs.ecs", "", "ACS.KMS");
                    e["specversion"] = Chance(2) ? JsonValue.Create(1.0) : JsonValue.Create("0.3");
                    how.Add("source or specversion changed");
                    break;
                case 13:
                    e["id"] = Chance(2) ? JsonValue.Create(random.Next()) : JsonValue.Create(true);
                    data["eventId"] ??= Guid.NewGuid().ToString("D");
                    if (data["eventId"] is not JsonValue { } eventId || eventId.GetValueKind() != JsonValueKind.String)
                    {
                        data["eventId"] = Guid.NewGuid().ToString("D");
                    }

                    how.Add("id retyped");
                    break;
                case 14:
                    data["extra" + random.Next(3)] = Odd();
                    e["aliyun" + random.Next(3)] = Odd();
                    how.Add("extra fields");
                    break;
                case 15:
                    data["acsRegion"] = Pick(Regions);
                    e["aliyunregionid"] = Pick(Regions);
                    how.Add("regions changed");
                    break;
                default:
                    if (data["requestParameters"] is JsonObject r)
                    {
                        r["KeyId"] = Pick(keyNames);
                        r["ClusterId"] = Pick(Clusters);
                    }

                    how.Add("named resource changed");
                    break;
            }
        }

        // An id must remain (the envelope's or the record's): the mutations above never remove both.
        if (!IsId(e["id"]) && !IsId(data["eventId"]))
        {
            e["id"] = Guid.NewGuid().ToString("D");
        }

        description = how.Count == 0 ? "as emitted" : string.Join(", ", how);
        return e;
    }

    /// <summary>A body that is no valid envelope, and what the answer must name.</summary>
    private FuzzCase Broken()
    {
        var kind = random.Next(13);
        switch (kind)
        {
            case 0:
                var whole = Mutate(Template(PickName()), out _).ToJsonString();
                var cut = whole[..random.Next(1, whole.Length - 1)];
                return new FuzzCase(cut, false, 0, "JSON", "truncated");
            case 1:
                return new FuzzCase(Pick("", " ", "{", "[", "}{", "{\"specversion\":", "not json at all", "\u0000", "[1,", "{\"specversion\":\"1.0\"} trailing"), false, 0,
                    "JSON", "not JSON");
            case 2:
                // JSON, but neither a CloudEvent nor a top-level array: the timer's, which wants triggerTime.
                return new FuzzCase(Pick("{}", "{\"id\":\"x\",\"type\":\"kms:ActionTrail:ApiCall\",\"data\":{}}", "{\"triggerTime\":12}", "{\"triggerTime\":\"soon\"}",
                    "{\"payload\":\"x\"}", "{\"SpecVersion\":\"1.0\"}", "{\"data\":{\"specversion\":\"1.0\"}}"), false, 0, "timer", "no specversion");
            case 3:
                return new FuzzCase(Pick("42", "\"DisableKey\"", "true", "null", "-0.5e3"), false, 0, "timer", "a JSON scalar");
            case 4:
                return new FuzzCase("[]", false, 0, "empty array", "empty array");
            case 5:
                var many = Enumerable.Range(0, GuardEventParserLimit + 1 + random.Next(5)).Select(_ => Template("DisableKey")).ToList();
                return new FuzzCase(Array(many), false, 0, $"at most {GuardEventParserLimit}", "too many events");
            case 6:
                var deep = Template(PickName());
                var depth = random.Next(33, 60);
                deep["data"]!["requestParameters"] = JsonNode.Parse(new string('[', depth) + new string(']', depth));
                return new FuzzCase(deep.ToJsonString(), false, 0, "JSON", $"nested {depth} deep");
            case 7:
                var huge = Template(PickName());
                huge["data"]!["userAgent"] = new string('x', 1024 * 1024 + random.Next(1, 4096));
                return new FuzzCase(huge.ToJsonString(), false, 0, "larger than", "over 1 MiB");
            case 8:
                return new FuzzCase(Pick("[42]", "[null]", "[\"x\"]", "[[]]"), false, 0, "Event [0]", "array of a non-object");
            default:
                var e = Mutate(Template(PickName()), out var how);
                var (name, names) = BreakEnvelope(e);
                return new FuzzCase(e.ToJsonString(), false, 0, names, name + (how.Length > 0 ? ", " + how : string.Empty));
        }
    }

    private const int GuardEventParserLimit = 100;

    /// <summary>Breaks one of the three things an envelope must have; the name of the break and what the answer must name.</summary>
    private (string Name, string Names) BreakEnvelope(JsonObject e)
    {
        var data = e["data"] as JsonObject;
        switch (random.Next(3))
        {
            case 0:
                if (Chance(2))
                {
                    e.Remove("type");
                }
                else
                {
                    e["type"] = Pick<JsonNode?>(JsonValue.Create(""), JsonValue.Create(3), null, new JsonArray("kms:ActionTrail:ApiCall"));
                }

                return ("no type", "The event has no 'type' string");
            case 1:
                if (Chance(2))
                {
                    e.Remove("data");
                }
                else
                {
                    e["data"] = Pick<JsonNode?>(JsonValue.Create("{}"), JsonValue.Create(0), null, new JsonArray(new JsonObject()));
                }

                return ("no data", "The event has no 'data' object");
            default:
                e.Remove("id");
                if (data is not null)
                {
                    if (Chance(2))
                    {
                        data.Remove("eventId");
                    }
                    else
                    {
                        data["eventId"] = Pick<JsonNode?>(JsonValue.Create(""), null, JsonValue.Create(false), new JsonObject());
                    }
                }

                if (Chance(3))
                {
                    e["id"] = "";
                }

                return ("no id", "The event has neither an 'id' nor a 'data.eventId'");
        }
    }

    private void RenameKeyCase(JsonObject data, List<string> how)
    {
        if (data["requestParameters"] is JsonObject p)
        {
            var renamed = new JsonObject();
            foreach (var (name, value) in p.ToList())
            {
                var spelled = random.Next(3) switch { 0 => name.ToLowerInvariant(), 1 => name.ToUpperInvariant(), _ => name };
                if (!renamed.ContainsKey(spelled))
                {
                    renamed[spelled] = value?.DeepClone();
                }
            }

            data["requestParameters"] = renamed;
            how.Add("parameter names re-cased");
        }

        if (Chance(4) && data.TryGetPropertyValue("requestParameters", out var moved))
        {
            data.Remove("requestParameters");
            data["RequestParameters"] = moved;
            how.Add("requestParameters re-cased");
        }
    }

    /// <summary>What the parser takes as an id: a non-empty string or a number.</summary>
    private static bool IsId(JsonNode? node) => node is JsonValue v && v.GetValueKind() switch
    {
        JsonValueKind.String => v.GetValue<string>().Length > 0,
        JsonValueKind.Number => true,
        _ => false,
    };

    /// <summary>A value of a surprising JSON type.</summary>
    private JsonNode? Odd() => random.Next(9) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(-1000, 1000)),
        2 => JsonValue.Create(random.NextDouble() * 1e300),
        3 => JsonValue.Create(Chance(2)),
        4 => new JsonArray(JsonValue.Create("key-guard-shared"), null, JsonValue.Create(1)),
        5 => new JsonObject { ["KeyId"] = GuardStack.SharedKey, ["nested"] = new JsonObject { ["x"] = 1 } },
        6 => JsonValue.Create(Pick(Unicode)),
        7 => JsonValue.Create(""),
        _ => JsonValue.Create(Pick(keyNames)),
    };

    private static string Array(IEnumerable<JsonObject> events) => new JsonArray([.. events.Select(e => (JsonNode)e.DeepClone())]).ToJsonString();

    private bool Chance(int oneIn) => random.Next(oneIn) == 0;

    private T Pick<T>(params T[] values) => values[random.Next(values.Length)];

    private string Pick(params string[] values) => values[random.Next(values.Length)];
}
