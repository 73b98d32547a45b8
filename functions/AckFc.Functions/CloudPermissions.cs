namespace AckFc.Functions;

/// <summary>One cloud API a function can call, and the RAM actions the vendor's authorization table asks for it.</summary>
/// <param name="Api">The API as the clients name it (<c>x-acs-action</c>).</param>
/// <param name="RamActions">Every RAM action the API needs (some APIs need two).</param>
/// <param name="RemediationOnly">Only called when the policy turns remediation on: granted by the optional policy.</param>
public sealed record CloudCall(string Api, IReadOnlyList<string> RamActions, bool RemediationOnly = false);

/// <summary>
/// What each function can call, the least privilege its role needs. docs/ram-policy-*.json and docs/deployment.md
/// are checked against this table, and the table against the clients' code (tests/AckFc.Functions.Tests/Deployment).
/// </summary>
public static class CloudPermissions
{
    // The vendor's tables (sources in docs/deployment.md): DescribeClustersV1 needs two actions.
    private static readonly CloudCall ListClusters = new("DescribeClustersV1", ["cs:DescribeClustersV1", "cs:GetClusters"]);
    private static readonly CloudCall GetCluster = new("DescribeClusterDetail", ["cs:DescribeClusterDetail"]);
    private static readonly CloudCall DescribeKey = new("DescribeKey", ["kms:DescribeKey"]);
    private static readonly CloudCall ListKeys = new("ListKeys", ["kms:ListKeys"]);
    private static readonly CloudCall ListAliases = new("ListAliases", ["kms:ListAliases"]);
    private static readonly CloudCall CancelKeyDeletion = new("CancelKeyDeletion", ["kms:CancelKeyDeletion"], RemediationOnly: true);
    private static readonly CloudCall SetDeletionProtection = new("SetDeletionProtection", ["kms:SetDeletionProtection"], RemediationOnly: true);
    private static readonly CloudCall EnableKey = new("EnableKey", ["kms:EnableKey"], RemediationOnly: true);

    // The report store (ACKFC_REPORT_STORE=oss://…): HeadObject is authorised by oss:GetObject, ListObjectsV2 by the
    // bucket-level oss:ListObjects.
    private static readonly CloudCall PutObject = new("PutObject", ["oss:PutObject"]);
    private static readonly CloudCall GetObject = new("GetObject", ["oss:GetObject"]);
    private static readonly CloudCall HeadObject = new("HeadObject", ["oss:GetObject"]);
    private static readonly CloudCall DeleteObject = new("DeleteObject", ["oss:DeleteObject"]);
    private static readonly CloudCall ListObjects = new("ListObjectsV2", ["oss:ListObjects"]);

    /// <summary>Publishing report sets: the files, the state, the index, the markers, and retention's deletes.</summary>
    private static readonly CloudCall[] ReportStore = [PutObject, GetObject, HeadObject, DeleteObject, ListObjects];

    /// <summary>
    /// The webhook: reads a cluster and its key, changes encryption, reads its signing keys; <c>POST /sweeps</c> runs a
    /// sweep (the listing), and with <c>"mode":"remediate"</c> the key repairs of the optional policy.
    /// </summary>
    public static IReadOnlyList<CloudCall> Webhook { get; } =
    [
        GetCluster, DescribeKey, ListKeys, ListAliases, ListClusters,
        new("UpdateKMSEncryption", ["cs:UpdateKMSEncryption"]),
        new("GetSecretValue", ["kms:GetSecretValue"]),
        CancelKeyDeletion, SetDeletionProtection, EnableKey,
        .. ReportStore,
    ];

    /// <summary>
    /// The compliance sweep: reads the cloud only (every change is a remediation the policy must turn on) and keeps its
    /// reports in the store.
    /// </summary>
    public static IReadOnlyList<CloudCall> Compliance { get; } =
    [
        ListClusters, GetCluster, DescribeKey, ListKeys, ListAliases,
        new("UpdateKMSEncryption", ["cs:UpdateKMSEncryption"], RemediationOnly: true),
        CancelKeyDeletion, SetDeletionProtection, EnableKey,
        .. ReportStore,
    ];

    /// <summary>
    /// The key guard: on each event it re-reads the key and the cluster pages of its region (aliases for
    /// <c>DeleteAlias</c>), and a cluster again before re-enabling its encryption, as the sweep's remediation does; every
    /// protective write is a remediation the policy must turn on. In the store it only creates and lists its
    /// de-duplication markers.
    /// </summary>
    public static IReadOnlyList<CloudCall> Guard { get; } =
    [
        ListClusters, GetCluster, DescribeKey, ListKeys, ListAliases,
        new("UpdateKMSEncryption", ["cs:UpdateKMSEncryption"], RemediationOnly: true),
        CancelKeyDeletion, SetDeletionProtection, EnableKey,
        PutObject, ListObjects,
    ];

    /// <summary>The table of a function by its <c>ACKFC_FUNCTION</c> name.</summary>
    public static IReadOnlyList<CloudCall> Of(string function) => function switch
    {
        "webhook" => Webhook,
        "compliance" => Compliance,
        "guard" => Guard,
        _ => throw new ArgumentOutOfRangeException(nameof(function), function, "webhook, compliance or guard"),
    };
}
