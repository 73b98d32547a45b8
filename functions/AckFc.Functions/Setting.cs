using Microsoft.Extensions.Options;

namespace AckFc.Functions;

/// <summary>
/// A setting read outside an options class (which function to serve, where the webhook keys live) fails the way
/// options do, so the host has one kind of start-up failure to report.
/// </summary>
internal static class Setting
{
    public static OptionsValidationException Invalid(string variable, string message) => new(variable, typeof(Setting), [message]);
}
