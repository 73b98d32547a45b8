namespace AckFc.Local.Emulator;

/// <summary>What one demo cluster is there to show.</summary>
/// <param name="ClusterId">The cluster.</param>
/// <param name="RegionId">Its region.</param>
/// <param name="RuleIds">The rules of contracts §6 it makes fail (empty for a healthy or not applicable cluster).</param>
/// <param name="Shows">One line for the docs table.</param>
public sealed record DemoScenario(string ClusterId, string RegionId, IReadOnlyList<string> RuleIds, string Shows);

/// <summary>
/// The built-in demo fleet: three regions, every rule of the catalogue failing at least once next to healthy
/// clusters. Dates that matter (deletion, material expiry) are relative to the moment it is loaded.
/// The allow-list the demo assumes for ACKFC-KEY-005 is "aliases matching <c>alias/ackfc-*</c>".
/// </summary>
public static class DemoFleet
{
    /// <summary>The demo account id (ARNs, <c>Creator</c>).</summary>
    public const string AccountId = "1000000000000001";

    /// <summary>The allow-list pattern the demo's KEY-005 case is built against.</summary>
    public const string AllowedAliasPattern = "alias/ackfc-*";

    /// <summary>Every demo cluster and what it shows.</summary>
    public static IReadOnlyList<DemoScenario> Scenarios { get; } =
    [
        new("c-demo-hz-payments", "cn-hangzhou", [], "healthy; tag env=prod: the cluster POL-001 protects (webhook disable is refused)"),
        new("c-demo-hz-orders", "cn-hangzhou", [], "healthy, own key with alias alias/ackfc-orders-hz"),
        new("c-demo-hz-analytics", "cn-hangzhou", ["ACKFC-ENC-001"], "ACK Pro with Secret encryption off (enable it with key-demo-hz-spare)"),
        new("c-demo-hz-basic", "cn-hangzhou", [], "ack.standard (Basic): notApplicable"),
        new("c-demo-hz-ghost", "cn-hangzhou", ["ACKFC-KEY-001"], "uses key-demo-hz-deleted, which does not exist (cluster unavailable)"),
        new("c-demo-hz-batch", "cn-hangzhou", ["ACKFC-KEY-002"], "key Disabled (cluster unavailable until EnableKey)"),
        new("c-demo-hz-reporting", "cn-hangzhou", ["ACKFC-KEY-003", "ACKFC-KEY-009"], "key PendingDeletion, deleted 5 days after load; deletion protection off"),
        new("c-demo-hz-byok", "cn-hangzhou", ["ACKFC-KEY-004", "ACKFC-KEY-010"], "EXTERNAL (BYOK) key whose material expires 10 days after load (high); imported keys cannot rotate"),
        new("c-demo-sh-web", "cn-shanghai", [], "healthy"),
        new("c-demo-sh-legacy", "cn-shanghai", ["ACKFC-KEY-005"], "key only aliased alias/legacy-app: outside an alias/ackfc-* allow-list"),
        new("c-demo-sh-sm4", "cn-shanghai", ["ACKFC-KEY-006"], "key spec Aliyun_SM4 instead of Aliyun_AES_256"),
        new("c-demo-sh-service", "cn-shanghai", ["ACKFC-KEY-007", "ACKFC-KEY-005"], "service key alias/acs/ecs (CreatorType Service), so also outside the allow-list"),
        new("c-demo-sh-crossregion", "cn-shanghai", ["ACKFC-KEY-008"], "uses key-demo-hz-orders from cn-hangzhou"),
        new("c-demo-sh-import", "cn-shanghai", ["ACKFC-KEY-004", "ACKFC-KEY-010"], "EXTERNAL key PendingImport: no material (critical; cluster unavailable); no rotation"),
        new("c-demo-sg-api", "ap-southeast-1", ["ACKFC-KEY-009"], "key without deletion protection"),
        new("c-demo-sg-search", "ap-southeast-1", ["ACKFC-KEY-010"], "key with automatic rotation off"),
        new("c-demo-sg-serverless", "ap-southeast-1", [], "healthy ACK Serverless Pro (profile Serverless)"),
    ];

