using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;

namespace AckFc.Local.Emulator;

/// <summary>A cluster as tests see it, including what ACK itself would not show (pending change, cool-down, harm).</summary>
/// <param name="ClusterId">The id.</param>
/// <param name="Name">The name.</param>
/// <param name="RegionId">The region.</param>
/// <param name="State">The state ACK reports now (<c>unavailable</c> when its key can no longer decrypt Secrets).</param>
/// <param name="ClusterType">The type.</param>
/// <param name="ClusterSpec">The spec.</param>
/// <param name="Profile">The profile.</param>
/// <param name="CurrentVersion">The Kubernetes version.</param>
/// <param name="Tags">The tags.</param>
/// <param name="EncryptionKeyId"><c>Capabilities.EncryptionKMSKeyId</c>.</param>
/// <param name="EncryptionDisabled"><c>Capabilities.DisableEncryption</c>.</param>
/// <param name="SecretsReadable">False when encryption is on and its key is missing or not <c>Enabled</c>.</param>
/// <param name="SecretsProblem">Why Secrets cannot be read; null when they can.</param>
/// <param name="MetaData">The <c>meta_data</c> JSON string ACK returns.</param>
/// <param name="Created">Creation time.</param>
/// <param name="Updated">Last change.</param>
/// <param name="UpdatingUntil">When a running encryption change completes.</param>
/// <param name="CoolDownUntil">Until when another encryption change answers 409.</param>
public sealed record ClusterSnapshot(
    string ClusterId,
    string Name,
    string RegionId,
    string State,
    string ClusterType,
    string ClusterSpec,
    string Profile,
    string CurrentVersion,
    IReadOnlyDictionary<string, string> Tags,
    string? EncryptionKeyId,
    bool EncryptionDisabled,
    bool SecretsReadable,
    string? SecretsProblem,
    string MetaData,
    DateTimeOffset Created,
    DateTimeOffset Updated,
    DateTimeOffset? UpdatingUntil,
    DateTimeOffset? CoolDownUntil)
{
    /// <summary>The account that owns the cluster.</summary>
    public string AccountId { get; init; } = "";
}

/// <summary>A key with every <c>KeyMetadata</c> field, its aliases and its creator type.</summary>
public sealed record KeySnapshot(
    string KeyId,
    string RegionId,
    string Arn,
    string KeyState,
    string KeySpec,
    string KeyUsage,
    string Origin,
    string ProtectionLevel,
    string CreatorType,
    string Creator,
    string Description,
    DateTimeOffset CreationDate,
    DateTimeOffset? DeleteDate,
    bool DeletionProtection,
    string? DeletionProtectionDescription,
    string AutomaticRotation,
    string? RotationInterval,
    DateTimeOffset? LastRotationDate,
    DateTimeOffset? NextRotationDate,
    string PrimaryKeyVersion,
    DateTimeOffset? MaterialExpireTime,
    string? DkmsInstanceId,
    IReadOnlyList<string> Aliases,
    IReadOnlyDictionary<string, string> Tags)
{
    /// <summary>The account that owns the key.</summary>
    public string AccountId { get; init; } = "";
}

/// <summary>An account of the emulated resource directory, as tests see it.</summary>
/// <param name="AccountId">The id.</param>
/// <param name="DisplayName">The name <c>ListAccounts</c> reports.</param>
/// <param name="Status"><c>CreateSuccess</c>, <c>InviteSuccess</c>, … .</param>
/// <param name="FolderId">The folder.</param>
/// <param name="IsManagement">True for the management account (the top level of the fleet).</param>
/// <param name="RoleArn">The member role the management account may assume; null when it lacks one.</param>
/// <param name="Clusters">How many clusters it holds.</param>
/// <param name="Keys">How many live keys it holds.</param>
/// <param name="AssumeRoleCalls">AssumeRole calls for its role in the call log (answered or refused).</param>
/// <param name="ActiveSessions">STS credentials issued for it that have not expired.</param>
public sealed record AccountSnapshot(
    string AccountId,
    string DisplayName,
    string Status,
    string FolderId,
    bool IsManagement,
    string? RoleArn,
    int Clusters,
    int Keys,
    int AssumeRoleCalls,
    int ActiveSessions);

