using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace AckFc.Local.Emulator;

/// <summary>
/// The test-only admin surface under <c>/_emulator/</c>: unsigned, answered only to loopback callers, and apart
/// from the emulated APIs so no SDK can reach it by accident. A thin layer over <see cref="EmulatorState"/>.
/// </summary>
internal sealed class AdminApi(EmulatorState state)
{
    public const string Prefix = "/_emulator/";

    internal static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    public async Task HandleAsync(HttpContext context)
    {
        var remote = context.Connection.RemoteIpAddress;
        if (remote is not null && !IPAddress.IsLoopback(remote))
        {
            await WriteAsync(context, 403, new { error = "The admin surface answers loopback callers only." }).ConfigureAwait(false);
            return;
        }

        var path = context.Request.Path.Value ?? "";
        var parts = path[(Prefix.Length - 1)..].Split('/', StringSplitOptions.RemoveEmptyEntries).Select(Uri.UnescapeDataString).ToArray();
        var method = context.Request.Method;
        try
        {
            object? result = (method, parts) switch
            {
                ("GET", ["state"]) => new { accountId = state.AccountId, regions = state.Regions, clusters = state.GetClusters(), keys = state.GetKeys() },
                ("GET", ["calls"]) => new { calls = state.GetCalls(), counters = state.GetCounters() },
                ("GET", ["accounts"]) => new { resourceDirectoryId = state.ResourceDirectoryId, accounts = state.GetAccounts() },
                ("DELETE", ["sessions"]) => Do(state.RevokeSessions),
                ("PUT", ["accounts", var id, "faults"]) => await PutAccountFaultsAsync(context, id).ConfigureAwait(false),
                ("POST", ["accounts", var id, "clusters"]) => await AddAsync<ClusterDefinition>(context, c => state.AddClusters(c, id)).ConfigureAwait(false),
                ("POST", ["accounts", var id, "keys"]) => await AddAsync<KeyDefinition>(context, k => state.AddKeys(k, id)).ConfigureAwait(false),
                ("POST", ["reset"]) => Do(state.Reset),
                ("POST", ["fleet", "reset"]) => Do(state.ResetFleet),
                ("GET", ["settings"]) => Settings(),
                ("PUT", ["settings"]) => await PutSettingsAsync(context).ConfigureAwait(false),
                ("GET", ["faults"]) => state.Faults.Snapshot(),
                ("PUT", ["faults"]) => await PutFaultsAsync(context).ConfigureAwait(false),
                ("PUT", ["faults", var action]) => await PutFaultAsync(context, action).ConfigureAwait(false),
                ("DELETE", ["faults"]) => Do(state.Faults.Clear),
                ("DELETE", ["faults", var action]) => Do(() => state.Faults.Remove(action)),
                ("GET", ["clusters", var id]) => state.GetCluster(id) ?? throw new KeyNotFoundException($"Cluster '{id}' does not exist in the emulated fleet."),
                ("POST", ["clusters"]) => await AddAsync<ClusterDefinition>(context, state.AddClusters).ConfigureAwait(false),
                ("DELETE", ["clusters", var id]) => ClusterChange(context, id, "DeleteCluster", () => state.DeleteCluster(id)),
                ("PUT", ["clusters", var id, "state"]) => ClusterChange(context, id, "SetClusterState", () => state.SetClusterState(id, Query(context, "value")), ("state", Query(context, "value"))),
                ("PUT", ["secrets", var region, var name]) => new { versionId = state.PutSecret(region, name, await ReadTextAsync(context).ConfigureAwait(false)) },
                ("DELETE", ["secrets", var region, var name]) => state.DeleteSecret(region, name) ? new { deleted = name } : throw new KeyNotFoundException($"Secret '{name}' does not exist in {region}."),
                ("GET", ["keys", var id]) => state.GetKey(id) ?? throw new KeyNotFoundException($"Key '{id}' does not exist in the emulated fleet."),
                ("POST", ["keys"]) => await AddAsync<KeyDefinition>(context, state.AddKeys).ConfigureAwait(false),
                ("DELETE", ["keys", var id]) => KeyChange(context, id, "DeleteKey", () => state.DeleteKey(id)),
                ("POST", ["keys", var id, "disable"]) => KeyChange(context, id, "DisableKey", () => state.DisableKey(id)),
                ("POST", ["keys", var id, "enable"]) => KeyChange(context, id, "EnableKey", () => state.EnableKey(id)),
                ("POST", ["keys", var id, "cancel-deletion"]) => KeyChange(context, id, "CancelKeyDeletion", () => state.CancelKeyDeletion(id)),
                ("POST", ["keys", var id, "schedule-deletion"]) => ScheduleDeletion(context, id, int.Parse(Query(context, "days"), NumberStyles.Integer, CultureInfo.InvariantCulture)),
                ("POST", ["keys", var id, "deletion-protection"]) => DeletionProtection(context, id, bool.Parse(Query(context, "enabled")), context.Request.Query["description"].ToString()),
                ("GET", ["events"]) => Events(),
                ("GET", ["notifications"]) => new { received = state.Notifications.Received, messages = state.Notifications.GetMessages().Select(m => new { m.ReceivedAt, m.ContentType, body = (object?)m.Json ?? m.Body }) },
                ("POST", ["notifications"]) => await ReceiveNotificationAsync(context).ConfigureAwait(false),
                _ => throw new KeyNotFoundException($"No admin endpoint {method} {path}. See docs/emulator.md."),
            };
            await WriteAsync(context, 200, result).ConfigureAwait(false);
        }
        catch (KeyNotFoundException ex)
        {
            await WriteAsync(context, 404, new { error = ex.Message }).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or JsonException or FleetFileException)
        {
            await WriteAsync(context, 400, new { error = ex.Message }).ConfigureAwait(false);
        }
    }