    /// <summary>A fresh copy of the demo fleet definition.</summary>
    public static FleetDefinition Create()
    {
        static void NoRotation(KeyDefinition key)
        {
            key.AutomaticRotation = "Disabled";
            key.RotationInterval = null;
            key.LastRotationDate = null;
            key.NextRotationDate = null;
        }

        const string hz = "cn-hangzhou", sh = "cn-shanghai", sg = "ap-southeast-1";

        var reporting = Healthy("key-demo-hz-reporting", hz, "alias/ackfc-reporting-hz");
        reporting.KeyState = "PendingDeletion";
        reporting.DeleteDate = "now+5d";
        reporting.DeletionProtection = false;
        reporting.DeletionProtectionDescription = null;

        var disabled = Healthy("key-demo-hz-batch", hz, "alias/ackfc-batch-hz");
        disabled.KeyState = "Disabled";

        var byok = Healthy("key-demo-hz-byok", hz, "alias/ackfc-byok-hz");
        byok.Origin = "EXTERNAL";
        byok.MaterialExpireTime = "now+10d";
        NoRotation(byok);

        var legacy = Healthy("key-demo-sh-legacy", sh, "alias/legacy-app");

        var sm4 = Healthy("key-demo-sh-sm4", sh, "alias/ackfc-sm4-sh");
        sm4.KeySpec = "Aliyun_SM4";

        var service = Healthy("key-demo-sh-acs-ecs", sh, "alias/acs/ecs", "Default service CMK created by ECS");
        service.CreatorType = "Service";
        service.Creator = "Ecs";

        var import = Healthy("key-demo-sh-import", sh, "alias/ackfc-import-sh");
        import.Origin = "EXTERNAL";
        import.KeyState = "PendingImport";
        NoRotation(import);

        var unprotected = Healthy("key-demo-sg-api", sg, "alias/ackfc-api-sg");
        unprotected.DeletionProtection = false;
        unprotected.DeletionProtectionDescription = null;

        var noRotation = Healthy("key-demo-sg-search", sg, "alias/ackfc-search-sg");
        NoRotation(noRotation);

        var rsa = Healthy("key-demo-sg-signing", sg, "alias/ackfc-signing-sg", "Signing key (not usable for Secret encryption)");
        rsa.KeySpec = "RSA_2048";
        rsa.KeyUsage = "SIGN/VERIFY";
        NoRotation(rsa);

        return new FleetDefinition
        {
            AccountId = AccountId,
            Regions = [hz, sh, sg],
            Keys =
            [
                Healthy("key-demo-hz-prod", hz, "alias/ackfc-prod-hz"),
                Healthy("key-demo-hz-orders", hz, "alias/ackfc-orders-hz"),
                Healthy("key-demo-hz-spare", hz, "alias/ackfc-spare-hz", "Unused: the key to enable encryption with"),
                disabled,
                reporting,
                byok,
                Healthy("key-demo-sh-web", sh, "alias/ackfc-web-sh"),
                legacy,
                sm4,
                service,
                import,
                Healthy("key-demo-sh-spare", sh, "alias/ackfc-spare-sh", "Unused: the key to switch to"),
                unprotected,
                noRotation,
                Healthy("key-demo-sg-serverless", sg, "alias/ackfc-serverless-sg"),
                rsa,
            ],
            Clusters =
            [
                Cluster("c-demo-hz-payments", hz, "key-demo-hz-prod", tags: new() { ["env"] = "prod", ["team"] = "payments" }),
                Cluster("c-demo-hz-orders", hz, "key-demo-hz-orders"),
                Cluster("c-demo-hz-analytics", hz, null),
                Cluster("c-demo-hz-basic", hz, null, spec: "ack.standard"),
                Cluster("c-demo-hz-ghost", hz, "key-demo-hz-deleted"),
                Cluster("c-demo-hz-batch", hz, "key-demo-hz-batch"),
                Cluster("c-demo-hz-reporting", hz, "key-demo-hz-reporting"),
                Cluster("c-demo-hz-byok", hz, "key-demo-hz-byok"),
                Cluster("c-demo-sh-web", sh, "key-demo-sh-web"),
                Cluster("c-demo-sh-legacy", sh, "key-demo-sh-legacy"),
                Cluster("c-demo-sh-sm4", sh, "key-demo-sh-sm4"),
                Cluster("c-demo-sh-service", sh, "key-demo-sh-acs-ecs"),
                Cluster("c-demo-sh-crossregion", sh, "key-demo-hz-orders"),
                Cluster("c-demo-sh-import", sh, "key-demo-sh-import"),
                Cluster("c-demo-sg-api", sg, "key-demo-sg-api"),
                Cluster("c-demo-sg-search", sg, "key-demo-sg-search"),
                Cluster("c-demo-sg-serverless", sg, "key-demo-sg-serverless", spec: "ack.pro.small", profile: "Serverless"),
            ],
        };
    }