/// <summary>Temporary credentials AssumeRole issued: they open one member account's resources until they expire.</summary>
internal sealed record StsSession(
    string AccessKeyId, string AccessKeySecret, string SecurityToken, string AccountId, string RoleName, string SessionName, DateTimeOffset Expiration);

/// <summary>One answered request of the emulated APIs.</summary>
/// <param name="Time">When it was answered (emulator clock).</param>
/// <param name="Product"><c>CS</c> or <c>KMS</c>.</param>
/// <param name="Action">The API action (<c>DescribeKey</c>), or the path when none matched.</param>
/// <param name="RegionId">The region the request addressed, when one could be told.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">The raw request target (path and query).</param>
/// <param name="Status">HTTP status answered (0 when the connection was dropped).</param>
/// <param name="ErrorCode">The error code of a failed answer.</param>
/// <param name="RequestId">The request id answered.</param>
/// <param name="AccessKeyId">The access key id the request was signed with, once its signature verified.</param>
/// <param name="AccountId">
/// The account the call was about: the caller's account for CS and KMS, the role's account for AssumeRole.
/// </param>
public sealed record CallRecord(
    DateTimeOffset Time,
    string Product,
    string Action,
    string? RegionId,
    string Method,
    string Path,
    int Status,
    string? ErrorCode,
    string RequestId,
    string? AccessKeyId = null,
    string? AccountId = null);

