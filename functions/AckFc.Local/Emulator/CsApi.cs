using System.Text.Json;

namespace AckFc.Local.Emulator;

/// <summary>The CS (ACK, 2015-12-15, ROA) APIs: DescribeClustersV1, DescribeClusterDetail, UpdateKMSEncryption.</summary>
internal sealed class CsApi(EmulatorState state)
{
    public const string Version = "2015-12-15";

    /// <summary>The action a method and path name; null when ACK has no such API (only the documented method matches).</summary>
    public static string? Route(string method, string[] segments) => segments switch
    {
        ["api", "v1", "clusters"] when method == "GET" => "DescribeClustersV1",
        ["clusters", _] when method == "GET" => "DescribeClusterDetail",
        ["clusters", _, "kms"] when method == "PUT" => "UpdateKMSEncryption",
        _ => null,
    };

    public ApiResponse Handle(ApiRequest r) => r.Action switch
    {
        "DescribeClustersV1" => DescribeClusters(r),
        "DescribeClusterDetail" => DescribeCluster(r),
        "UpdateKMSEncryption" => UpdateKmsEncryption(r),
        _ => throw new InvalidOperationException($"CS has no action {r.Action}."),
    };

    private ApiResponse DescribeClusters(ApiRequest r)
    {
        var pageNumber = r.IntParam("page_number", 1, 1, int.MaxValue);
        var pageSize = r.IntParam("page_size", 10, 1, 100);
        var clusterId = r.Param("cluster_id");
        var name = r.Param("name");
        var type = r.Param("cluster_type");
        var spec = r.Param("cluster_spec");
        var profile = r.Param("profile");

        lock (state.Gate)
        {
            var matches = state.ClustersInOrder.Where(c =>
                    c.AccountId == r.AccountId &&
                    (r.RegionId is null || c.RegionId == r.RegionId) &&
                    (string.IsNullOrEmpty(clusterId) || c.ClusterId == clusterId) &&
                    (string.IsNullOrEmpty(name) || c.Name.Contains(name, StringComparison.OrdinalIgnoreCase)) &&
                    (string.IsNullOrEmpty(type) || c.ClusterType == type) &&
                    (string.IsNullOrEmpty(spec) || c.ClusterSpec == spec) &&
                    (string.IsNullOrEmpty(profile) || c.Profile == profile))
                .ToList();
            var page = matches.Skip((int)Math.Min(int.MaxValue, (long)(pageNumber - 1) * pageSize)).Take(pageSize);
            return new(200, Json.Write(w =>
            {
                w.WriteStartObject();
                w.WriteStartArray("clusters");
                foreach (var cluster in page)
                {
                    WriteCluster(w, cluster, r.Now, detail: false);
                }

                w.WriteEndArray();
                w.WriteStartObject("page_info");
                w.WriteNumber("page_number", pageNumber);
                w.WriteNumber("page_size", pageSize);
                w.WriteNumber("total_count", matches.Count);
                w.WriteEndObject();
                w.WriteEndObject();
            }));
        }
    }

    // A cluster of another account does not exist for this caller: the answer is the one for an unknown id.
    private EmulatedCluster FindCluster(ApiRequest r, string clusterId) =>
        state.FindCluster(clusterId) is { } cluster && cluster.AccountId == r.AccountId ? cluster : throw NotFound(clusterId);

    private ApiResponse DescribeCluster(ApiRequest r)
    {
        var clusterId = r.Segments[1];
        lock (state.Gate)
        {
            var cluster = FindCluster(r, clusterId);
            r.RegionId = cluster.RegionId;
            return new(200, Json.Write(w => WriteCluster(w, cluster, r.Now, detail: true)));
        }
    }

    private ApiResponse UpdateKmsEncryption(ApiRequest r)
    {
        var clusterId = r.Segments[1];
        var (keyId, disable) = ParseChange(r.Body);
        lock (state.Gate)
        {
            var cluster = FindCluster(r, clusterId);
            r.RegionId = cluster.RegionId;
            if (!cluster.SupportsSecretEncryption)
            {
                throw new ApiException(400, "ErrorClusterSpecNotSupported",
                    $"Secret encryption with KMS needs an ACK Pro cluster (cluster_spec ack.pro.*); cluster {clusterId} is {cluster.ClusterSpec}.");
            }

            var stateNow = state.EffectiveState(cluster, r.Now, out _);
            if (stateNow != "running")
            {
                throw new ApiException(409, "ErrorClusterState", $"cluster state {stateNow} not allowed: cluster {clusterId} must be running.");
            }

            if (cluster.LastChangeCompleted is { } done && done + state.CoolDown > r.Now)
            {
                throw new ApiException(409, "ErrorClusterState",
                    $"cluster {clusterId} changed its KMS encryption at {EmulatorState.FormatCsTime(done)}; another change is allowed from {EmulatorState.FormatCsTime(done + state.CoolDown)}.");
            }

            string? resolvedKeyId = null;
            if (!disable)
            {
                var key = (state.FindKey(keyId!, r.Now) is { } found && found.AccountId == r.AccountId ? found : null)
                    ?? throw new ApiException(400, "ErrorKMSKeyNotFound", $"KMS key {keyId} does not exist.");
                if (key.RegionId != cluster.RegionId)
                {
                    throw new ApiException(400, "ErrorKMSKeyRegionMismatch",
                        $"KMS key {key.KeyId} is in {key.RegionId}; cluster {clusterId} is in {cluster.RegionId}: the key must be in the cluster's region.");
                }

                if (key.CreatorType == "Service")
                {
                    throw new ApiException(400, "ErrorKMSServiceKeyNotSupported",
                        $"KMS key {key.KeyId} is a service key (created by {key.Creator}); use a customer master key.");
                }

                if (key.KeySpec != "Aliyun_AES_256")
                {
                    throw new ApiException(400, "ErrorKMSKeySpecNotSupported", $"KMS key {key.KeyId} has KeySpec {key.KeySpec}; only Aliyun_AES_256 is supported.");
                }

                if (key.KeyUsage != "ENCRYPT/DECRYPT")
                {
                    throw new ApiException(400, "ErrorKMSKeyUsageNotSupported", $"KMS key {key.KeyId} has KeyUsage {key.KeyUsage}; ENCRYPT/DECRYPT is required.");
                }

                if (key.KeyState != "Enabled")
                {
                    throw new ApiException(400, "ErrorKMSKeyNotEnabled", $"KMS key {key.KeyId} is {key.KeyState}; it must be Enabled.");
                }

                resolvedKeyId = key.KeyId;
            }

            cluster.PendingDisable = disable;
            cluster.PendingKeyId = disable ? null : resolvedKeyId;
            cluster.State = "updating";
            cluster.Updated = r.Now;
            cluster.UpdatingUntil = r.Now + state.UpdatingDuration;
            cluster.Settle(r.Now);
        }

        // The SDK models no body for this API (bodyType none); a request id costs nothing and helps logs.
        return new(200, Json.Write(w =>
        {
            w.WriteStartObject();
            w.WriteString("requestId", r.RequestId);
            w.WriteEndObject();
        }));
    }