    /// <summary>The member account of <see cref="CreateOrganisation"/> that holds clusters.</summary>
    public const string MemberAccountId = "1000000000000002";

    /// <summary>The member account of <see cref="CreateOrganisation"/> that lacks the member role.</summary>
    public const string MemberWithoutRoleAccountId = "1000000000000003";

    /// <summary>The role the management account assumes in a member (the resource directory's default).</summary>
    public const string MemberRole = "ResourceDirectoryAccountAccessRole";

    /// <summary>The member clusters of <see cref="CreateOrganisation"/> and what they show.</summary>
    public static IReadOnlyList<DemoScenario> MemberScenarios { get; } =
    [
        new("c-demo-m2-checkout", "cn-hangzhou", [], "member account 1000000000000002 (retail): healthy, own key alias/ackfc-checkout-hz"),
        new("c-demo-m2-catalog", "cn-shanghai", ["ACKFC-ENC-001"], "member account 1000000000000002 (retail): Secret encryption off"),
    ];

    /// <summary>A healthy demo key: deletion protection on, rotated yearly.</summary>
    private static KeyDefinition Healthy(string id, string region, string alias, string? description = null) => new()
    {
        KeyId = id,
        RegionId = region,
        Aliases = [alias],
        Description = description ?? $"AckFc demo key {alias}",
        DeletionProtection = true,
        DeletionProtectionDescription = "protects ACK Secret encryption",
        AutomaticRotation = "Enabled",
        RotationInterval = "31536000s",
        LastRotationDate = "now-30d",
        NextRotationDate = "now+335d",
        CreationDate = "2024-05-20T06:34:21Z",
    };

    /// <summary>A demo cluster (ACK Pro by default), its name the id without <c>c-demo-</c>; encryption with <paramref name="keyId"/> when given.</summary>
    private static ClusterDefinition Cluster(string id, string region, string? keyId, string spec = "ack.pro.small", string profile = "Default", Dictionary<string, string>? tags = null) => new()
    {
        ClusterId = id,
        Name = id["c-demo-".Length..],
        RegionId = region,
        ClusterSpec = spec,
        Profile = profile,
        Tags = tags ?? new() { ["team"] = "platform" },
        Encryption = keyId is null ? null : new EncryptionDefinition { KmsKeyId = keyId },
        Created = "2024-06-01T02:00:00Z",
        Updated = "2025-01-15T02:00:00Z",
    };

    /// <summary>
    /// The demo fleet as a resource directory: the management account holds exactly what <see cref="Create"/> holds,
    /// plus a member (<c>retail</c>) with two clusters and a key, and a member (<c>sandbox</c>) without the member
    /// role, so a sweep shows accounts grouped and one account it cannot enter. Opt-in, so the single-account demo
    /// (its counts and ids) stays as it is.
    /// </summary>
    public static FleetDefinition CreateOrganisation()
    {
        var fleet = Create();
        fleet.Accounts =
        [
            new AccountDefinition
            {
                AccountId = MemberAccountId,
                DisplayName = "retail",
                FolderId = "fd-ackfcprod",
                Role = MemberRole,
                Tags = new() { ["env"] = "prod" },
                Keys =
                [
                    Healthy("key-demo-m2-checkout", "cn-hangzhou", "alias/ackfc-checkout-hz", "AckFc demo key of the retail account"),
                ],
                Clusters =
                [
                    Cluster("c-demo-m2-checkout", "cn-hangzhou", "key-demo-m2-checkout", tags: new() { ["team"] = "retail" }),
                    Cluster("c-demo-m2-catalog", "cn-shanghai", keyId: null, tags: new() { ["team"] = "retail" }),
                ],
            },
            new AccountDefinition
            {
                AccountId = MemberWithoutRoleAccountId,
                DisplayName = "sandbox",
                JoinMethod = "invited",
                Type = "CloudAccount",
                Status = "InviteSuccess",
                Role = null,
            },
        ];
        return fleet;
    }
}
