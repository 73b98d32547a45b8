using System.Globalization;

namespace AckFc.Local.Emulator;

/// <summary>Large, seeded fleets for benchmarks: the same arguments always give the same fleet.</summary>
public static class FleetGenerator
{
    private static readonly string[] KnownRegions =
    [
        "cn-hangzhou", "cn-shanghai", "cn-beijing", "cn-shenzhen", "cn-zhangjiakou", "cn-huhehaote", "cn-wulanchabu",
        "cn-chengdu", "cn-qingdao", "cn-guangzhou", "cn-hongkong", "ap-southeast-1", "ap-southeast-3", "ap-southeast-5",
        "ap-northeast-1", "ap-south-1", "us-west-1", "us-east-1", "eu-central-1", "eu-west-1", "me-east-1",
    ];

    /// <summary>
    /// <paramref name="clusters"/> clusters and <paramref name="keys"/> keys spread over <paramref name="regions"/>
    /// regions. About 85% of clusters are ACK Pro, 80% of those encrypt with a key of their region; keys are
    /// mostly healthy with a seeded share of every risk the rules look for.
    /// </summary>
    public static FleetDefinition Generate(int clusters, int regions, int keys, int seed)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(clusters);
        ArgumentOutOfRangeException.ThrowIfLessThan(regions, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(keys);

        // Seeded generator on purpose: benchmarks need the same fleet every run, not unpredictability.
#pragma warning disable CA5394
        var random = new Random(seed);
        var regionIds = Enumerable.Range(0, regions)
            .Select(i => i < KnownRegions.Length ? KnownRegions[i] : $"xx-region-{(i + 1).ToString(CultureInfo.InvariantCulture)}")
            .ToList();
        var fleet = new FleetDefinition { Regions = regionIds };
        var keysByRegion = regionIds.ToDictionary(r => r, _ => new List<string>(), StringComparer.Ordinal);

        for (var i = 0; i < keys; i++)
        {
            var region = regionIds[i % regions];
            var id = $"key-gen-{i.ToString("D6", CultureInfo.InvariantCulture)}";
            var roll = random.NextDouble();
            var key = new KeyDefinition
            {
                KeyId = id,
                RegionId = region,
                Aliases = [$"alias/ackfc-gen-{i.ToString("D6", CultureInfo.InvariantCulture)}"],
                DeletionProtection = random.NextDouble() < 0.8,
                AutomaticRotation = random.NextDouble() < 0.8 ? "Enabled" : "Disabled",
                CreationDate = new DateTimeOffset(2024, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            if (key.AutomaticRotation == "Enabled")
            {
                key.RotationInterval = "31536000s";
            }

            switch (roll)
            {
                case < 0.03:
                    key.KeyState = "Disabled";
                    break;
                case < 0.06:
                    key.KeyState = "PendingDeletion";
                    key.DeleteDate = $"now+{random.Next(1, 30).ToString(CultureInfo.InvariantCulture)}d";
                    key.DeletionProtection = false;
                    break;
                case < 0.08:
                    key.KeySpec = "Aliyun_SM4";
                    break;
                case < 0.10:
                    key.Origin = "EXTERNAL";
                    key.MaterialExpireTime = $"now+{random.Next(1, 365).ToString(CultureInfo.InvariantCulture)}d";
                    break;
                case < 0.12:
                    key.CreatorType = "Service";
                    key.Aliases = [$"alias/acs/gen{i.ToString(CultureInfo.InvariantCulture)}"];
                    break;
                default:
                    break;
            }

            fleet.Keys.Add(key);
            keysByRegion[region].Add(id);
        }

        for (var i = 0; i < clusters; i++)
        {
            var region = regionIds[random.Next(regions)];
            var pro = random.NextDouble() < 0.85;
            var cluster = new ClusterDefinition
            {
                ClusterId = $"c-gen-{i.ToString("D6", CultureInfo.InvariantCulture)}",
                RegionId = region,
                ClusterSpec = pro ? (random.NextDouble() < 0.9 ? "ack.pro.small" : "ack.pro.xlarge") : "ack.standard",
                Tags = new() { ["env"] = random.NextDouble() < 0.3 ? "prod" : "dev" },
                Created = new DateTimeOffset(2024, 6, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(i).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture),
            };
            if (pro && random.NextDouble() < 0.8)
            {
                var local = keysByRegion[region];
                var crossRegion = random.NextDouble() < 0.05 || local.Count == 0;
                var pool = crossRegion ? fleet.Keys.Select(k => k.KeyId).ToList() : local;
                cluster.Encryption = pool.Count == 0
                    ? new EncryptionDefinition { KmsKeyId = "key-gen-missing" }
                    : new EncryptionDefinition { KmsKeyId = pool[random.Next(pool.Count)] };
            }

            fleet.Clusters.Add(cluster);
        }
#pragma warning restore CA5394

        return fleet;
    }
}