/// <summary>
/// Everything an emulated region holds: the fleet, the call log and counters, the faults and the behaviour
/// settings. Tests read and change it directly; the admin HTTP surface is a thin layer over it.
/// </summary>
public sealed class EmulatorState
{
    private readonly FleetDefinition _definition;
    private readonly string _source;
    private readonly ConcurrentQueue<CallRecord> _calls = new();
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly int _callLogCapacity;
    private readonly List<EmulatedCluster> _clusterList = [];
    private readonly Dictionary<string, EmulatedCluster> _clusters = new(StringComparer.Ordinal);
    private readonly List<EmulatedKey> _keyList = [];
    private readonly Dictionary<string, EmulatedKey> _keys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, EmulatedKey> _aliases = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Region, string Name), SecretDefinition> _secrets = [];
    private readonly List<EmulatedAccount> _accounts = [];
    private readonly ConcurrentDictionary<string, StsSession> _sessions = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _assumeRoleAttempts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _apiAttempts = new(StringComparer.Ordinal);
    private List<string> _regions = [];
    private long _updatingTicks;
    private long _coolDownTicks;

    internal EmulatorState(FleetDefinition fleet, string source, EmulatorOptions options, EmulatorEvents events)
    {
        Events = events;
        _definition = fleet;
        _source = source;
        Time = options.TimeProvider;
        _callLogCapacity = options.CallLogCapacity;
        UpdatingDuration = options.UpdatingDuration;
        CoolDown = options.CoolDown;
        Faults = new FaultSettings(options.Seed);
        Nonces = new NonceCache(options.TimeProvider);
        Load(FleetLoader.Compile(fleet, Time.GetUtcNow(), source));
        LoadSecrets();
    }

    /// <summary>The emulator's clock.</summary>
    public TimeProvider Time { get; }

    /// <summary>The ActionTrail events emitted for write calls, their sinks and deliveries.</summary>
    public EmulatorEvents Events { get; }

    /// <summary>The faults in force; change them at any time.</summary>
    public FaultSettings Faults { get; }

    /// <summary>The notifications local hosts posted to <c>/_emulator/notifications</c>.</summary>
    public NotificationInbox Notifications { get; } = new();

    /// <summary>How long <c>UpdateKMSEncryption</c> keeps a cluster <c>updating</c> (applies to later calls).</summary>
    public TimeSpan UpdatingDuration
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _updatingTicks));
        set => Interlocked.Exchange(ref _updatingTicks, value >= TimeSpan.Zero ? value.Ticks : throw new ArgumentOutOfRangeException(nameof(value), "UpdatingDuration must not be negative."));
    }

    /// <summary>The cool-down after a completed change (applies from now on).</summary>
    public TimeSpan CoolDown
    {
        get => TimeSpan.FromTicks(Interlocked.Read(ref _coolDownTicks));
        set => Interlocked.Exchange(ref _coolDownTicks, value >= TimeSpan.Zero ? value.Ticks : throw new ArgumentOutOfRangeException(nameof(value), "CoolDown must not be negative."));
    }

    /// <summary>The management account's id (the top level of the fleet).</summary>
    public string AccountId { get; private set; } = "";

    /// <summary>The resource directory id ListAccounts reports.</summary>
    public string ResourceDirectoryId { get; private set; } = "";

    /// <summary>Every account, the management account first, with its AssumeRole count from the call log.</summary>
    public IReadOnlyList<AccountSnapshot> GetAccounts()
    {
        var calls = GetCalls().Where(c => c.Action == "AssumeRole" && c.AccountId is not null)
            .GroupBy(c => c.AccountId!, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Count(), StringComparer.Ordinal);
        lock (Gate)
        {
            var now = Time.GetUtcNow();
            var live = LiveKeys(now).ToList();
            return
            [
                .. _accounts.Select(a => new AccountSnapshot(
                    a.AccountId, a.DisplayName, a.Status, a.FolderId, a.IsManagement, a.RoleArn,
                    _clusterList.Count(c => c.AccountId == a.AccountId), live.Count(k => k.AccountId == a.AccountId),
                    calls.GetValueOrDefault(a.AccountId), _sessions.Values.Count(x => x.AccountId == a.AccountId && x.Expiration > now))),
            ];
        }
    }

    /// <summary>
    /// Replaces a member's faults (a running test can make a member throttle); counting starts again from zero.
    /// </summary>
    public void SetAccountFaults(string accountId, AccountFaults faults)
    {
        ArgumentNullException.ThrowIfNull(faults);
        if (faults.AssumeRoleThrottles < -1 || faults.ApiThrottles < -1)
        {
            throw new ArgumentException("assumeRoleThrottles and apiThrottles must be -1 (always) or a count from 0.", nameof(faults));
        }

        lock (Gate)
        {
            var account = FindAccount(accountId) is { IsManagement: false } found
                ? found
                : throw new KeyNotFoundException($"Account '{accountId}' is not a member of the emulated resource directory.");
            account.AssumeRoleThrottles = faults.AssumeRoleThrottles;
            account.ApiThrottles = faults.ApiThrottles;
            _assumeRoleAttempts.Remove(accountId);
            _apiAttempts.Remove(accountId);
        }
    }

    /// <summary>How many AssumeRole calls for <paramref name="accountId"/>'s role the call log holds.</summary>
    public int AssumeRoleCount(string accountId) =>
        GetCalls().Count(c => c.Action == "AssumeRole" && c.AccountId == accountId);

    /// <summary>The regions served.</summary>
    public IReadOnlyList<string> Regions
    {
        get
        {
            lock (Gate)
            {
                return [.. _regions];
            }
        }
    }

    internal Lock Gate { get; } = new();

    internal NonceCache Nonces { get; }

    // ---- call log ------------------------------------------------------------------------------------------

    /// <summary>The answered calls, oldest first (at most the configured capacity).</summary>
    public IReadOnlyList<CallRecord> GetCalls() => [.. _calls];

    /// <summary>Calls per action since the start or the last reset.</summary>
    public IReadOnlyDictionary<string, long> GetCounters() => new SortedDictionary<string, long>(_counters, StringComparer.Ordinal);

    /// <summary>How many calls of <paramref name="action"/> were answered.</summary>
    public long CountOf(string action) => _counters.TryGetValue(action, out var n) ? n : 0;

    /// <summary>Forgets calls and counters.</summary>
    public void ResetCalls()
    {
        _calls.Clear();
        _counters.Clear();
    }

    /// <summary>Forgets every STS credential issued so far: requests signed with them fail from now on.</summary>
    public void RevokeSessions() => _sessions.Clear();

    /// <summary>Forgets calls, counters, recorded events, faults and seen nonces; the fleet stays as it is.</summary>
    public void Reset()
    {
        ResetCalls();
        Events.Clear();
        Faults.Clear();
        Nonces.Clear();
        lock (Gate)
        {
            _assumeRoleAttempts.Clear();
            _apiAttempts.Clear();
        }
    }

    internal void Record(CallRecord call)
    {
        _calls.Enqueue(call);
        while (_calls.Count > _callLogCapacity && _calls.TryDequeue(out _))
        {
        }

        _counters.AddOrUpdate(call.Action, 1, (_, n) => n + 1);
    }

    // ---- fleet: reading --------------------------------------------------------------------------------------

    /// <summary>Every cluster, in fleet order.</summary>
    public IReadOnlyList<ClusterSnapshot> GetClusters()
    {
        lock (Gate)
        {
            var now = Time.GetUtcNow();
            return [.. _clusterList.Select(c => SnapshotOf(c, now))];
        }
    }

    /// <summary>One cluster, or null.</summary>
    public ClusterSnapshot? GetCluster(string clusterId)
    {
        lock (Gate)
        {
            return _clusters.TryGetValue(clusterId, out var c) ? SnapshotOf(c, Time.GetUtcNow()) : null;
        }
    }

    /// <summary>Every key that still exists, in fleet order.</summary>
    public IReadOnlyList<KeySnapshot> GetKeys()
    {
        lock (Gate)
        {
            var now = Time.GetUtcNow();
            return [.. LiveKeys(now).Select(SnapshotOf)];
        }
    }

    /// <summary>One key by id or <c>alias/…</c>, or null when it does not exist (any region).</summary>
    public KeySnapshot? GetKey(string keyIdOrAlias)
    {
        lock (Gate)
        {
            var key = FindKey(keyIdOrAlias, Time.GetUtcNow());
            return key is null ? null : SnapshotOf(key);
        }
    }

    // ---- fleet: changes (no API rules: tests may put the fleet in any state) ----------------------------------

    /// <summary>Sets a key <c>Disabled</c>, as a careless operator would.</summary>
    public void DisableKey(string keyIdOrAlias) => WithKey(keyIdOrAlias, k => k.KeyState = "Disabled");

    /// <summary>Sets a key <c>Enabled</c> (and cancels a scheduled deletion).</summary>
    public void EnableKey(string keyIdOrAlias) => WithKey(keyIdOrAlias, k =>
    {
        k.KeyState = "Enabled";
        k.DeleteDate = null;
    });

    /// <summary>Schedules deletion <paramref name="pendingWindowInDays"/> days from now (any number, for tests).</summary>
    public void ScheduleKeyDeletion(string keyIdOrAlias, int pendingWindowInDays) => WithKey(keyIdOrAlias, k =>
    {
        k.KeyState = "PendingDeletion";
        k.DeleteDate = TruncateToSecond(Time.GetUtcNow().AddDays(pendingWindowInDays));
    });

    /// <summary>Cancels a scheduled deletion: the key is <c>Enabled</c> again.</summary>
    public void CancelKeyDeletion(string keyIdOrAlias) => EnableKey(keyIdOrAlias);

    /// <summary>Turns deletion protection on or off.</summary>
    public void SetDeletionProtection(string keyIdOrAlias, bool enabled, string? description = null) => WithKey(keyIdOrAlias, k =>
    {
        k.DeletionProtection = enabled;
        k.DeletionProtectionDescription = enabled ? description : null;
    });

    /// <summary>Deletes a key at once (its aliases go with it); clusters that used it keep its id.</summary>
    public void DeleteKey(string keyIdOrAlias)
    {
        lock (Gate)
        {
            var key = FindKey(keyIdOrAlias, Time.GetUtcNow()) ?? throw KeyMissing(keyIdOrAlias);
            RemoveKey(key);
        }
    }

    /// <summary>Adds keys; ids and aliases must be new. Throws <see cref="FleetFileException"/> otherwise.</summary>
    public void AddKeys(IEnumerable<KeyDefinition> keys) => AddKeys(keys, null);

    /// <summary>
    /// Adds keys to an account (the management account when null); ids and aliases must be new across every account.
    /// </summary>
    public void AddKeys(IEnumerable<KeyDefinition> keys, string? accountId)
    {
        ArgumentNullException.ThrowIfNull(keys);
        lock (Gate)
        {
            var compiled = CompileAddition([], [.. keys], accountId);
            foreach (var key in compiled.Keys)
            {
                _keyList.Add(key);
                _keys[key.KeyId] = key;
                foreach (var alias in key.Aliases)
                {
                    _aliases[alias] = key;
                }
            }
        }
    }

    /// <summary>Adds clusters; ids must be new and regions served. Throws <see cref="FleetFileException"/> otherwise.</summary>
    public void AddClusters(IEnumerable<ClusterDefinition> clusters) => AddClusters(clusters, null);

    /// <summary>Adds clusters to an account (the management account when null); ids must be new across every account.</summary>
    public void AddClusters(IEnumerable<ClusterDefinition> clusters, string? accountId)
    {
        ArgumentNullException.ThrowIfNull(clusters);
        lock (Gate)
        {
            foreach (var cluster in CompileAddition([.. clusters], [], accountId).Clusters)
            {
                _clusterList.Add(cluster);
                _clusters[cluster.ClusterId] = cluster;
            }
        }
    }

    /// <summary>Removes a cluster, as if it had been deleted.</summary>
    public void DeleteCluster(string clusterId)
    {
        lock (Gate)
        {
            if (!_clusters.Remove(clusterId, out var cluster))
            {
                throw new KeyNotFoundException($"Cluster '{clusterId}' does not exist in the emulated fleet.");
            }

            _clusterList.Remove(cluster);
        }
    }

    /// <summary>Forces a cluster state (e.g. <c>failed</c>); a running encryption change is abandoned.</summary>
    public void SetClusterState(string clusterId, string state)
    {
        if (!FleetLoader.ClusterStates.Contains(state, StringComparer.Ordinal))
        {
            throw new ArgumentException($"'{state}' is not an ACK cluster state ({string.Join(", ", FleetLoader.ClusterStates)}).", nameof(state));
        }

        lock (Gate)
        {
            if (!_clusters.TryGetValue(clusterId, out var cluster))
            {
                throw new KeyNotFoundException($"Cluster '{clusterId}' does not exist in the emulated fleet.");
            }

            cluster.UpdatingUntil = null;
            cluster.State = state;
        }
    }

    /// <summary>Puts the fleet back as it was loaded (relative dates are computed again from now).</summary>
    public void ResetFleet()
    {
        lock (Gate)
        {
            Load(FleetLoader.Compile(_definition, Time.GetUtcNow(), _source));
            LoadSecrets();
            _assumeRoleAttempts.Clear();
            _apiAttempts.Clear();
        }
    }

    /// <summary>
    /// Creates or replaces the current version of a secret (a rotation): <c>GetSecretValue</c> answers the new value and
    /// version id from now on. Returns the version id.
    /// </summary>
    public string PutSecret(string regionId, string secretName, string secretData)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(regionId);
        ArgumentException.ThrowIfNullOrWhiteSpace(secretName);
        ArgumentException.ThrowIfNullOrEmpty(secretData);
        lock (Gate)
        {
            var version = "v" + Guid.NewGuid().ToString("N")[..12];
            _secrets[(regionId, secretName)] = new SecretDefinition { RegionId = regionId, SecretName = secretName, SecretData = secretData, VersionId = version };
            return version;
        }
    }

    /// <summary>Deletes a secret; false when there was none.</summary>
    public bool DeleteSecret(string regionId, string secretName)
    {
        lock (Gate)
        {
            return _secrets.Remove((regionId, secretName));
        }
    }

    /// <summary>The secret's current version, or null (callers hold Gate).</summary>
    internal SecretDefinition? FindSecret(string? regionId, string secretName) => regionId is null
        ? _secrets.Values.FirstOrDefault(s => s.SecretName == secretName)
        : _secrets.GetValueOrDefault((regionId, secretName));

    private void LoadSecrets()
    {
        _secrets.Clear();
        foreach (var secret in _definition.Secrets)
        {
            if (string.IsNullOrWhiteSpace(secret.SecretName) || string.IsNullOrWhiteSpace(secret.RegionId) || string.IsNullOrEmpty(secret.SecretData))
            {
                throw new InvalidOperationException($"{_source}: every secret needs secretName, regionId and secretData.");
            }

            if (!_secrets.TryAdd((secret.RegionId, secret.SecretName), new SecretDefinition
            {
                RegionId = secret.RegionId,
                SecretName = secret.SecretName,
                SecretData = secret.SecretData,
                VersionId = string.IsNullOrEmpty(secret.VersionId) ? "v1" : secret.VersionId,
            }))
            {
                throw new InvalidOperationException($"{_source}: secret '{secret.SecretName}' appears twice in {secret.RegionId}.");
            }
        }
    }

    // ---- internals used by the API handlers (callers hold Gate) -------------------------------------------------

    internal IEnumerable<EmulatedCluster> ClustersInOrder => _clusterList;

    internal IReadOnlyList<EmulatedAccount> AccountsUnlocked => _accounts;

    internal EmulatedAccount? FindAccount(string accountId) => _accounts.FirstOrDefault(a => a.AccountId == accountId);

    /// <summary>Issues STS credentials for a member's role (callers hold Gate).</summary>
    internal StsSession IssueSession(EmulatedAccount account, string sessionName, DateTimeOffset expiration)
    {
        var session = new StsSession(
            "STS." + RandomText(20), RandomText(40), "CAES" + RandomText(96), account.AccountId, account.Role!, sessionName, expiration);
        _sessions[session.AccessKeyId] = session;
        return session;
    }

    internal StsSession? FindSession(string accessKeyId) => _sessions.GetValueOrDefault(accessKeyId);

    /// <summary>Counts an AssumeRole attempt for the account; true when its fault says this one is throttled.</summary>
    internal bool TakeAssumeRoleThrottle(EmulatedAccount account) => Take(_assumeRoleAttempts, account.AccountId, account.AssumeRoleThrottles);

    /// <summary>Counts a CS/KMS call with the account's STS credentials; true when this one is throttled.</summary>
    internal bool TakeApiThrottle(string accountId)
    {
        lock (Gate)
        {
            return FindAccount(accountId) is { ApiThrottles: not 0 } account && Take(_apiAttempts, accountId, account.ApiThrottles);
        }
    }

    private static bool Take(Dictionary<string, int> attempts, string accountId, int limit)
    {
        if (limit == 0)
        {
            return false;
        }

        var n = attempts.GetValueOrDefault(accountId) + 1;
        attempts[accountId] = n;
        return limit < 0 || n <= limit;
    }

    private static string RandomText(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return string.Create(length, 0, (span, _) =>
        {
            for (var i = 0; i < span.Length; i++)
            {
                span[i] = alphabet[System.Security.Cryptography.RandomNumberGenerator.GetInt32(alphabet.Length)];
            }
        });
    }

    /// <summary>Removes one alias of a key (callers hold Gate).</summary>
    internal void RemoveAlias(EmulatedKey key, string alias)
    {
        key.Aliases.Remove(alias);
        _aliases.Remove(alias);
    }

    internal IReadOnlyList<string> RegionsUnlocked => _regions;

    internal EmulatedCluster? FindCluster(string clusterId) => _clusters.GetValueOrDefault(clusterId);

    internal IEnumerable<EmulatedKey> LiveKeys(DateTimeOffset now)
    {
        foreach (var key in _keyList)
        {
            key.Settle(now);
            if (!key.IsGone(now))
            {
                yield return key;
            }
        }
    }

    internal IEnumerable<(string Alias, EmulatedKey Key)> LiveAliases(DateTimeOffset now)
    {
        foreach (var key in LiveKeys(now))
        {
            foreach (var alias in key.Aliases)
            {
                yield return (alias, key);
            }
        }
    }

    /// <summary>Finds a live key by id, alias or ARN.</summary>
    internal EmulatedKey? FindKey(string keyIdOrAlias, DateTimeOffset now)
    {
        EmulatedKey? key;
        if (keyIdOrAlias.StartsWith("alias/", StringComparison.Ordinal))
        {
            key = _aliases.GetValueOrDefault(keyIdOrAlias);
        }
        else if (keyIdOrAlias.StartsWith("acs:kms:", StringComparison.Ordinal))
        {
            var slash = keyIdOrAlias.LastIndexOf("key/", StringComparison.Ordinal);
            key = slash < 0 ? null : _keys.GetValueOrDefault(keyIdOrAlias[(slash + 4)..]);
            if (key is not null && key.Arn != keyIdOrAlias)
            {
                key = null;
            }
        }
        else
        {
            key = _keys.GetValueOrDefault(keyIdOrAlias);
        }

        if (key is null)
        {
            return null;
        }

        key.Settle(now);
        if (key.IsGone(now))
        {
            RemoveKey(key);
            return null;
        }

        return key;
    }

    internal string EffectiveState(EmulatedCluster cluster, DateTimeOffset now, out string? secretsProblem)
    {
        cluster.Settle(now);
        secretsProblem = null;
        if (cluster.EncryptionEnabled)
        {
            var key = FindKey(cluster.EncryptionKeyId!, now);
            if (key is not null && key.AccountId != cluster.AccountId)
            {
                key = null;
            }

            secretsProblem = key is null
                ? $"key {cluster.EncryptionKeyId} does not exist: the API server cannot decrypt Secrets"
                : key.KeyState != "Enabled"
                    ? $"key {key.KeyId} is {key.KeyState}: the API server cannot decrypt Secrets"
                    : null;
        }

        // A cluster whose key cannot decrypt is broken for real: ACK reports it unavailable until the key is back.
        return secretsProblem is not null && cluster.State == "running" ? "unavailable" : cluster.State;
    }

    internal static string MetaDataOf(EmulatedCluster cluster)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteStartObject("Capabilities");
            if (!string.IsNullOrEmpty(cluster.EncryptionKeyId))
            {
                w.WriteString("EncryptionKMSKeyId", cluster.EncryptionKeyId);
            }

            w.WriteBoolean("DisableEncryption", cluster.EncryptionDisabled || string.IsNullOrEmpty(cluster.EncryptionKeyId));
            w.WriteEndObject();
            w.WriteString("KubernetesVersion", cluster.CurrentVersion);
            w.WriteString("ResourceGroupId", "rg-acfmdefault");
            w.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static DateTimeOffset TruncateToSecond(DateTimeOffset t) =>
        new(t.UtcTicks - (t.UtcTicks % TimeSpan.TicksPerSecond), TimeSpan.Zero);

    private ClusterSnapshot SnapshotOf(EmulatedCluster c, DateTimeOffset now)
    {
        var state = EffectiveState(c, now, out var problem);
        DateTimeOffset? coolDownUntil = c.LastChangeCompleted is { } done && done + CoolDown > now ? done + CoolDown : null;
        return new ClusterSnapshot(
            c.ClusterId, c.Name, c.RegionId, state, c.ClusterType, c.ClusterSpec, c.Profile, c.CurrentVersion,
            new Dictionary<string, string>(c.Tags, StringComparer.Ordinal), c.EncryptionKeyId, c.EncryptionDisabled,
            problem is null, problem, MetaDataOf(c), c.Created, c.Updated, c.UpdatingUntil, coolDownUntil)
        {
            AccountId = c.AccountId,
        };
    }

    private static KeySnapshot SnapshotOf(EmulatedKey k) => new(
        k.KeyId, k.RegionId, k.Arn, k.KeyState, k.KeySpec, k.KeyUsage, k.Origin, k.ProtectionLevel, k.CreatorType,
        k.Creator, k.Description, k.CreationDate, k.DeleteDate, k.DeletionProtection, k.DeletionProtectionDescription,
        k.AutomaticRotation, k.RotationInterval, k.LastRotationDate, k.NextRotationDate, k.PrimaryKeyVersion,
        k.MaterialExpireTime, k.DkmsInstanceId, [.. k.Aliases], new Dictionary<string, string>(k.Tags, StringComparer.Ordinal))
    {
        AccountId = k.AccountId,
    };

    private void WithKey(string keyIdOrAlias, Action<EmulatedKey> change)
    {
        lock (Gate)
        {
            change(FindKey(keyIdOrAlias, Time.GetUtcNow()) ?? throw KeyMissing(keyIdOrAlias));
        }
    }

    private static KeyNotFoundException KeyMissing(string keyIdOrAlias) =>
        new($"Key '{keyIdOrAlias}' does not exist in the emulated fleet.");

    private void RemoveKey(EmulatedKey key)
    {
        _keys.Remove(key.KeyId);
        _keyList.Remove(key);
        foreach (var alias in key.Aliases)
        {
            _aliases.Remove(alias);
        }
    }

    private CompiledFleet CompileAddition(List<ClusterDefinition> clusters, List<KeyDefinition> keys, string? accountId)
    {
        if (accountId is not null && FindAccount(accountId) is null)
        {
            throw new KeyNotFoundException($"Account '{accountId}' is not in the emulated resource directory.");
        }

        var now = Time.GetUtcNow();
        var compiled = FleetLoader.Compile(
            new FleetDefinition { AccountId = accountId ?? AccountId, Regions = [.. _regions], Clusters = clusters, Keys = keys }, now, "added items");
        var clash = compiled.Clusters.Where(c => _clusters.ContainsKey(c.ClusterId)).Select(c => $"clusterId '{c.ClusterId}' already exists")
            .Concat(compiled.Keys.Where(k => _keys.ContainsKey(k.KeyId)).Select(k => $"keyId '{k.KeyId}' already exists"))
            .Concat(compiled.Keys.SelectMany(k => k.Aliases).Where(_aliases.ContainsKey).Select(a => $"alias '{a}' already exists"))
            .ToList();
        if (clash.Count > 0)
        {
            throw new FleetFileException(string.Join("; ", clash));
        }

        return compiled;
    }

    private void Load(CompiledFleet fleet)
    {
        AccountId = fleet.AccountId;
        ResourceDirectoryId = fleet.ResourceDirectoryId;
        _accounts.Clear();
        _accounts.AddRange(fleet.Accounts);
        _regions = [.. fleet.Regions];
        _clusterList.Clear();
        _clusters.Clear();
        _keyList.Clear();
        _keys.Clear();
        _aliases.Clear();
        foreach (var c in fleet.Clusters)
        {
            _clusterList.Add(c);
            _clusters[c.ClusterId] = c;
        }

        foreach (var k in fleet.Keys)
        {
            _keyList.Add(k);
            _keys[k.KeyId] = k;
            foreach (var alias in k.Aliases)
            {
                _aliases[alias] = k;
            }
        }
    }

    internal static string FormatCsTime(DateTimeOffset t) =>
        t.ToOffset(TimeSpan.FromHours(8)).ToString("yyyy-MM-dd'T'HH:mm:sszzz", CultureInfo.InvariantCulture);
}
