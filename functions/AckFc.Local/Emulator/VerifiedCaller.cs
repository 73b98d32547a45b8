namespace AckFc.Local.Emulator;

/// <summary>The caller of a request whose signature verified: its access key id and who it stands for.</summary>
/// <param name="AccessKeyId">The access key id of <c>Credential=</c>.</param>
/// <param name="Identity">Who the credential stands for in events.</param>
/// <param name="Session">The STS credentials of a member account, when the request was signed with them.</param>
internal sealed record VerifiedCaller(string AccessKeyId, EmulatorIdentity Identity, StsSession? Session = null)
{
    /// <summary>The member account of STS credentials; null for the management account's own credentials.</summary>
    public string? MemberAccountId => Session?.AccountId;
}