    private static (string? KeyId, bool Disable) ParseChange(byte[] body)
    {
        if (body.Length == 0)
        {
            throw new ApiException(400, "InvalidParameter", "The body must be JSON: {\"kms_key_id\": \"key-…\", \"disable_encryption\": false}.");
        }

        try
        {
            using var doc = JsonDocument.Parse(body);
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ApiException(400, "InvalidParameter", "The body must be a JSON object.");
            }

            string? keyId = null;
            var disable = false;
            if (doc.RootElement.TryGetProperty("kms_key_id", out var k) && k.ValueKind != JsonValueKind.Null)
            {
                keyId = k.ValueKind == JsonValueKind.String ? k.GetString() : throw new ApiException(400, "InvalidParameter", "kms_key_id must be a string.");
            }

            if (doc.RootElement.TryGetProperty("disable_encryption", out var d) && d.ValueKind != JsonValueKind.Null)
            {
                disable = d.ValueKind is JsonValueKind.True or JsonValueKind.False
                    ? d.GetBoolean()
                    : throw new ApiException(400, "InvalidParameter", "disable_encryption must be true or false.");
            }

            if (!disable && string.IsNullOrWhiteSpace(keyId))
            {
                throw new ApiException(400, "InvalidParameter", "kms_key_id is required unless disable_encryption is true.");
            }

            return (keyId, disable);
        }
        catch (JsonException ex)
        {
            throw new ApiException(400, "InvalidParameter", $"The body is not valid JSON: {ex.Message}");
        }
    }

    private void WriteCluster(Utf8JsonWriter w, EmulatedCluster c, DateTimeOffset now, bool detail)
    {
        var stateNow = state.EffectiveState(c, now, out _);
        var suffix = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(c.ClusterId)))[..20];
        w.WriteStartObject();
        w.WriteString("cluster_id", c.ClusterId);
        w.WriteString("name", c.Name);
        w.WriteString("region_id", c.RegionId);
        w.WriteString("zone_id", c.RegionId + "-b");
        w.WriteString("state", stateNow);
        w.WriteString("cluster_type", c.ClusterType);
        w.WriteString("cluster_spec", c.ClusterSpec);
        w.WriteString("profile", c.Profile);
        w.WriteString("current_version", c.CurrentVersion);
        w.WriteString("init_version", c.CurrentVersion);
        w.WriteString("next_version", "");
        w.WriteNumber("size", 3);
        w.WriteString("vpc_id", "vpc-" + suffix);
        w.WriteStartArray("vswitch_ids");
        w.WriteStringValue("vsw-" + suffix);
        w.WriteEndArray();
        w.WriteString("security_group_id", "sg-" + suffix);
        w.WriteString("resource_group_id", "rg-acfmdefault");
        w.WriteString("container_cidr", "172.20.0.0/16");
        w.WriteString("service_cidr", "172.21.0.0/20");
        w.WriteString("proxy_mode", "ipvs");
        w.WriteString("timezone", "Asia/Shanghai");
        w.WriteBoolean("deletion_protection", c.Tags.TryGetValue("env", out var env) && env == "prod");
        w.WriteString("created", EmulatorState.FormatCsTime(c.Created));
        w.WriteString("updated", EmulatorState.FormatCsTime(c.Updated));
        w.WriteString("meta_data", EmulatorState.MetaDataOf(c));
        w.WriteStartArray("tags");
        foreach (var (key, value) in c.Tags)
        {
            w.WriteStartObject();
            w.WriteString("key", key);
            w.WriteString("value", value);
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteStartObject("maintenance_window");
        w.WriteBoolean("enable", false);
        w.WriteEndObject();
        if (detail)
        {
            w.WriteStartObject("parameters");
            w.WriteEndObject();
            w.WriteStartObject("control_plane_config");
            w.WriteBoolean("cloud_monitor", true);
            w.WriteEndObject();
        }

        w.WriteEndObject();
    }

    private static ApiException NotFound(string clusterId) => new(404, "ErrorClusterNotFound", $"cluster {clusterId} not found");
}
