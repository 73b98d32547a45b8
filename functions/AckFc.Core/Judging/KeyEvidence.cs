using AckFc.AlibabaCloud;
using AckFc.AlibabaCloud.Kms;

namespace AckFc.Core.Judging;

/// <summary>What is known about the key a cluster uses: its metadata, or why it could not be read.</summary>
/// <param name="Metadata">DescribeKey's answer; null when the read failed.</param>
/// <param name="Failure">The failed read; null when it succeeded.</param>
/// <param name="IsServiceKey">From the region's <c>CreatorType=Service</c> listing or an <c>alias/acs/…</c> alias; null when that listing failed.</param>
/// <param name="Aliases">The key's aliases, when the sweep listed them.</param>
public sealed record KeyEvidence(
    KmsKeyMetadata? Metadata,
    AlibabaCloudException? Failure,
    bool? IsServiceKey,
    IReadOnlyList<string>? Aliases = null)
{
    public static KeyEvidence Read(KmsKeyMetadata metadata, bool? isServiceKey, IReadOnlyList<string>? aliases = null) =>
        new(metadata, null, isServiceKey, aliases);

    public static KeyEvidence Failed(AlibabaCloudException failure) => new(null, failure, null);
}
