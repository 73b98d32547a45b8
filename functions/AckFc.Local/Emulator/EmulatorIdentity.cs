namespace AckFc.Local.Emulator;

/// <summary>
/// Who a credential stands for in the ActionTrail events the emulator emits (<c>userIdentity.type</c> and
/// <c>userIdentity.userName</c>).
/// </summary>
/// <param name="Type"><c>ram-user</c>, <c>assumed-role</c> or <c>root-account</c>.</param>
/// <param name="UserName">For <c>assumed-role</c>: <c>{roleName}:{sessionName}</c>.</param>
public sealed record EmulatorIdentity(string Type, string UserName)
{
    /// <summary>The identity of a request signed without an STS token, when its credential names none.</summary>
    public static EmulatorIdentity DefaultUser { get; } = new("ram-user", "emulator-user");

    /// <summary>The identity of a request signed with an STS token, when its credential names none.</summary>
    public static EmulatorIdentity DefaultRole { get; } = new("assumed-role", "emulator-role:session");

    /// <summary>The operator behind changes made on the admin surface (console operations).</summary>
    public static EmulatorIdentity Operator { get; } = new("ram-user", "emulator-operator");

    internal static readonly string[] Types = ["ram-user", "assumed-role", "root-account"];
}