    private async Task<object> ReceiveNotificationAsync(HttpContext context)
    {
        var body = await ReadTextAsync(context).ConfigureAwait(false);
        state.Notifications.Add(new InboxMessage(state.Time.GetUtcNow(), context.Request.ContentType ?? string.Empty, body));
        return new { ok = true };
    }

    private object Events() => new
    {
        sinks = state.Events.Sinks.Select(s => s.ToString()),
        delayMilliseconds = state.Events.Delay.TotalMilliseconds,
        duplicateRate = state.Events.DuplicateRate,
        delivered = state.Events.Delivered,
        failed = state.Events.Failed,
        events = state.Events.GetEmitted().Select(e => JsonSerializer.Deserialize<JsonElement>(e.Json)),
        deliveries = state.Events.GetDeliveries(),
    };

    // Changes on the admin surface are console operations of an operator: they emit events as the API calls do.
    private object KeyChange(HttpContext context, string id, string eventName, Action change, params (string Name, string Value)[] parameters)
    {
        var key = state.GetKey(id) ?? throw new KeyNotFoundException($"Key '{id}' does not exist in the emulated fleet.");
        change();
        var named = eventName == "SetDeletionProtection" ? parameters : [("KeyId", key.KeyId), .. parameters];
        EmitConsole(context, Product.Kms, eventName, key.RegionId, "key/" + key.KeyId, named);
        return new { ok = true };
    }

    private object ScheduleDeletion(HttpContext context, string id, int days) =>
        KeyChange(context, id, "ScheduleKeyDeletion", () => state.ScheduleKeyDeletion(id, days),
            ("PendingWindowInDays", days.ToString(CultureInfo.InvariantCulture)));

    private object DeletionProtection(HttpContext context, string id, bool enabled, string description) =>
        KeyChange(context, id, "SetDeletionProtection", () => state.SetDeletionProtection(id, enabled, description),
            ("ProtectedResourceArn", state.GetKey(id)?.Arn ?? id), ("EnableDeletionProtection", enabled ? "true" : "false"));

