namespace AckFc.AlibabaCloud.Kms;

/// <summary>The values of <see cref="KmsKeyMetadata.KeyState"/>, spelled as <c>DescribeKey</c> reports them.</summary>
public static class KmsKeyStates
{
    public const string Enabled = "Enabled";
    public const string Disabled = "Disabled";
    public const string PendingDeletion = "PendingDeletion";

    /// <summary>A key created for imported material that has none (yet, or any more).</summary>
    public const string PendingImport = "PendingImport";
}

/// <summary>The values of <see cref="KmsKeyMetadata.AutomaticRotation"/>.</summary>
public static class KmsRotationStates
{
    public const string Enabled = "Enabled";
    public const string Disabled = "Disabled";
    public const string Suspended = "Suspended";
}

/// <summary>The values of <see cref="KmsKeyMetadata.Origin"/>.</summary>
public static class KmsKeyOrigins
{
    /// <summary>KMS generated the material.</summary>
    public const string AliyunKms = "Aliyun_KMS";

    /// <summary>The material was imported.</summary>
    public const string External = "EXTERNAL";
}

/// <summary>The values of <see cref="KmsKeyMetadata.ProtectionLevel"/>.</summary>
public static class KmsProtectionLevels
{
    public const string Software = "SOFTWARE";
    public const string Hsm = "HSM";
}