    private object ClusterChange(HttpContext context, string id, string eventName, Action change, params (string Name, string Value)[] parameters)
    {
        var cluster = state.GetCluster(id) ?? throw new KeyNotFoundException($"Cluster '{id}' does not exist in the emulated fleet.");
        change();
        EmitConsole(context, Product.Cs, eventName, cluster.RegionId, "cluster/" + cluster.ClusterId, [("ClusterId", cluster.ClusterId), .. parameters]);
        return new { ok = true };
    }

    private void EmitConsole(HttpContext context, Product product, string eventName, string regionId, string resource, (string Name, string Value)[] parameters) =>
        state.Events.Emit(ActionTrailEvent.Build(
            WriteCallEvents.ForConsole(state, context, product, eventName, regionId, resource, w =>
            {
                foreach (var (name, value) in parameters)
                {
                    w.WriteString(name, value);
                }
            }),
            state.Time.GetUtcNow()));

    private static object Do(Action action)
    {
        action();
        return new { ok = true };
    }

    private static object Do(Func<bool> action) => new { ok = action() };

    private object Settings() => new
    {
        updatingSeconds = state.UpdatingDuration.TotalSeconds,
        coolDownSeconds = state.CoolDown.TotalSeconds,
    };

    private async Task<object> PutSettingsAsync(HttpContext context)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        foreach (var property in doc.RootElement.EnumerateObject())
        {
            switch (property.Name)
            {
                case "updatingSeconds": state.UpdatingDuration = TimeSpan.FromSeconds(property.Value.GetDouble()); break;
                case "coolDownSeconds": state.CoolDown = TimeSpan.FromSeconds(property.Value.GetDouble()); break;
                default: throw new ArgumentException($"Unknown setting '{property.Name}': use updatingSeconds or coolDownSeconds.");
            }
        }

        return Settings();
    }

    private async Task<object> PutAccountFaultsAsync(HttpContext context, string accountId)
    {
        var faults = await JsonSerializer.DeserializeAsync<AccountFaults>(context.Request.Body, JsonOptions, context.RequestAborted).ConfigureAwait(false)
            ?? throw new ArgumentException("The body must be {\"assumeRoleThrottles\": N, \"apiThrottles\": N}.");
        state.SetAccountFaults(accountId, faults);
        return new { ok = true };
    }

    private async Task<object> PutFaultsAsync(HttpContext context)
    {
        var profiles = await JsonSerializer.DeserializeAsync<Dictionary<string, FaultProfile>>(context.Request.Body, JsonOptions, context.RequestAborted).ConfigureAwait(false)
            ?? throw new ArgumentException("The body must be a JSON object: {\"*\": {…}, \"DescribeKey\": {…}}.");
        state.Faults.SetAll(profiles);
        return state.Faults.Snapshot();
    }

    private async Task<object> PutFaultAsync(HttpContext context, string action)
    {
        var profile = await JsonSerializer.DeserializeAsync<FaultProfile>(context.Request.Body, JsonOptions, context.RequestAborted).ConfigureAwait(false)
            ?? throw new ArgumentException("The body must be a fault profile object.");
        state.Faults.Set(action, profile);
        return state.Faults.Snapshot();
    }

    private static async Task<string> ReadTextAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted).ConfigureAwait(false);
        return text.Length > 0 ? text : throw new ArgumentException("The body is the secret's text; it is empty.");
    }

    private static async Task<object> AddAsync<T>(HttpContext context, Action<IEnumerable<T>> add)
    {
        using var doc = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        var items = doc.RootElement.ValueKind == JsonValueKind.Array
            ? doc.RootElement.Deserialize<List<T>>(JsonOptions) ?? []
            : [doc.RootElement.Deserialize<T>(JsonOptions)!];
        add(items);
        return new { ok = true, added = items.Count };
    }

    private static string Query(HttpContext context, string name) =>
        context.Request.Query[name].ToString() is { Length: > 0 } value
            ? value
            : throw new ArgumentException($"The query parameter '{name}' is required.");

    private static async Task WriteAsync(HttpContext context, int status, object? body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await JsonSerializer.SerializeAsync(context.Response.Body, body, body?.GetType() ?? typeof(object), JsonOptions, context.RequestAborted).ConfigureAwait(false);
    }
}
